"""The records of store units, read with Core selects: column values as the database holds
them, never the session's objects (which may already carry changes not yet flushed)."""
from __future__ import annotations

from collections.abc import Iterable

from datetime import date

from sqlalchemy import bindparam, func, select, text
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


# Everything about a few residents in one statement (a write reads one or two residents
# twice; seven statements cost more than the counting). Columns: kind, two ids, three
# dates, two texts, three flags.
ONE_PASS = """
    SELECT 'r' AS k, r.id AS a, r.grid_id AS b, r.birth_date AS d1, r.created_on AS d2,
           r.status_date AS d3, r.status AS t1, r.archive_medium AS t2,
           r.pregnant AS f1, r.severe_mental_illness AS f2, r.disabled AS f3
      FROM resident r WHERE r.id IN :ids
    UNION ALL SELECT 'e', e.id, e.resident_id, e.enrolled_on, e.exited_on, e.next_due_date,
           e.program, NULL, NULL, NULL, NULL FROM enrollment e WHERE e.resident_id IN :ids
    UNION ALL SELECT 'f', f.id, f.enrollment_id, f.visit_date, f.next_due_date, NULL, NULL,
           NULL, f.at_target, NULL, NULL
      FROM follow_up f JOIN enrollment e ON e.id = f.enrollment_id WHERE e.resident_id IN :ids
    UNION ALL SELECT 'k', NULL, c.enrollment_id, c.check_date, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL
      FROM elderly_check c JOIN enrollment e ON e.id = c.enrollment_id
     WHERE e.resident_id IN :ids
    UNION ALL SELECT 'c', NULL, c.resident_id, c.start_date,
           COALESCE(c.terminated_on, c.end_date), NULL, NULL, NULL, NULL, NULL, NULL
      FROM contract c WHERE c.resident_id IN :ids
    UNION ALL SELECT 'x', x.id, x.resident_id, x.referred_on, x.visited_on, NULL, x.direction,
           x.status, NULL, NULL, NULL FROM referral x WHERE x.resident_id IN :ids
    UNION ALL SELECT 's', NULL, s.resident_id, s.date, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM service_record s WHERE s.resident_id IN :ids"""
_ONE_PASS = text(ONE_PASS).bindparams(bindparam("ids", expanding=True))


def _day(value):
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def few_residents(session: Session, ids: list[int]) -> list[facts.ResidentFacts]:
    """As residents(), for a few ids, in one statement."""
    people, enrollments, later = {}, {}, []
    for row in session.execute(_ONE_PASS, {"ids": list(ids)}):
        kind = row[0]
        if kind == "r":
            people[row[1]] = facts.ResidentFacts(
                row[1], row[2], _day(row[3]), _day(row[4]), row[6], _day(row[5]), row[7],
                bool(row[8]), bool(row[9]), bool(row[10]))
        elif kind == "e":
            enrollments[row[1]] = (row[2], facts.EnrollmentFacts(
                row[1], row[6], _day(row[3]), _day(row[4]), _day(row[5])))
        else:
            later.append(row)
    for resident_id, e in enrollments.values():
        people[resident_id].enrollments.append(e)
    for row in later:
        kind = row[0]
        if kind == "f":
            enrollments[row[2]][1].visits.append(
                facts.Visit(row[1], _day(row[3]), row[8], _day(row[4])))
        elif kind == "k":
            enrollments[row[2]][1].checks.append(_day(row[3]))
        elif kind == "c":
            people[row[2]].contracts.append((_day(row[3]), _day(row[4])))
        elif kind == "x":
            people[row[2]].referrals.append(facts.ReferralFacts(
                row[1], row[6], row[7], _day(row[3]), _day(row[4])))
        else:
            people[row[2]].service_dates.append(_day(row[3]))
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
