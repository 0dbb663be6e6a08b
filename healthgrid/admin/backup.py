"""Whole-database backup and restore while the app keeps running.

SQLite: the online backup API copies one consistent snapshot (in WAL mode a reader never
waits for writers, and never sees their uncommitted pages). PostgreSQL: pg_dump's custom
format (one snapshot) and pg_restore in a single transaction. Connection settings travel
in PG* environment variables: a password on a command line is visible to every local user
through `ps`.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL

from healthgrid.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
PG_BIN_FALLBACK = Path("/usr/lib/postgresql/15/bin")
# The tables a HealthGrid database surely has; a file without them is something else.
REQUIRED_TABLES = ("alembic_version", "user", "resident")
# A table in `pg_restore --list`: "215; 1259 16386 TABLE public resident postgres".
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE public (\S+)", re.MULTILINE)
# libpq settings a URL may carry in its query string, and their environment variables.
_LIBPQ_QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE",
                    "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                    "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                    "application_name": "PGAPPNAME", "options": "PGOPTIONS",
                    "target_session_attrs": "PGTARGETSESSIONATTRS"}


class BackupError(Exception):
    """A problem the operator can fix (wrong file, missing tool); the message says how."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str            # "sqlite" or "postgresql"
    size: int
    sha256: str
    revision: str | None = None   # the schema migration the backup was taken at


def database_kind(url: URL) -> str:
    name = url.get_backend_name()
    if name in ("sqlite", "postgresql"):
        return name
    raise BackupError(f"backups of {name} databases are not supported")


def describe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


# --- backup ---------------------------------------------------------------------------

def backup_database(out: Path) -> BackupFile:
    """Write a consistent copy of the app's database to `out` (which must not exist yet)."""
    url = db.engine.url
    kind = database_kind(url)
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name "
                          "(a backup never overwrites another)")
    if not out.parent.is_dir():
        raise BackupError(f"the directory {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _pg_dump(url, partial)
        os.chmod(partial, 0o600)  # it holds every resident's archive
        os.replace(partial, out)  # never a half-written file under the final name
    finally:
        partial.unlink(missing_ok=True)
    return inspect_backup(out)


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:") or "mode=memory" in str(url):
        raise BackupError("an in-memory database cannot be backed up or restored")
    return Path(url.database).resolve()


def _sqlite_connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(target, uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _sqlite_backup(source: Path, out: Path) -> None:
    if source == out.resolve():
        raise BackupError("the backup file cannot be the database itself")
    if not source.exists():
        raise BackupError(f"the database {source} does not exist")
    with closing(_sqlite_connect(source)) as src, closing(_sqlite_connect(out)) as dst:
        # All pages in one step: one read transaction, hence one snapshot. A stepwise copy
        # would restart whenever another connection commits.
        src.backup(dst, pages=-1)
        # A self-contained file: no -wal/-shm companions to forget when copying it away.
        dst.execute("PRAGMA journal_mode=DELETE")
        _sqlite_check(dst, out)


def _sqlite_check(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} is damaged: {result[0] if result else 'no answer'}")


def _pg_dump(url: URL, out: Path) -> None:
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={out}"], url,
         "pg_dump")


# --- inspection -----------------------------------------------------------------------

def inspect_backup(path: Path) -> BackupFile:
    """What the file is, or BackupError when it is missing or not a HealthGrid backup."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist")
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        kind, revision = "sqlite", _sqlite_revision(path)
    elif head.startswith(PGDUMP_MAGIC):
        kind, revision = "postgresql", _pgdump_revision(path)
    else:
        raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom-format "
                          "file: it is not a HealthGrid backup")
    return BackupFile(path, kind, path.stat().st_size, _sha256(path), revision)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _not_healthgrid(path: Path, missing) -> BackupError:
    return BackupError(f"{path} is not a HealthGrid backup (no table "
                       f"{', '.join(sorted(missing))})")


def _sqlite_revision(path: Path) -> str | None:
    try:
        with closing(_sqlite_connect(path.resolve(), read_only=True)) as conn:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = set(REQUIRED_TABLES) - tables
            if missing:
                raise _not_healthgrid(path, missing)
            _sqlite_check(conn, path)
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}") from None
    return row[0] if row else None


def _pgdump_revision(path: Path) -> str | None:
    listing = _run([_pg_tool("pg_restore"), "--list", str(path)], None, "pg_restore")
    tables = {match.group(1) for match in _TOC_TABLE.finditer(listing)}
    missing = set(REQUIRED_TABLES) - tables
    if missing:
        raise _not_healthgrid(path, missing)
    # The data of one small table, as COPY text on stdout.
    script = _run([_pg_tool("pg_restore"), "--data-only", "--table=alembic_version",
                   "--file=-", str(path)], None, "pg_restore")
    lines = script.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY public.alembic_version"):
            value = lines[i + 1] if i + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


# --- restore --------------------------------------------------------------------------

def check_restorable(backup: BackupFile) -> None:
    """BackupError unless `backup` fits this installation's database and code."""
    kind = database_kind(db.engine.url)
    if backup.kind != kind:
        raise BackupError(f"{backup.path} is a {_KIND_NAMES[backup.kind]}, but this "
                          f"installation uses {_KIND_NAMES[kind].split(' ')[0]}")
    _check_revision(backup)


def restore_database(backup: BackupFile) -> None:
    """Replace the app's database with the content of `backup` (from inspect_backup)."""
    check_restorable(backup)
    url = db.engine.url
    kind = database_kind(url)
    # Our own pooled connections must not hold the old schema (SQLite) or locks (PostgreSQL).
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(backup.path, _sqlite_path(url))
    else:
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", "--no-password", f"--dbname={url.database}",
              str(backup.path)], url, "pg_restore")
    db.engine.dispose()


_KIND_NAMES = {"sqlite": "SQLite database", "postgresql": "PostgreSQL dump"}


def _check_revision(backup: BackupFile) -> None:
    """A backup made by a newer HealthGrid has tables this code does not know: refuse."""
    if backup.revision is None:
        return
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util.exc import CommandError
    scripts = ScriptDirectory(current_app.extensions["migrate"].directory)
    try:
        known = scripts.get_revision(backup.revision)
    except (CommandError, RevisionError):
        known = None
    if known is None:
        raise BackupError(f"{backup.path} was made at schema revision {backup.revision}, which "
                          "this version of HealthGrid does not know (a newer version?)")


def _sqlite_restore(source: Path, target: Path) -> None:
    if source.resolve() == target:
        raise BackupError("the backup file is the database itself")
    with closing(_sqlite_connect(source.resolve(), read_only=True)) as src, \
            closing(_sqlite_connect(target)) as dst:
        # The backup API writes through SQLite's own locking: other processes wait, then
        # see the restored content; the target keeps its WAL mode.
        src.backup(dst, pages=-1)
        _sqlite_check(dst, target)


# --- PostgreSQL client tools ----------------------------------------------------------

def _pg_tool(name: str) -> str:
    configured = current_app.config.get("PG_BIN")
    candidates = [Path(configured) / name] if configured else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    candidates.append(PG_BIN_FALLBACK / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(f"{name} not found on PATH nor in {PG_BIN_FALLBACK} (Debian: apt-get "
                      "install postgresql-client-15), or set HEALTHGRID_PG_BIN")


def pg_environment(url: URL | None) -> dict[str, str]:
    """The environment for a PostgreSQL client tool: the URL's settings as PG* variables."""
    env = dict(os.environ)
    if url is None:
        return env
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    for key, value in url.query.items():
        if key in _LIBPQ_QUERY_ENV:
            values[_LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def _run(command: list[str], url: URL | None, tool: str) -> str:
    done = subprocess.run(command, env=pg_environment(url), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        problem = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupError(f"{tool} failed: {problem}")
    return done.stdout
