"""Scratch databases for backup tests: the suite's test database is shared by every test,
so a backup round trip gets a database of its own (a SQLite file, or a database created
beside the test database on the same PostgreSQL server)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from healthgrid import create_app
from healthgrid.extensions import db as _db

from ..helpers import postgres_base_url, recreate_pg_database


@contextmanager
def scratch_app(kind: str, tmp_path: Path, name: str = "scratch"):
    """A migrated, empty database of `kind` ("sqlite" or "postgresql") and an app on it."""
    pg_name = None
    if kind == "postgresql":
        base = postgres_base_url()
        if base is None:
            pytest.skip("DATABASE_URL does not point to PostgreSQL")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        pg_name = f"healthgrid_{name}_{worker}"
        recreate_pg_database(base, pg_name, create=True)
        url = base.set(database=pg_name).render_as_string(hide_password=False)
    else:
        folder = tmp_path / "scratch-databases"
        folder.mkdir(exist_ok=True)
        url = f"sqlite:///{folder / f'{name}.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "scratch-secret",
                      "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
        yield app
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        if pg_name:
            recreate_pg_database(postgres_base_url(), pg_name, create=False)
