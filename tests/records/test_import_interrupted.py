"""An import killed mid-way (SIGKILL while it reads, checks or saves) leaves the database
exactly as it was: the import is one transaction, so it is there whole or not at all."""
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
ROWS = 20000


def _bench_helpers():
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _state(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        state = {table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                 for table in ("household", "resident", "audit_entry", "enrollment")}
        state["archive_seq"] = conn.execute(text(
            "SELECT group_concat(archive_seq) FROM community")).scalar()
        if engine.dialect.name == "sqlite":
            state["integrity"] = conn.execute(text("PRAGMA integrity_check")).scalar()
    engine.dispose()
    return state


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="the SQLite run covers the kill; PostgreSQL rolls back the same way")
def test_import_killed_while_saving_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-kill"}
    subprocess.run([FLASK, "--app", "healthgrid", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    bench = _bench_helpers()
    from healthgrid import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        grids = bench._district()
        bench._write_file(tmp_path / "big.xlsx", ROWS, grids, seed=3)
    copy = tmp_path / "copy.db"
    with sqlite3.connect(tmp_path / "kill.db") as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a file copy would miss what is still in the WAL
    before = _state(url)

    # How long a whole import takes here (on a copy), so the kills land inside it.
    command = [FLASK, "--app", "healthgrid", "records", "import", str(tmp_path / "big.xlsx")]
    started = time.monotonic()
    subprocess.run(command, env={**env, "DATABASE_URL": f"sqlite:///{copy}"}, cwd=ROOT,
                   check=True, capture_output=True)
    whole = time.monotonic() - started
    complete = _state(f"sqlite:///{copy}")
    assert complete["resident"] == before["resident"] + ROWS

    interrupted = 0
    # Through reading, checking and saving; the first kills come early, so that two land
    # inside even when a busy machine timed the whole import slower than these runs go.
    for fraction in (0.15, 0.3, 0.5, 0.7, 0.85):
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(whole * fraction)
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = _state(url)
        if state == complete:  # it had committed before the kill: all of it, never part
            break
        assert not finished and state == before, fraction
        interrupted += 1
    assert interrupted >= 2  # the kills did land inside the import
