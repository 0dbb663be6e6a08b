"""The records of store units, read with Core selects: column values as the database holds
them, never the session's objects (which may already carry changes not yet flushed)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp
from healthgrid.records.models import Contract, Household, Resident, ServiceRecord
from healthgrid.referral.models import Referral
from healthgrid.surveys.models import SurveyResponse

from . import facts

R, E, F = Resident.__table__, Enrollment.__table__, FollowUp.__table__
C, X, S = Contract.__table__, Referral.__table__, ServiceRecord.__table__


def _referral(row, with_owner: bool = False) -> facts.ReferralFacts:
    return facts.ReferralFacts(row.id, row.direction, row.status, row.referred_on,
                               row.visited_on, row.resident_id,
                               row.to_institution_id if with_owner else None,
                               row.team_id if with_owner else None)


REFERRAL_COLUMNS = (X.c.id, X.c.direction, X.c.status, X.c.referred_on, X.c.visited_on,
                    X.c.resident_id, X.c.to_institution_id,
                    func.coalesce(X.c.from_team_id, X.c.assigned_team_id).label("team_id"))


def residents(session: Session, where) -> list[facts.ResidentFacts]:
    """The residents matching `where` (a condition on the resident table) with their
    enrollments, visits, checks, contracts, referrals and service records."""
    people = {row.id: facts.ResidentFacts(
        row.id, row.grid_id, row.birth_date, row.created_on, row.status, row.status_date,
        row.archive_medium, bool(row.pregnant), bool(row.severe_mental_illness),
        bool(row.disabled))
        for row in session.execute(select(
            R.c.id, R.c.grid_id, R.c.birth_date, R.c.created_on, R.c.status, R.c.status_date,
            R.c.archive_medium, R.c.pregnant, R.c.severe_mental_illness, R.c.disabled)
            .where(where))}
    if not people:
        return []
    ids = select(R.c.id).where(where).scalar_subquery() if len(people) > 500 else list(people)
    enrollments = {}
    for row in session.execute(select(E.c.id, E.c.resident_id, E.c.program, E.c.enrolled_on,
                                      E.c.exited_on, E.c.next_due_date)
                               .where(E.c.resident_id.in_(ids))):
        e = facts.EnrollmentFacts(row.id, row.program, row.enrolled_on, row.exited_on,
                                  row.next_due_date)
        enrollments[row.id] = e
        people[row.resident_id].enrollments.append(e)
    if enrollments:
        of_people = select(E.c.id).where(E.c.resident_id.in_(ids)).scalar_subquery() \
            if len(enrollments) > 500 else list(enrollments)
        for row in session.execute(select(F.c.id, F.c.enrollment_id, F.c.visit_date,
                                          F.c.at_target, F.c.next_due_date)
                                   .where(F.c.enrollment_id.in_(of_people))):
            enrollments[row.enrollment_id].visits.append(
                facts.Visit(row.id, row.visit_date, row.at_target, row.next_due_date))
        ch = ElderlyCheck.__table__
        for row in session.execute(select(ch.c.enrollment_id, ch.c.check_date)
                                   .where(ch.c.enrollment_id.in_(of_people))):
            enrollments[row.enrollment_id].checks.append(row.check_date)
    for row in session.execute(select(C.c.resident_id, C.c.start_date,
                                      func.coalesce(C.c.terminated_on, C.c.end_date))
                               .where(C.c.resident_id.in_(ids))):
        people[row[0]].contracts.append((row[1], row[2]))
    for row in session.execute(select(*REFERRAL_COLUMNS).where(X.c.resident_id.in_(ids))):
        people[row.resident_id].referrals.append(_referral(row))
    for row in session.execute(select(S.c.resident_id, S.c.date)
                               .where(S.c.resident_id.in_(ids))):
        people[row[0]].service_dates.append(row[1])
    return list(people.values())


def resident_deltas(session: Session, where, out: facts.Deltas | None = None) -> facts.Deltas:
    out = {} if out is None else out
    for person in residents(session, where):
        facts.resident_deltas(person, out)
    return out


def household_deltas(session: Session, where, out: facts.Deltas) -> facts.Deltas:
    h = Household.__table__
    for row in session.execute(select(h.c.grid_id, h.c.active, h.c.created_at).where(where)):
        facts.merge(out, facts.household_deltas(row.grid_id, bool(row.active), row.created_at))
    return out


def survey_deltas(session: Session, where, out: facts.Deltas) -> facts.Deltas:
    s = SurveyResponse.__table__
    for row in session.execute(select(s.c.grid_id, s.c.date, s.c.aware, s.c.satisfaction)
                               .where(where)):
        facts.merge(out, facts.survey_deltas(row.grid_id, row.date, row.aware,
                                             row.satisfaction))
    return out


def contract_deltas(session: Session, where, out: facts.Deltas) -> facts.Deltas:
    for row in session.execute(select(C.c.team_id, C.c.start_date).where(where)):
        facts.merge(out, facts.provided_deltas(row.team_id, "contract", row.start_date))
    return out


def service_deltas(session: Session, where, out: facts.Deltas) -> facts.Deltas:
    for row in session.execute(select(S.c.team_id, S.c.kind, S.c.date).where(where)):
        facts.merge(out, facts.provided_deltas(row.team_id, row.kind, row.date))
    return out


def referral_deltas(session: Session, where, out: facts.Deltas) -> facts.Deltas:
    for row in session.execute(select(*REFERRAL_COLUMNS).where(where)):
        facts.merge(out, facts.referral_deltas(_referral(row, with_owner=True)))
    return out


# unit kind -> (loader, the table whose ids name the units)
UNITS = {
    "r": (resident_deltas, R), "h": (household_deltas, Household.__table__),
    "s": (survey_deltas, SurveyResponse.__table__), "c": (contract_deltas, C),
    "v": (service_deltas, S), "x": (referral_deltas, X),
}


def unit_deltas(session: Session, units: Iterable[tuple[str, int]]) -> dict:
    """{unit: deltas} of each unit (kind, id) as the database holds it now."""
    by_kind: dict[str, list[int]] = {}
    for kind, unit_id in units:
        by_kind.setdefault(kind, []).append(unit_id)
    found = {}
    for kind, ids in by_kind.items():
        loader, table = UNITS[kind]
        for unit_id in ids:  # one unit at a time: a write touches one or two
            found[(kind, unit_id)] = loader(session, table.c.id == unit_id, {})
    return found
