"""The counting queries behind the indicators: one grouped query per record kind, each
answering per grid, so that every scope is a sum of grid rows (RULES.md §6).

Written as SQL on purpose: these are the formulas, and they must run the same on SQLite
and PostgreSQL. Only the day difference is spelled differently."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from healthgrid.chronic.rules import SETTINGS as FOLLOWUP
from healthgrid.records.rules import latest_birth_date_for_age
from healthgrid.referral.rules import SETTINGS as REFERRAL
from healthgrid.surveys.rules import SATISFIED_FROM

from .rules import REQUIRED_SLACK_DAYS



@dataclass(frozen=True)
class Window:
    """The period's start, the as_of day and the grids counted."""
    start: date
    as_of: date
    grids: tuple[int, ...]

    def params(self) -> dict:
        return {
            "grids": list(self.grids) or [-1],
            "start": self.start, "as_of": self.as_of,
            "as_of_end": datetime.combine(self.as_of + timedelta(days=1), datetime.min.time()),
            "usage_from": self.as_of - timedelta(days=364),
            "born_elderly": latest_birth_date_for_age(self.as_of, FOLLOWUP.elderly_age),
            "born_7": latest_birth_date_for_age(self.as_of, 7),
        }


def days_sql(session: Session, later: str, earlier: str) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


ACTIVE_RESIDENT = ("r.created_on <= :as_of AND (r.status = 'active' "
                   "OR r.status_date > :as_of)")
# Hypertension or diabetes under management on as_of (a key population).
CHRONIC_ON_AS_OF = """(SELECT DISTINCT resident_id FROM enrollment
    WHERE program IN ('hypertension', 'diabetes') AND enrolled_on <= :as_of
      AND (exited_on IS NULL OR exited_on > :as_of))"""
# Key population by the resident's profile alone, and with chronic disease (joined as `ch`).
PROFILE_KEY = ("r.birth_date <= :born_elderly OR r.birth_date > :born_7 OR r.pregnant "
               "OR r.severe_mental_illness OR r.disabled")
KEY_POPULATION = f"({PROFILE_KEY} OR ch.resident_id IS NOT NULL)"


def statement(sql: str, params: dict):
    """The SQL with its list parameters (grids, teams) expanded into IN lists."""
    lists = [bindparam(name, expanding=True) for name, value in params.items()
             if isinstance(value, list) and f":{name}" in sql]
    return text(sql).bindparams(*lists) if lists else text(sql)


def _frame(session: Session, sql: str, params: dict) -> pd.DataFrame:
    result = session.execute(statement(sql, params), params)
    # Plain tuples: pandas probes each row's attributes, and a Row answers a missing one
    # through an exception (a tenth of a second over a centre's rows).
    frame = pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))
    return frame.set_index("grid_id") if "grid_id" in frame else frame


PROFILE = ("archive_medium", "pregnant", "severe_mental_illness", "disabled")


def residents(session: Session, w: Window) -> pd.DataFrame:
    """Active residents per grid, by profile. Grouped in the order of ix_resident_profile, so
    that the database counts straight off the index (one aggregate per profile column would
    cost as much again as the scan); pandas adds the profiles up per grid."""
    profile = ", ".join(f"r.{column}" for column in PROFILE)
    found = _frame(session, f"""
        SELECT r.grid_id, {profile}, COUNT(*) AS n,
          SUM(CASE WHEN r.birth_date <= :born_elderly THEN 1 ELSE 0 END) AS elderly,
          SUM(CASE WHEN r.birth_date > :born_7 AND r.birth_date <= :as_of THEN 1 ELSE 0 END)
              AS children
        FROM resident r WHERE r.grid_id IN :grids AND {ACTIVE_RESIDENT}
        GROUP BY r.grid_id, {profile}""", w.params())
    flagged = found[["pregnant", "severe_mental_illness", "disabled"]].astype(bool)
    rows = pd.DataFrame({
        "residents": found["n"],
        "e_archives": found["n"].where(found["archive_medium"] == "electronic", 0),
        "elderly": found["elderly"], "children": found["children"],
        "pregnant": found["n"].where(flagged["pregnant"], 0),
        "smi": found["n"].where(flagged["severe_mental_illness"], 0),
        "disabled": found["n"].where(flagged["disabled"], 0),
        # pregnant, mentally ill or disabled: all of them; otherwise the 65+ and under 7
        "key_by_profile": found["n"].where(flagged.any(axis=1),
                                           found["elderly"] + found["children"]),
    }, index=found.index)
    return rows.groupby(level=0).sum()


def archived(session: Session, w: Window) -> pd.DataFrame:
    """Archives created in the period (whatever became of the resident since)."""
    return _frame(session, """
        SELECT r.grid_id, COUNT(*) AS archived_in_period FROM resident r
        WHERE r.created_on BETWEEN :start AND :as_of AND r.grid_id IN :grids
        GROUP BY r.grid_id""", w.params())


ACTIVE_CONTRACT = ("c.start_date <= :as_of AND COALESCE(c.terminated_on, c.end_date) >= :as_of")


def contracts(session: Session, w: Window) -> pd.DataFrame:
    """Active residents with an active contract; of them, the key population by profile
    (those key by chronic disease alone are counted with the enrollments: chronic())."""
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(DISTINCT r.id) AS contracted,
          COUNT(DISTINCT CASE WHEN {PROFILE_KEY} THEN r.id END) AS key_contracted_by_profile
        FROM contract c JOIN resident r ON r.id = c.resident_id
        WHERE r.grid_id IN :grids AND {ACTIVE_CONTRACT} AND {ACTIVE_RESIDENT}
        GROUP BY r.grid_id""", w.params())


def households(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, """
        SELECT h.grid_id, COUNT(*) AS households FROM household h
        WHERE h.grid_id IN :grids AND h.active AND h.created_at < :as_of_end
        GROUP BY h.grid_id""", w.params())


# Residents with a dynamic record in the 365 days up to as_of. Asked per enrollment through
# the (enrollment, date) indexes: four times faster than joining every visit of the year.
USED_RESIDENTS = """(
    SELECT e.resident_id FROM enrollment e WHERE e.program <> 'elderly' AND EXISTS (
      SELECT 1 FROM follow_up f WHERE f.enrollment_id = e.id
        AND f.visit_date BETWEEN :usage_from AND :as_of)
    UNION SELECT e.resident_id FROM enrollment e WHERE e.program = 'elderly' AND EXISTS (
      SELECT 1 FROM elderly_check c WHERE c.enrollment_id = e.id
        AND c.check_date BETWEEN :usage_from AND :as_of)
    UNION SELECT resident_id FROM referral
      WHERE resident_id IS NOT NULL AND referred_on BETWEEN :usage_from AND :as_of
    UNION SELECT resident_id FROM service_record
      WHERE resident_id IS NOT NULL AND date BETWEEN :usage_from AND :as_of)"""


def archive_usage(session: Session, w: Window) -> pd.DataFrame:
    """Active archives with a dynamic record in the 365 days up to as_of."""
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(*) AS used_archives FROM resident r
        WHERE r.grid_id IN :grids AND {ACTIVE_RESIDENT} AND r.id IN {USED_RESIDENTS}
        GROUP BY r.grid_id""", w.params())


_IN_PERIOD = "f.enrollment_id = e.id AND f.visit_date BETWEEN :start AND :as_of"
IN_PERIOD = _IN_PERIOD  # the gap lists read the same visits


def managed_sql(with_last_visit: bool = False) -> str:
    """The managed patients of :program with their visits in the period: how many, whether the
    latest was at target (and its date). Correlated lookups through the (enrollment, date)
    index: three times faster than numbering every visit of the year with window functions."""
    last = (f", (SELECT MAX(f.visit_date) FROM follow_up f WHERE {_IN_PERIOD}) AS last_visit"
            if with_last_visit else "")
    return f"""(SELECT e.id, e.resident_id, e.enrolled_on, e.exited_on,
          (SELECT COUNT(*) FROM follow_up f WHERE {_IN_PERIOD}) AS n,
          (SELECT f.at_target FROM follow_up f WHERE {_IN_PERIOD}
             ORDER BY f.visit_date DESC, f.id DESC LIMIT 1) AS latest_at_target{last}
        FROM enrollment e WHERE e.program = :program AND e.enrolled_on <= :as_of
          AND (e.exited_on IS NULL OR e.exited_on >= :start))"""


def managed_days_sql(session: Session) -> str:
    """Days, both ends counted, from the later of enrollment and period start to the earlier
    of exit and as_of."""
    first = "CASE WHEN e.enrolled_on > :start THEN e.enrolled_on ELSE :start END"
    last = ("CASE WHEN e.exited_on IS NOT NULL AND e.exited_on < :as_of THEN e.exited_on "
            "ELSE :as_of END")
    return f"({days_sql(session, last, first)} + 1)"


def required_from(days: str) -> str:
    """rules.required_followups in integer SQL, for d ≥ 1 days managed: at least 1, then
    ceil((4d − slack) / 365) (tests/kpi/test_required_sql.py holds the two together)."""
    slack = int(4 * REQUIRED_SLACK_DAYS)
    return (f"(CASE WHEN 4 * {days} <= {365 + slack} THEN 1 "
            f"ELSE (4 * {days} - {slack} + 364) / 365 END)")


def required_sql(session: Session) -> str:
    return required_from(managed_days_sql(session))


def due_sql(session: Session, live: bool) -> str:
    """An enrollment's (`e`) due date on as_of. For today the live schedule is exact (it
    includes referral limits); for a past day it is rebuilt from the latest visit on or
    before it, or the first visit's limit after enrolling."""
    if live:
        return "e.next_due_date"
    return f"""COALESCE((SELECT f.next_due_date FROM follow_up f
                  WHERE f.enrollment_id = e.id AND f.visit_date <= :as_of
                  ORDER BY f.visit_date DESC, f.id DESC LIMIT 1),
                {_add_days(session, 'e.enrolled_on', FOLLOWUP.new_enrollment_due_days)})"""


# Active, not key by profile, and with an active hypertension or diabetes enrollment (`e` of
# resident `r`): key by disease alone (1), and contracted (2). Counted on one enrollment per
# resident (the hypertension one if both); 0 on every other enrollment.
KEY_BY_DISEASE = f"""CASE WHEN (e.exited_on IS NULL OR e.exited_on > :as_of)
    AND {ACTIVE_RESIDENT} AND NOT ({PROFILE_KEY})
    AND (e.program = 'hypertension' OR NOT EXISTS (
      SELECT 1 FROM enrollment h WHERE h.resident_id = r.id
        AND h.program = 'hypertension' AND h.enrolled_on <= :as_of
        AND (h.exited_on IS NULL OR h.exited_on > :as_of)))
    THEN CASE WHEN EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id
                             AND {ACTIVE_CONTRACT}) THEN 2 ELSE 1 END
    ELSE 0 END"""
CHRONIC_COLUMNS = ("managed", "standard", "controlled", "visits_required", "visits_done",
                   "visits")
PROGRAM_PREFIX = {"hypertension": "htn", "diabetes": "dm"}


def _by_program(found: pd.DataFrame, columns) -> list[pd.DataFrame]:
    """Each program's columns, prefixed htn_ / dm_, added up per index value."""
    return [found[found["program"] == program][list(columns)].groupby(level=0).sum()
            .add_prefix(prefix + "_") for program, prefix in PROGRAM_PREFIX.items()]


def chronic(session: Session, w: Window, live: bool) -> pd.DataFrame:
    """Hypertension and diabetes in one pass over their enrollments of the period: managed
    patients, those followed up as often as required, those at target; the enrollments
    active on as_of and those overdue; the key population by disease alone and its
    contracted part. Materialized, so that each patient's visits are looked up once (a
    subquery referred to several times would be evaluated at each reference)."""
    required = required_from("m.days")
    found = _frame(session, f"""
        WITH m AS MATERIALIZED (
          SELECT r.grid_id, e.program,
            CASE WHEN e.exited_on IS NULL OR e.exited_on > :as_of THEN 1 ELSE 0 END AS active,
            {due_sql(session, live)} AS due,
            {managed_days_sql(session)} AS days,
            (SELECT COUNT(*) FROM follow_up f WHERE {_IN_PERIOD}) AS n,
            (SELECT f.at_target FROM follow_up f WHERE {_IN_PERIOD}
               ORDER BY f.visit_date DESC, f.id DESC LIMIT 1) AS latest_at_target,
            {KEY_BY_DISEASE} AS key_case
          FROM enrollment e JOIN resident r ON r.id = e.resident_id
          WHERE r.grid_id IN :grids AND e.program IN ('hypertension', 'diabetes')
            AND e.enrolled_on <= :as_of AND (e.exited_on IS NULL OR e.exited_on >= :start))
        SELECT m.grid_id, m.program, m.key_case, COUNT(*) AS managed,
          SUM(CASE WHEN m.n >= {required} THEN 1 ELSE 0 END) AS standard,
          SUM(CASE WHEN m.latest_at_target THEN 1 ELSE 0 END) AS controlled,
          SUM({required}) AS visits_required,
          SUM(CASE WHEN m.n < {required} THEN m.n ELSE {required} END) AS visits_done,
          SUM(m.n) AS visits,
          SUM(m.active) AS chronic_active,
          SUM(CASE WHEN m.active = 1 AND m.due < :as_of THEN 1 ELSE 0 END) AS chronic_overdue
        FROM m GROUP BY m.grid_id, m.program, m.key_case""", w.params())
    both = pd.DataFrame({
        "chronic_active": found["chronic_active"], "chronic_overdue": found["chronic_overdue"],
        "key_by_disease": found["managed"].where(found["key_case"] > 0, 0),
        "key_contracted_by_disease": found["managed"].where(found["key_case"] == 2, 0),
    }).groupby(level=0).sum()
    return pd.concat(_by_program(found, CHRONIC_COLUMNS) + [both], axis=1)


def elderly_checked(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(DISTINCT r.id) AS elderly_checked
        FROM elderly_check c JOIN enrollment e ON e.id = c.enrollment_id
        JOIN resident r ON r.id = e.resident_id
        WHERE r.grid_id IN :grids AND c.check_date BETWEEN :start AND :as_of
          AND r.birth_date <= :born_elderly AND {ACTIVE_RESIDENT}
        GROUP BY r.grid_id""", w.params())


ACTIVE_CHRONIC = ("e.program IN ('hypertension', 'diabetes') AND e.enrolled_on <= :as_of "
                  "AND (e.exited_on IS NULL OR e.exited_on > :as_of)")


def _add_days(session: Session, column: str, days: int) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"({column} + {days})"
    return f"date({column}, '+{days} days')"


# The survey responses `s` in the window, and what the awareness and satisfaction rates count.
SURVEY_COUNTS = f"""COUNT(*) AS responses,
          SUM(CASE WHEN s.aware THEN 1 ELSE 0 END) AS aware,
          SUM(CASE WHEN s.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated,
          SUM(CASE WHEN s.satisfaction >= {SATISFIED_FROM} THEN 1 ELSE 0 END) AS satisfied
        FROM survey_response s WHERE s.grid_id IN :grids AND s.date BETWEEN :start AND :as_of"""


def surveys(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, f"""
        SELECT s.grid_id, {SURVEY_COUNTS}
        GROUP BY s.grid_id""", w.params())


def down_referrals(session: Session, w: Window, institution_id: int | None) -> pd.DataFrame:
    """Down referrals received in the period, and those visited in time, per grid of
    the patient's archive; grid_id 0 holds the centre's referrals of people with no archive
    here yet (they count for the centre only)."""
    days = days_sql(session, "d.visited_on", "d.referred_on")
    return _frame(session, f"""
        SELECT COALESCE(r.grid_id, 0) AS grid_id, COUNT(*) AS down_received,
          SUM(CASE WHEN d.visited_on IS NOT NULL AND d.visited_on <= :as_of
                   AND {days} <= {REFERRAL.down_visit_days} THEN 1 ELSE 0 END) AS down_visited
        FROM referral d LEFT JOIN resident r ON r.id = d.resident_id
        WHERE d.direction = 'down' AND d.referred_on BETWEEN :start AND :as_of
          AND d.status NOT IN ('cancelled', 'rejected')
          AND (r.grid_id IN :grids OR (r.id IS NULL AND d.to_institution_id = :institution))
        GROUP BY COALESCE(r.grid_id, 0)""", {**w.params(), "institution": institution_id or -1})


def provided_items(session: Session, w: Window, team_ids: list[int]) -> pd.DataFrame:
    """(team_id, item) pairs with at least one record in the period, for the records kept by
    team (archives, visits and checks are read off the per-grid counts: services.py)."""
    return _frame(session, """
        SELECT t.id AS team_id, 'contract' AS item FROM team t
          WHERE t.id IN :teams AND EXISTS (SELECT 1 FROM contract c
            WHERE c.team_id = t.id AND c.start_date BETWEEN :start AND :as_of)
        UNION SELECT s.team_id, s.kind FROM service_record s
          WHERE s.team_id IN :teams AND s.date BETWEEN :start AND :as_of
          GROUP BY s.team_id, s.kind
        UNION SELECT COALESCE(x.from_team_id, x.assigned_team_id), 'referral' FROM referral x
          WHERE x.referred_on BETWEEN :start AND :as_of
            AND COALESCE(x.from_team_id, x.assigned_team_id) IN :teams
          GROUP BY COALESCE(x.from_team_id, x.assigned_team_id)
    """, {**w.params(), "teams": list(team_ids) or [-1]})


def grid_events(session: Session, w: Window) -> pd.DataFrame:
    """Grid events per grid: reported in the period; closed in the period, of them closed by
    their deadline, and their days from report to closure; and those open and past their
    deadline on as_of. Not one of the 17 indicators: a figure set of its own."""
    closed = "e.closed_on BETWEEN :start AND :as_of"
    days = days_sql(session, "e.closed_on", "e.reported_on")
    return _frame(session, f"""
        SELECT e.grid_id,
          SUM(CASE WHEN e.reported_on >= :start THEN 1 ELSE 0 END) AS events_reported,
          SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS events_closed,
          SUM(CASE WHEN {closed} AND (e.deadline IS NULL OR e.closed_on <= e.deadline)
              THEN 1 ELSE 0 END) AS events_on_time,
          SUM(CASE WHEN {closed} THEN {days} ELSE 0 END) AS events_close_days,
          SUM(CASE WHEN (e.closed_on IS NULL OR e.closed_on > :as_of) AND e.deadline < :as_of
              THEN 1 ELSE 0 END) AS events_overdue
        FROM grid_event e
        WHERE e.grid_id IN :grids AND e.reported_on <= :as_of
          AND (e.closed_on IS NULL OR e.closed_on >= :start)
        GROUP BY e.grid_id""", w.params())


def grid_jobs(w: Window, live: bool, institution_id: int | None) -> list:
    """The grid-level counting queries, as jobs taking a session; longest first (they may
    run side by side: concurrent_reads)."""
    return [partial(chronic, w=w, live=live), partial(contracts, w=w),
            partial(archive_usage, w=w), partial(residents, w=w),
            partial(elderly_checked, w=w), partial(households, w=w),
            partial(down_referrals, w=w, institution_id=institution_id),
            partial(archived, w=w), partial(surveys, w=w)]


def per_grid(frames: list[pd.DataFrame], w: Window) -> pd.DataFrame:
    """The grid jobs' results in one frame, one row per grid (row 0: the centre's down
    referrals of people without an archive here)."""
    counts = pd.concat(frames, axis=1).fillna(0).astype("int64")
    counts = counts.reindex(sorted(set(w.grids) | {0}), fill_value=0)
    counts["key_pop"] = counts.pop("key_by_profile") + counts.pop("key_by_disease")
    counts["key_contracted"] = (counts.pop("key_contracted_by_profile")
                                + counts.pop("key_contracted_by_disease"))
    return counts


def _month(session: Session, column: str) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"


def monthly(session: Session, w: Window) -> pd.DataFrame:
    """Per month: survey counts and visits at target by program."""
    month_s, month_f = _month(session, "s.date"), _month(session, "f.visit_date")
    surveys_by_month = _frame(session, f"""
        SELECT {month_s} AS month, {SURVEY_COUNTS}
        GROUP BY {month_s}""", w.params())
    # The scope's enrollments first, then their visits through the (enrollment, date) index:
    # a third of the time of looking up each visit's enrollment and resident.
    visits = _frame(session, f"""
        WITH e AS MATERIALIZED (
          SELECT e.id, e.program FROM enrollment e JOIN resident r ON r.id = e.resident_id
          WHERE r.grid_id IN :grids AND e.program IN ('hypertension', 'diabetes'))
        SELECT {month_f} AS month, e.program, COUNT(*) AS visits,
          SUM(CASE WHEN f.at_target THEN 1 ELSE 0 END) AS at_target
        FROM e JOIN follow_up f ON f.enrollment_id = e.id
        WHERE f.visit_date BETWEEN :start AND :as_of
        GROUP BY {month_f}, e.program""", w.params())
    visits_by_month = pd.concat(_by_program(visits.set_index("month"), ("visits", "at_target")),
                                axis=1)
    frames = [f for f in (surveys_by_month.set_index("month"), visits_by_month) if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1).fillna(0).astype("int64").sort_index()
