"""Helpers for driving forms the way a browser does (with the page's CSRF token), and for
databases of their own beside the suite's (backups, the browser tests' server)."""
import os
import re

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def csrf_from(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no form on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None):
    """POST `data` to `url` with the CSRF token of the page at `form_url` (default: url)."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


def postgres_base_url():
    """The suite's PostgreSQL URL (DATABASE_URL), or None on SQLite runs."""
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        return None
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql+psycopg")


def recreate_pg_database(base, name: str, *, create: bool) -> None:
    """Drop the database `name` on the server of `base`, then create it afresh if asked.
    CREATE/DROP DATABASE cannot run inside a transaction: an AUTOCOMMIT engine on the
    URL's own database, which surely exists."""
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    quoted = engine.dialect.identifier_preparer.quote(name)
    try:
        with engine.connect() as conn:
            # FORCE: a server left over by an interrupted run may still hold connections.
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            if create:
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()
