"""Service records in a district large enough to have many teams (its own in-memory app:
the shared test database holds the module districts of the other files)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from healthgrid.demo.generate import generate
from healthgrid.extensions import db
from healthgrid.kpi.rules import SERVICE_RECORD_KINDS
from healthgrid.records.models import ServiceRecord

from .conftest import DEMO_AS_OF


def test_some_teams_leave_some_services_out(demo_app_factory):
    """Service provision falls short of 100% for some teams of a larger district."""
    with demo_app_factory().app_context():
        ctx = generate(15000, 5, DEMO_AS_OF)
        kinds = defaultdict(set)
        for team_id, kind in db.session.execute(select(ServiceRecord.team_id,
                                                       ServiceRecord.kind).distinct()):
            kinds[team_id].add(kind)
        assert len(kinds) == len(ctx.teams)
        assert all("health_education" in found for found in kinds.values())
        short = [t for t, found in kinds.items() if found != set(SERVICE_RECORD_KINDS)]
        assert 0 < len(short) < len(ctx.teams)

