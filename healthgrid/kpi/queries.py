"""The counting queries behind the indicators: one grouped query per record kind, each
answering per grid, so that every scope is a sum of grid rows (RULES.md §6).

Written as SQL on purpose: these are the formulas, and they must run the same on SQLite
and PostgreSQL. Only the day difference is spelled differently."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from healthgrid.records.rules import latest_birth_date_for_age



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
            "born_65": latest_birth_date_for_age(self.as_of, 65),
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
KEY_POPULATION = ("(r.birth_date <= :born_65 OR r.birth_date > :born_7 OR r.pregnant "
                  "OR r.severe_mental_illness OR r.disabled OR ch.resident_id IS NOT NULL)")


def _frame(session: Session, sql: str, params: dict) -> pd.DataFrame:
    statement = text(sql)
    if ":grids" in sql:
        statement = statement.bindparams(bindparam("grids", expanding=True))
    result = session.execute(statement, params)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return frame.set_index("grid_id") if "grid_id" in frame else frame


def residents(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, f"""
        SELECT r.grid_id,
          SUM(CASE WHEN {ACTIVE_RESIDENT} THEN 1 ELSE 0 END) AS residents,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.archive_medium = 'electronic'
              THEN 1 ELSE 0 END) AS e_archives,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.birth_date <= :born_65 THEN 1 ELSE 0 END)
              AS elderly,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND {KEY_POPULATION} THEN 1 ELSE 0 END) AS key_pop,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.pregnant THEN 1 ELSE 0 END) AS pregnant,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.birth_date > :born_7 AND r.birth_date <= :as_of
              THEN 1 ELSE 0 END) AS children,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.severe_mental_illness THEN 1 ELSE 0 END) AS smi,
          SUM(CASE WHEN {ACTIVE_RESIDENT} AND r.disabled THEN 1 ELSE 0 END) AS disabled,
          SUM(CASE WHEN r.created_on >= :start THEN 1 ELSE 0 END) AS archived_in_period
        FROM resident r LEFT JOIN {CHRONIC_ON_AS_OF} ch ON ch.resident_id = r.id
        WHERE r.grid_id IN :grids AND r.created_on <= :as_of
        GROUP BY r.grid_id""", w.params())


def contracts(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(DISTINCT r.id) AS contracted,
          COUNT(DISTINCT CASE WHEN {KEY_POPULATION} THEN r.id END) AS key_contracted
        FROM contract c JOIN resident r ON r.id = c.resident_id
        LEFT JOIN {CHRONIC_ON_AS_OF} ch ON ch.resident_id = r.id
        WHERE r.grid_id IN :grids AND c.start_date <= :as_of
          AND COALESCE(c.terminated_on, c.end_date) >= :as_of AND {ACTIVE_RESIDENT}
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


def required_sql(session: Session) -> str:
    """rules.required_followups in integer SQL: at least 1, then ceil((4d − 6) / 365), d the
    days from the later of enrollment and period start to the earlier of exit and as_of."""
    first = "CASE WHEN e.enrolled_on > :start THEN e.enrolled_on ELSE :start END"
    last = ("CASE WHEN e.exited_on IS NOT NULL AND e.exited_on < :as_of THEN e.exited_on "
            "ELSE :as_of END")
    days = days_sql(session, last, first) + " + 1"
    return f"(CASE WHEN 4 * ({days}) <= 371 THEN 1 ELSE (4 * ({days}) - 6 + 364) / 365 END)"


def chronic(session: Session, w: Window, program: str) -> pd.DataFrame:
    """Managed patients, those followed up as often as required, those at target."""
    required = required_sql(session)
    prefix = "htn" if program == "hypertension" else "dm"
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(*) AS {prefix}_managed,
          SUM(CASE WHEN e.n >= {required} THEN 1 ELSE 0 END) AS {prefix}_standard,
          SUM(CASE WHEN e.latest_at_target THEN 1 ELSE 0 END) AS {prefix}_controlled,
          SUM({required}) AS {prefix}_visits_required,
          SUM(CASE WHEN e.n < {required} THEN e.n ELSE {required} END) AS {prefix}_visits_done,
          SUM(e.n) AS {prefix}_visits
        FROM {managed_sql()} e JOIN resident r ON r.id = e.resident_id
        WHERE r.grid_id IN :grids
        GROUP BY r.grid_id""", {**w.params(), "program": program})


def elderly_checked(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(DISTINCT r.id) AS elderly_checked
        FROM elderly_check c JOIN enrollment e ON e.id = c.enrollment_id
        JOIN resident r ON r.id = e.resident_id
        WHERE r.grid_id IN :grids AND c.check_date BETWEEN :start AND :as_of
          AND r.birth_date <= :born_65 AND {ACTIVE_RESIDENT}
        GROUP BY r.grid_id""", w.params())


ACTIVE_CHRONIC = ("e.program IN ('hypertension', 'diabetes') AND e.enrolled_on <= :as_of "
                  "AND (e.exited_on IS NULL OR e.exited_on > :as_of)")


def overdue_source(session: Session, live: bool) -> tuple[str, str]:
    """(FROM clause giving `e`, the due-date expression) for due dates on as_of. For today
    the live schedule is exact (it includes referral limits); for a past day the due date
    is rebuilt from the latest visit on or before it."""
    if live:
        return "enrollment e", "e.next_due_date"
    source = f"""(SELECT e.*, {_add_days(session, 'e.enrolled_on', 14)} AS first_due
                  FROM enrollment e) e
        LEFT JOIN (SELECT f.enrollment_id, f.next_due_date, ROW_NUMBER() OVER (
                     PARTITION BY f.enrollment_id ORDER BY f.visit_date DESC, f.id DESC) AS rn
                   FROM follow_up f WHERE f.visit_date <= :as_of) v
          ON v.enrollment_id = e.id AND v.rn = 1"""
    return source, "COALESCE(v.next_due_date, e.first_due)"


def overdue(session: Session, w: Window, live: bool) -> pd.DataFrame:
    """Active hypertension/diabetes enrollments on as_of and those overdue then."""
    source, due = overdue_source(session, live)
    return _frame(session, f"""
        SELECT r.grid_id, COUNT(*) AS chronic_active,
          SUM(CASE WHEN {due} < :as_of THEN 1 ELSE 0 END) AS chronic_overdue
        FROM {source} JOIN resident r ON r.id = e.resident_id
        WHERE r.grid_id IN :grids AND {ACTIVE_CHRONIC}
        GROUP BY r.grid_id""", w.params())


def _add_days(session: Session, column: str, days: int) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"({column} + {days})"
    return f"date({column}, '+{days} days')"


def surveys(session: Session, w: Window) -> pd.DataFrame:
    return _frame(session, """
        SELECT s.grid_id, COUNT(*) AS responses,
          SUM(CASE WHEN s.aware THEN 1 ELSE 0 END) AS aware,
          SUM(CASE WHEN s.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated,
          SUM(CASE WHEN s.satisfaction >= 4 THEN 1 ELSE 0 END) AS satisfied
        FROM survey_response s WHERE s.grid_id IN :grids AND s.date BETWEEN :start AND :as_of
        GROUP BY s.grid_id""", w.params())


def down_referrals(session: Session, w: Window, institution_id: int | None) -> pd.DataFrame:
    """Down referrals received in the period, and those visited within 14 days, per grid of
    the patient's archive; grid_id 0 holds the centre's referrals of people with no archive
    here yet (they count for the centre only)."""
    days = days_sql(session, "d.visited_on", "d.referred_on")
    return _frame(session, f"""
        SELECT COALESCE(r.grid_id, 0) AS grid_id, COUNT(*) AS down_received,
          SUM(CASE WHEN d.visited_on IS NOT NULL AND d.visited_on <= :as_of
                   AND {days} <= 14 THEN 1 ELSE 0 END) AS down_visited
        FROM referral d LEFT JOIN resident r ON r.id = d.resident_id
        WHERE d.direction = 'down' AND d.referred_on BETWEEN :start AND :as_of
          AND d.status NOT IN ('cancelled', 'rejected')
          AND (r.grid_id IN :grids OR (r.id IS NULL AND d.to_institution_id = :institution))
        GROUP BY COALESCE(r.grid_id, 0)""", {**w.params(), "institution": institution_id or -1})


def provided_items(session: Session, w: Window, team_ids: list[int]) -> pd.DataFrame:
    """(team_id, item) pairs with at least one record in the period, for the records kept by
    team (archives, visits and checks are read off the per-grid counts: services.py)."""
    statement = text("""
        SELECT c.team_id, 'contract' AS item FROM contract c
          WHERE c.start_date BETWEEN :start AND :as_of GROUP BY c.team_id
        UNION SELECT s.team_id, s.kind FROM service_record s
          WHERE s.date BETWEEN :start AND :as_of GROUP BY s.team_id, s.kind
        UNION SELECT COALESCE(x.from_team_id, x.assigned_team_id), 'referral' FROM referral x
          WHERE x.referred_on BETWEEN :start AND :as_of
            AND COALESCE(x.from_team_id, x.assigned_team_id) IS NOT NULL
          GROUP BY COALESCE(x.from_team_id, x.assigned_team_id)
    """)
    result = session.execute(statement, w.params())
    frame = pd.DataFrame(result.fetchall(), columns=["team_id", "item"])
    return frame[frame["team_id"].isin(team_ids)]


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


GRID_QUERIES = (residents, contracts, households, archive_usage, elderly_checked, surveys)


def per_grid(session: Session, w: Window, live: bool,
             institution_id: int | None) -> pd.DataFrame:
    """All grid-level counts in one frame, one row per grid (row 0: the centre's down
    referrals of people without an archive here)."""
    frames = [query(session, w) for query in GRID_QUERIES]
    frames += [chronic(session, w, "hypertension"), chronic(session, w, "diabetes"),
               overdue(session, w, live), down_referrals(session, w, institution_id)]
    counts = pd.concat(frames, axis=1).fillna(0).astype("int64")
    return counts.reindex(sorted(set(w.grids) | {0}), fill_value=0)


def _month(session: Session, column: str) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%Y-%m', {column})"


def monthly(session: Session, w: Window) -> pd.DataFrame:
    """Per month: survey counts and visits at target by program."""
    month_s, month_f = _month(session, "s.date"), _month(session, "f.visit_date")
    surveys_by_month = _frame(session, f"""
        SELECT {month_s} AS month, COUNT(*) AS responses,
          SUM(CASE WHEN s.aware THEN 1 ELSE 0 END) AS aware,
          SUM(CASE WHEN s.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated,
          SUM(CASE WHEN s.satisfaction >= 4 THEN 1 ELSE 0 END) AS satisfied
        FROM survey_response s WHERE s.grid_id IN :grids AND s.date BETWEEN :start AND :as_of
        GROUP BY {month_s}""", w.params())
    visits_by_month = _frame(session, f"""
        SELECT {month_f} AS month,
          SUM(CASE WHEN e.program = 'hypertension' THEN 1 ELSE 0 END) AS htn_visits,
          SUM(CASE WHEN e.program = 'hypertension' AND f.at_target THEN 1 ELSE 0 END)
              AS htn_at_target,
          SUM(CASE WHEN e.program = 'diabetes' THEN 1 ELSE 0 END) AS dm_visits,
          SUM(CASE WHEN e.program = 'diabetes' AND f.at_target THEN 1 ELSE 0 END)
              AS dm_at_target
        FROM follow_up f JOIN enrollment e ON e.id = f.enrollment_id
        JOIN resident r ON r.id = e.resident_id
        WHERE r.grid_id IN :grids AND f.visit_date BETWEEN :start AND :as_of
        GROUP BY {month_f}""", w.params())
    frames = [f.set_index("month") for f in (surveys_by_month, visits_by_month) if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1).fillna(0).astype("int64").sort_index()
