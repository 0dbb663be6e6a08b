"""The indicator store kept as records are written equals the reference counting, after a
few hundred random writes through the services: visits (back-dated too), enrollments,
exits, deaths, moves, contracts and renewals, checks, surveys, referrals in every state,
service records, grid and team changes. Every count of every grid, every indicator of
every scope, for a year, a quarter, a month, a past as-of day and today."""
import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from healthgrid.auth.scope import Scope
from healthgrid.chronic import services as chronic
from healthgrid.chronic.models import Enrollment
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.kpi.store.maintain import rebuild
from healthgrid.records import services as records
from healthgrid.records.models import ServiceRecord
from healthgrid.referral import services as referral
from healthgrid.referral.models import Referral
from healthgrid.surveys.models import SurveyResponse
from tests import factories
from tests.helpers import today_is
from tests.kpi.store_check import differences

ADMIN_SCOPE = Scope(None, None, None, "admin")
TODAY = date(2026, 11, 20)
KINDS = ("health_education", "maternal_visit", "child_health", "infectious_report",
         "mental_health", "rehab", "supervision_report")


def _day(rng, first=date(2025, 1, 1), last=TODAY) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


class Writer:
    """Random writes through the services, as users make them."""

    def __init__(self, district, seed: int):
        self.d, self.rng = district, random.Random(seed)
        self.households, self.people, self.refused = [], [], []
        self.grids = list(district.grids)
        third = factories.grid(district.community, None, name="幸福里第3网格")
        self.grids.append(third)

    def resident(self):
        rng = self.rng
        if not self.households or rng.random() < 0.3:
            household = factories.household(rng.choice(self.grids))
            household.created_at = datetime.combine(_day(rng, date(2024, 6, 1)), time(9))
            self.households.append(household)
        birth = _day(rng, date(1935, 1, 1), date(2024, 12, 31))
        if rng.random() < 0.1:
            birth = date(1961, 2, 28) + timedelta(days=rng.randrange(3))  # 65 around 2026
        person = factories.resident(
            rng.choice(self.households), name="某", birth_date=birth,
            sex=rng.choice(("male", "female")), created=_day(rng, date(2024, 6, 1)),
            archive_medium=rng.choice(("electronic", "electronic", "paper")),
            disabled=rng.random() < 0.05, severe_mental_illness=rng.random() < 0.05)
        self.people.append(person)

    def active_person(self):
        alive = [p for p in self.people if p.status == "active"]
        return self.rng.choice(alive) if alive else None

    def step(self):
        rng = self.rng
        action = rng.choice(("resident", "resident", "enroll", "enroll", "visit", "visit",
                             "visit", "visit", "visit", "visit", "check", "check",
                             "exit_program", "death", "move", "contract", "renew",
                             "survey", "up", "down", "transition", "service", "grid_team",
                             "membership", "update"))
        person = self.active_person()
        if action == "resident" or person is None:
            return self.resident()
        try:
            getattr(self, action)(person)
        except DomainError as refused:  # a refused write: the next one goes on
            self.refused.append(f"{action}: {refused.args[:1]}")
        if rng.random() < 0.8:
            db.session.commit()  # as a request handler does (most writes are one each)

    def enroll(self, person):
        program = self.rng.choice(("hypertension", "diabetes", "hypertension"))
        if chronic.active_enrollment(person.id, program) is None:
            chronic.enroll(person, program, _day(self.rng, max(person.created_on,
                                                               date(2025, 1, 1))))

    def _enrollment(self, person, programs=("hypertension", "diabetes")):
        found = [e for e in db.session.scalars(select(Enrollment).where(
            Enrollment.resident_id == person.id, Enrollment.status == "active"))
            if e.program in programs]
        return self.rng.choice(found) if found else None

    def visit(self, person):
        enrollment = self._enrollment(person)
        if enrollment:  # back-dated as often as not
            day = _day(self.rng, enrollment.enrolled_on)
            chronic.record_followup(enrollment, {
                "visit_date": day, "sbp": self.rng.randrange(110, 170),
                "dbp": self.rng.randrange(70, 105),
                "fpg": round(self.rng.uniform(5, 9), 1)}, None)

    def check(self, person):
        enrollment = self._enrollment(person, ("elderly",))
        if enrollment:
            chronic.record_check(enrollment, {
                "check_date": _day(self.rng, enrollment.enrolled_on),
                "selfcare": dict(eating=0, washing=0, dressing=0, toileting=0, mobility=0)},
                None)

    def exit_program(self, person):
        enrollment = self._enrollment(person)
        if enrollment:
            chronic.end_enrollment(enrollment, "refused", _day(self.rng, enrollment.enrolled_on))

    def death(self, person):
        records.record_exit(person, "deceased", _day(self.rng, max(person.created_on,
                                                                   date(2025, 6, 1))),
                            person.version)

    def move(self, person):
        if self.rng.random() < 0.5:
            records.record_exit(person, "moved_out", _day(self.rng, person.created_on),
                                person.version)
        else:  # a correction: the archive belongs to another grid's household
            household = factories.household(self.rng.choice(self.grids))
            person.household_id, person.grid_id = household.id, household.grid_id
            db.session.flush()

    def contract(self, person):
        grid = db.session.get(type(self.grids[0]), person.grid_id)
        if grid.team_id:
            team = next(t for t in self.d.teams if t.id == grid.team_id)
            records.sign_contract(person, team, _day(self.rng, date(2025, 1, 1)), None)

    def renew(self, person):
        records.renew_contract(person, _day(self.rng, date(2026, 1, 1)), None)

    def survey(self, person):
        db.session.add(SurveyResponse(
            grid_id=self.rng.choice(self.grids).id, date=_day(self.rng), channel="door",
            aware=self.rng.random() < 0.6,
            satisfaction=self.rng.choice((None, 2, 3, 4, 5))))
        db.session.flush()

    def up(self, person):
        referral.create_up(person, {"to_institution_id": self.d.hospital.id, "reason": "转上级",
                                    "urgency": "routine"}, None, _day(self.rng))

    def down(self, person):
        who = person if self.rng.random() < 0.7 else None
        referral.create_down({"to_institution_id": self.d.centre.id, "reason": "出院",
                              "urgency": "routine",
                              "id_number": who.id_number if who else None,
                              "patient_name": "某"}, self.d.hospital, None, _day(self.rng))

    def transition(self, person):
        open_ones = list(db.session.scalars(select(Referral).where(
            Referral.status.in_(("requested", "accepted", "arrived")))))
        if open_ones:
            x = self.rng.choice(open_ones)
            action = {"requested": self.rng.choice(("accept", "reject", "cancel")),
                      "accepted": self.rng.choice(("arrive", "arrive", "cancel")),
                      "arrived": "complete"}[x.status]
            referral.transition(x, action, "原因", factories.user("admin"), ADMIN_SCOPE,
                                x.referred_on + timedelta(days=self.rng.randrange(25)))

    def service(self, person):
        db.session.add(ServiceRecord(
            kind=self.rng.choice(KINDS), date=_day(self.rng), team_id=self.rng.choice(
                self.d.teams).id, resident_id=person.id if self.rng.random() < 0.5 else None))
        db.session.flush()

    def grid_team(self, person):
        grid = self.rng.choice(self.grids)
        grid.team_id = self.rng.choice([None, *(t.id for t in self.d.teams)])
        db.session.flush()

    def membership(self, person):
        team = self.rng.choice(self.d.teams)
        for membership in team.memberships:
            if self.rng.random() < 0.3:
                membership.end_date = _day(self.rng, date(2026, 1, 1))
        db.session.flush()

    def update(self, person):
        records.update_resident(person, {"version": person.version,
                                         "pregnant": self.rng.random() < 0.5,
                                         "archive_medium": self.rng.choice(("paper",
                                                                            "electronic"))})


CASES = (("2026", date(2026, 11, 20), TODAY),       # live: today's schedules
         ("2026", date(2026, 7, 14), TODAY),        # a past as-of day of the year
         ("2026-Q2", date(2026, 6, 30), TODAY),
         ("2026-11", date(2026, 11, 20), TODAY),
         ("2025", date(2025, 12, 31), TODAY),
         ("2025-Q4", date(2025, 11, 3), TODAY))


@pytest.fixture
def written(district):
    with today_is(TODAY):
        writer = Writer(district, seed=15)
        for _ in range(40):
            writer.resident()
        for _ in range(320):
            writer.step()
        db.session.flush()
        yield writer


def test_store_equals_reference_after_random_writes(written):
    for period, as_of, today in CASES:
        assert differences(period, as_of, today) == []


def test_a_wrong_store_is_noticed(written):
    db.session.execute(text("UPDATE kpi_level_fact SET residents = residents + 1 "
                            "WHERE grain = 'y' AND bucket < '2026-01-01'"))
    assert any("residents" in line for line in differences("2026", TODAY, TODAY))


def test_rebuild_gives_the_same_store(written):
    rebuild(db.session)
    for period, as_of, today in CASES[:3]:
        assert differences(period, as_of, today) == []


def test_an_excel_import_is_counted(district):
    from tests.records.test_imports import resident_rows, run_import, xlsx
    with today_is(TODAY):
        report = run_import(xlsx(resident_rows(district, households=20)))
        assert report.ok and len(report.resident_ids) == 60
        assert differences("2025", date(2025, 12, 31), TODAY,
                           [f"institution:{district.centre.id}"]) == []
