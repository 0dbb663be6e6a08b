"""Indicators served from a real hot standby (pg_basebackup -R into a second throwaway
cluster: scripts/pg_throwaway.sh standby), and from the primary, said in the log, when the
standby lags or is down. PostgreSQL runs only."""
import logging
import os
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from healthgrid import create_app
from healthgrid.auth.scope import Scope
from healthgrid.extensions import db
from healthgrid.kpi import rules, services
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg_throwaway.sh"
DATABASE = "healthgrid_replica"
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="a streaming standby needs PostgreSQL")


@pytest.fixture
def primary_and_standby(app):
    """(primary URL, standby URL) of a database of its own, replicated."""
    admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        data_dir = connection.execute(text("SHOW data_directory")).scalar()
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE}"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    with create_engine(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(database=DATABASE),
                       isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))  # the grid map
    primary = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(database=DATABASE)
    standby_dir = Path(tempfile.mkdtemp(prefix="healthgrid-standby-", dir="/tmp"))
    os.chmod(standby_dir, 0o755)
    try:
        found = subprocess.run(["bash", str(SCRIPT), "standby", str(Path(data_dir).parent),
                                str(standby_dir / "pg")], capture_output=True, text=True,
                               timeout=120)
        assert found.returncode == 0, found.stderr
        standby = make_url(found.stdout.strip()).set(database=DATABASE)
        yield (primary.render_as_string(hide_password=False),
               standby.render_as_string(hide_password=False), standby_dir / "pg")
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(standby_dir / "pg")],
                       capture_output=True, timeout=60)
        os.rmdir(standby_dir) if standby_dir.exists() and not any(standby_dir.iterdir()) \
            else None
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        admin.dispose()


def _compute(centre_id):
    scope = services.resolve_scope(f"institution:{centre_id}", Scope(None, None, None, "admin"))
    return services.compute(scope, rules.parse_period("2026"), date(2026, 6, 30),
                            date(2026, 12, 1))


def _wait(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


class Heard(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.text = ""

    def emit(self, record):
        self.text += self.format(record) + "\n"

    def clear(self):
        self.text = ""


def test_reports_come_from_the_standby_and_from_the_primary_when_it_lags_or_is_down(
        primary_and_standby):
    heard = Heard()
    primary, standby, standby_dir = primary_and_standby
    app = create_app({"SQLALCHEMY_DATABASE_URI": primary, "TESTING": True,
                      "READ_REPLICA_URL": standby, "READ_REPLICA_MAX_LAG": 1,
                      "READ_REPLICA_RETRY": 0})
    replica_engine = create_engine(standby)
    with app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        # alembic's logging set-up switches off the loggers that exist (the server's
        # `flask db upgrade` runs in a process of its own)
        # and take the root logger's handlers: the test listens to the replica's logger
        logger = logging.getLogger("healthgrid.replica")
        logger.disabled = False
        logger.addHandler(heard)
        district = factories.district()
        household = factories.household(district.grids[0])
        for n in range(3):
            factories.resident(household, name=f"居民{n}", created=date(2026, 1, 5))
        db.session.commit()
        centre_id = district.centre.id

        def replica_residents():
            with replica_engine.connect() as connection:
                return connection.execute(text(
                    "SELECT COUNT(*) FROM resident")).scalar() if connection.execute(text(
                        "SELECT to_regclass('resident') IS NOT NULL")).scalar() else 0

        _wait(lambda: replica_residents() == 3)
        result = _compute(centre_id)
        assert result.served_by == "replica"
        assert result.values["archive_rate"].numerator == 3

        # Replay paused: the standby falls behind; the primary answers, and says so.
        with replica_engine.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_pause()"))
        factories.resident(household, name="新居民", created=date(2026, 2, 1))
        db.session.commit()
        time.sleep(1.5)
        result = _compute(centre_id)
        assert result.served_by == "primary"
        assert result.values["archive_rate"].numerator == 4
        assert "behind" in heard.text
        with replica_engine.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
        _wait(lambda: replica_residents() == 4)
        assert _compute(centre_id).served_by == "replica"

        # The standby stopped: the primary answers, and says so.
        replica_engine.dispose()
        heard.clear()
        subprocess.run(["bash", str(SCRIPT), "stop", str(standby_dir)], capture_output=True,
                       timeout=60)
        result = _compute(centre_id)
        assert result.served_by == "primary" and result.values["archive_rate"].numerator == 4
        assert "unreachable" in heard.text
        logger.removeHandler(heard)
        db.session.remove()
        db.engine.dispose()
        app.extensions["healthgrid_read_replica"].engine.dispose()
