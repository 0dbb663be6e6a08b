"""Two runs with the same seed give the same district; the command prints its accounts.

Each run gets its own in-memory SQLite app (not the shared test database)."""
from __future__ import annotations

import re

from sqlalchemy import select

from healthgrid.auth.models import User
from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp
from healthgrid.demo.accounts import DEMO_PASSWORD
from healthgrid.demo.generate import generate
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Institution, Staff, Team, TeamMembership
from healthgrid.records.models import Contract, Household, Resident, ServiceRecord
from healthgrid.referral.models import Referral, ReferralEvent
from healthgrid.surveys.models import SurveyResponse

from .conftest import DEMO_AS_OF


def _snapshot() -> dict:
    """Everything the generator decides (not password hashes: their salt is random)."""
    tables = [Institution, Community, Grid, Staff, Team, TeamMembership, Household, Resident,
              Enrollment, FollowUp, ElderlyCheck, Contract, Referral, ReferralEvent,
              SurveyResponse, ServiceRecord]
    out = {model.__name__: db.session.execute(
        select(model.__table__).order_by(model.__table__.c.id)).all() for model in tables}
    out["User"] = db.session.execute(select(User.username, User.role, User.institution_id,
                                            User.staff_id).order_by(User.id)).all()
    return out


def _generate_in(app, seed: int) -> dict:
    with app.app_context():
        generate(1600, seed, DEMO_AS_OF)
        return _snapshot()


def test_same_seed_gives_the_same_district(demo_app_factory):
    first = _generate_in(demo_app_factory(), seed=11)
    again = _generate_in(demo_app_factory(), seed=11)
    other = _generate_in(demo_app_factory(), seed=12)
    assert first == again
    names = [(r.name, r.id_number) for r in first["Resident"]]
    assert names == [(r.name, r.id_number) for r in again["Resident"]]
    assert names != [(r.name, r.id_number) for r in other["Resident"]]
    for records in ("FollowUp", "Contract", "Referral", "ReferralEvent", "SurveyResponse"):
        assert first[records] and first[records] != other[records]


def test_command_prints_the_accounts(demo_app_factory):
    app = demo_app_factory()
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["demo", "--residents", "300", "--seed", "3", "--as-of", "2026-03-31"])
    assert result.exit_code == 0, result.output
    assert "300 residents" in result.output
    assert re.search(r"Records: \d+ contracts, \d+ enrollments, \d+ follow-ups, \d+ elderly "
                     r"checks, \d+ referrals \(\d+ events\), \d+ survey responses, "
                     r"\d+ service records\.", result.output), result.output
    for username in ("admin", "manager", "doctor", "nurse", "hospital"):
        assert re.search(rf"^\s+{username}\s+\S+\s+{DEMO_PASSWORD}", result.output, re.M)
