"""`flask backup` / `flask restore`: a consistent copy while the app runs, and back again."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, delete, func, inspect, select, update
from sqlalchemy.engine import make_url

from healthgrid.admin import backup as backup_module
from healthgrid.admin.backup import BackupError, backup_database, inspect_backup
from healthgrid.admin.cli import backup_command, restore_command
from healthgrid.auth.models import AuditEntry
from healthgrid.auth.services import audit
from healthgrid.demo.generate import generate
from healthgrid.extensions import db
from healthgrid.geo.spatial import is_engine_table
from healthgrid.records.models import Resident

from .conftest import postgres_base_url, scratch_app

AS_OF = date(2026, 3, 31)
KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    postgres_base_url() is None, reason="DATABASE_URL does not point to PostgreSQL"))]


def snapshot() -> dict[str, list[tuple]]:
    """Every row (all columns) of every table, in primary-key order. The spatial engine's
    catalogue is left out: SpatiaLite's holds timestamps no Python datetime can read."""
    conn = db.session.connection()  # the session's own: SQLite allows one writer
    out = {}
    for name in sorted(n for n in inspect(conn).get_table_names() if not is_engine_table(n)):
        table = Table(name, MetaData(), autoload_with=conn)
        order = list(table.primary_key.columns) or list(table.columns)
        out[name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    db.session.commit()
    return out


def _cli(app, command, *args, input=None):
    with app.app_context():
        return app.test_cli_runner().invoke(command, [str(a) for a in args], input=input)


def _leaf_tables_with_rows(data: dict) -> list[str]:
    """Tables that no foreign key points to: their rows can go without breaking others."""
    inspector = inspect(db.session.connection())
    referenced = {fk["referred_table"] for name in data for fk in inspector.get_foreign_keys(name)}
    return [name for name, rows in data.items()
            if rows and name not in referenced and name != "alembic_version"]


def _change_everything_a_bit(before: dict) -> None:
    """Rows changed, deleted and added across the database, as a bad day would."""
    for name in _leaf_tables_with_rows(before):
        db.session.execute(delete(Table(name, MetaData(),
                                        autoload_with=db.session.connection())))
    db.session.execute(update(Resident).values(name="改掉", phone=None, allergies="青霉素"))
    audit("resident.view", detail="after the backup")
    db.session.commit()


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_gives_back_every_row_of_every_table(kind, tmp_path):
    with scratch_app(kind, tmp_path, "backup_roundtrip") as app:
        with app.app_context():
            generate(500, seed=5, as_of=AS_OF)
            before = snapshot()
        assert sum(len(rows) for rows in before.values()) > 1500
        assert len(before["resident"]) == 500

        out = tmp_path / ("district.db" if kind == "sqlite" else "district.dump")
        result = _cli(app, backup_command, out)
        assert result.exit_code == 0, result.output
        assert out.stat().st_mode & 0o077 == 0  # health data: readable by its owner only

        with app.app_context():
            entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "backup"))
            assert entry is not None and entry.ip == "cli" and out.name in entry.detail
            _change_everything_a_bit(before)
            changed = snapshot()
        assert changed != before
        assert changed["resident"] != before["resident"]

        result = _cli(app, restore_command, out, "--yes")
        assert result.exit_code == 0, result.output

        with app.app_context():
            after = snapshot()
            restore_entries = db.session.execute(select(AuditEntry.id, AuditEntry.detail).where(
                AuditEntry.action == "restore")).all()
            assert len(restore_entries) == 1 and out.name in restore_entries[0].detail
            # The database still works as before: sequences follow the restored rows.
            audit("resident.view", detail="after the restore")
            db.session.commit()
        restore_id = restore_entries[0].id
        after["audit_entry"] = [row for row in after["audit_entry"] if row[0] != restore_id]
        assert set(after) == set(before)
        for name in before:
            assert after[name] == before[name], f"table {name} differs after the restore"


@pytest.mark.parametrize("kind", KINDS)
def test_restore_asks_first_and_changes_nothing_when_declined(kind, tmp_path):
    with scratch_app(kind, tmp_path, "backup_decline") as app:
        out = tmp_path / "empty.bak"
        assert _cli(app, backup_command, out).exit_code == 0
        with app.app_context():
            audit("login.failed", detail="username=nobody")
            db.session.commit()
            count = db.session.scalar(select(func.count(AuditEntry.id)))
        result = _cli(app, restore_command, out, input="n\n")
        assert result.exit_code == 1 and "Replace every record" in result.output
        with app.app_context():
            assert db.session.scalar(select(func.count(AuditEntry.id))) == count


def test_backup_never_overwrites_a_file(app, tmp_path):
    out = tmp_path / "exists.db"
    out.write_bytes(b"keep me")
    result = _cli(app, backup_command, out)
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_bytes() == b"keep me"


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"", "not a HealthGrid backup"),
    (b"name,phone\n\xe5\xbc\xa0\xe4\xb8\x89,13800000000\n", "not a HealthGrid backup"),
])
def test_restore_refuses_a_missing_or_foreign_file(app, tmp_path, content, message):
    path = tmp_path / "in.bak"
    if content is not None:
        path.write_bytes(content)
    result = _cli(app, restore_command, path, "--yes")
    assert result.exit_code == 1 and message in result.output


def test_restore_refuses_a_sqlite_file_of_another_application(app, tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.commit()
    result = _cli(app, restore_command, path, "--yes")
    assert result.exit_code == 1
    assert "not a HealthGrid backup" in result.output and "resident" in result.output


def test_restore_refuses_a_backup_of_the_other_database_kind(tmp_path):
    sqlite_kind = postgres_base_url() is None
    # A real backup of the other kind where the suite has one; else a file that only looks so.
    if sqlite_kind:
        path = tmp_path / "fake.dump"
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        with scratch_app("sqlite", tmp_path, "other_kind") as sqlite_app:
            path = tmp_path / "real.db"
            assert _cli(sqlite_app, backup_command, path).exit_code == 0
    with scratch_app("sqlite" if sqlite_kind else "postgresql", tmp_path, "kind_target") as app:
        result = _cli(app, restore_command, path, "--yes")
    assert result.exit_code == 1
    if sqlite_kind:
        assert "pg_restore failed" in result.output or "PostgreSQL" in result.output
    else:
        assert "is a SQLite database, but this installation uses PostgreSQL" in result.output


def test_restore_refuses_a_backup_from_a_newer_schema(tmp_path):
    with scratch_app("sqlite", tmp_path, "newer") as app:
        out = tmp_path / "newer.db"
        assert _cli(app, backup_command, out).exit_code == 0
        with closing(sqlite3.connect(out)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
            conn.commit()
        result = _cli(app, restore_command, out, "--yes")
    assert result.exit_code == 1 and "ffffffffffff" in result.output


def test_sqlite_backup_during_an_open_write_transaction_is_consistent(tmp_path):
    with scratch_app("sqlite", tmp_path, "wal") as app:
        with app.app_context():
            for n in range(50):
                audit("login.failed", detail=f"committed {n}")
            db.session.commit()
            path = Path(db.engine.url.database)
            out = tmp_path / "during.db"

            writer = sqlite3.connect(path, isolation_level=None)
            try:
                assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                # A tiny cache makes the writer spill uncommitted pages into the WAL file.
                writer.execute("PRAGMA cache_size=5")
                writer.execute("BEGIN IMMEDIATE")
                writer.executemany(
                    "INSERT INTO audit_entry (at, action, detail) VALUES (CURRENT_TIMESTAMP, ?, ?)",
                    [("login.failed", "uncommitted " + "x" * 500)] * 3000)
                writer.execute("UPDATE audit_entry SET detail = 'overwritten' "
                               "WHERE detail LIKE 'committed%'")
                # The premise: uncommitted pages sit in the WAL file as the backup reads.
                assert Path(f"{path}-wal").stat().st_size > 500_000
                backup_database(out)
                writer.execute("COMMIT")
            finally:
                writer.close()

        with closing(sqlite3.connect(out)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            details = [row[0] for row in copy.execute("SELECT detail FROM audit_entry")]
        assert sorted(details) == sorted(f"committed {n}" for n in range(50))
        with closing(sqlite3.connect(path)) as live:
            assert live.execute("SELECT count(*) FROM audit_entry").fetchone()[0] == 3050


def test_postgres_password_travels_in_the_environment_not_the_command_line(app, monkeypatch,
                                                                          tmp_path):
    calls = []

    def fake_run(command, env, **_kw):
        calls.append((command, env))
        return backup_module.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup_module.subprocess, "run", fake_run)
    url = make_url("postgresql+psycopg://hg:s3cr%40t@db.example:5433/healthgrid?sslmode=require")
    with app.app_context():
        backup_module._pg_dump(url, tmp_path / "x.dump")
    (command, env), = calls
    assert not any("s3cr" in part for part in command)
    assert "--format=custom" in command
    assert env["PGPASSWORD"] == "s3cr@t" and env["PGUSER"] == "hg"
    assert env["PGHOST"] == "db.example" and env["PGPORT"] == "5433"
    assert env["PGDATABASE"] == "healthgrid" and env["PGSSLMODE"] == "require"


def test_missing_pg_tools_are_explained(app, monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup_module, "PG_BIN_FALLBACK", Path("/nonexistent"))
    with app.app_context(), pytest.raises(BackupError, match="pg_dump not found"):
        backup_module._pg_tool("pg_dump")


def test_inspect_reports_kind_size_and_revision(tmp_path):
    with scratch_app("sqlite", tmp_path, "inspect") as app:
        out = tmp_path / "i.db"
        with app.app_context():
            made = backup_database(out)
    again = inspect_backup(out)
    assert again == made and made.kind == "sqlite" and made.size == out.stat().st_size
    assert made.revision and len(made.sha256) == 64
