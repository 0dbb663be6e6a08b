"""The indicators counted side by side on several connections (as the server does) equal
the same counts made one after the other on one connection, on the demo district's
committed records (SQLite file or PostgreSQL, whichever the suite runs on)."""
import threading
from datetime import date

import pytest
from sqlalchemy import select

from healthgrid import create_app
from healthgrid.auth.scope import Scope
from healthgrid.clock import today
from healthgrid.concurrent_reads import run_reads
from healthgrid.extensions import db
from healthgrid.kpi import rules, services
from healthgrid.org.models import Institution

ADMIN = Scope(None, None, None, "admin")


def _compute(url: str, workers: int, period: str, as_of: date | None):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "KPI_READ_WORKERS": workers})
    with app.test_request_context():
        centre = db.session.scalar(select(Institution.id).where(
            Institution.kind == "health_center"))
        scope = services.resolve_scope(f"institution:{centre}", ADMIN)
        parsed = rules.parse_period(period)
        result = services.compute(scope, parsed, as_of or parsed.as_of(today()), today(),
                                  with_trend=True)
        db.engine.dispose()
        return result


@pytest.mark.parametrize("period,as_of", [("2026", None), ("2026-Q2", date(2026, 6, 30))])
def test_counts_side_by_side_equal_counts_in_turn(demo_database, period, as_of):
    side_by_side = _compute(demo_database, 3, period, as_of)
    in_turn = _compute(demo_database, 1, period, as_of)
    assert side_by_side.counts.to_dict() == in_turn.counts.to_dict()
    assert side_by_side.trend.to_dict() == in_turn.trend.to_dict()
    assert {c: (v.numerator, v.denominator) for c, v in side_by_side.values.items()} == \
        {c: (v.numerator, v.denominator) for c, v in in_turn.values.items()}
    assert side_by_side.values["archive_rate"].numerator > 1000  # the district is there


def test_jobs_run_on_connections_and_threads_of_their_own(demo_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": demo_database, "TESTING": True})
    with app.app_context():
        def where(session):
            return threading.get_ident(), id(session.connection().connection.dbapi_connection)
        own = id(db.session.connection().connection.dbapi_connection)
        seen = run_reads(db.session, [where] * 3, workers=3)
        assert all(thread != threading.get_ident() and conn != own for thread, conn in seen)
        db.session.rollback()
        db.engine.dispose()
