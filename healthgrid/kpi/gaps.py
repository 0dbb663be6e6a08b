"""Each indicator opened into its gap: what is in the denominator but not the numerator.

The conditions are those of queries.py, negated, so that a gap list is exactly
denominator − numerator long; for overdue follow-ups, where lower is better, the gap is the
overdue patients themselves (a test checks every indicator)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from healthgrid.referral.rules import SETTINGS as REFERRAL

from . import queries
from .queries import ACTIVE_RESIDENT, CHRONIC_ON_AS_OF, KEY_POPULATION, Window

RESIDENT_COLUMNS = """r.id AS resident_id, r.name, r.sex, r.birth_date, r.phone, r.grid_id,
    g.name AS grid_name, t.name AS team_name"""
RESIDENT_JOINS = """JOIN grid g ON g.id = r.grid_id LEFT JOIN team t ON t.id = g.team_id"""

USED = queries.USED_RESIDENTS
CONTRACTED = """(SELECT resident_id FROM contract
    WHERE start_date <= :as_of AND COALESCE(terminated_on, end_date) >= :as_of)"""
CHECKED = """(SELECT e.resident_id FROM elderly_check c JOIN enrollment e ON e.id = c.enrollment_id
    WHERE c.check_date BETWEEN :start AND :as_of)"""

RESIDENT_GAPS = {
    "archive_usage": f"{ACTIVE_RESIDENT} AND r.id NOT IN {USED}",
    "contract_rate": f"{ACTIVE_RESIDENT} AND r.id NOT IN {CONTRACTED}",
    "key_contract_rate": f"{ACTIVE_RESIDENT} AND {KEY_POPULATION} AND r.id NOT IN {CONTRACTED}",
    "elderly_mgmt": f"{ACTIVE_RESIDENT} AND r.birth_date <= :born_elderly AND r.id NOT IN {CHECKED}",
}
PROGRAM_GAPS = {
    "htn_standard_mgmt": ("hypertension", "standard"), "htn_control": ("hypertension", "control"),
    "dm_standard_mgmt": ("diabetes", "standard"), "dm_control": ("diabetes", "control"),
}


def _run(session: Session, sql: str, params: dict, page: int, per_page: int):
    count = f"SELECT COUNT(*) FROM ({sql}) AS gap"
    total = session.execute(queries.statement(count, params), params).scalar()
    paged = {**params, "limit": per_page, "offset": (page - 1) * per_page}
    rows = session.execute(queries.statement(f"{sql} LIMIT :limit OFFSET :offset", paged),
                           paged).mappings().all()
    return [dict(row) for row in rows], total


def gap(session: Session, code: str, w: Window, institution_id: int, team_ids: list[int],
        live: bool, page: int = 1, per_page: int = 50,
        unattributed: bool = True) -> tuple[str, list[dict], int]:
    """(kind of rows, rows of the page, total). unattributed: the centre's down referrals of
    people with no archive here count (the indicator counts them at the centre's scope only)."""
    params = w.params()
    if code in RESIDENT_GAPS:
        sql = f"""SELECT {RESIDENT_COLUMNS} FROM resident r {RESIDENT_JOINS}
            LEFT JOIN {CHRONIC_ON_AS_OF} ch ON ch.resident_id = r.id
            WHERE r.grid_id IN :grids AND {RESIDENT_GAPS[code]}
            ORDER BY g.name, r.name, r.id"""
        return ("residents", *_run(session, sql, params, page, per_page))
    if code in PROGRAM_GAPS:
        program, part = PROGRAM_GAPS[code]
        required = queries.required_sql(session)
        condition = (f"e.n < {required}" if part == "standard"
                     else "(e.latest_at_target IS NULL OR NOT e.latest_at_target)")
        # The control gaps show the reading that missed the target (the period's latest).
        latest = "" if part == "standard" else "".join(
            f""", (SELECT f.{column} FROM follow_up f WHERE {queries.IN_PERIOD}
                 ORDER BY f.visit_date DESC, f.id DESC LIMIT 1) AS last_{column}"""
            for column in (("sbp", "dbp") if program == "hypertension" else ("fpg",)))
        sql = f"""SELECT {RESIDENT_COLUMNS}, e.id AS enrollment_id, e.last_visit,
              e.n AS visits, {required} AS required{latest}
            FROM {queries.managed_sql(with_last_visit=True)} e
            JOIN resident r ON r.id = e.resident_id {RESIDENT_JOINS}
            WHERE r.grid_id IN :grids AND {condition}
            ORDER BY g.name, r.name, r.id"""
        return ("patients", *_run(session, sql, {**params, "program": program}, page,
                                  per_page))
    if code == "followup_overdue":
        due = queries.due_sql(session, live)
        sql = f"""SELECT {RESIDENT_COLUMNS}, e.id AS enrollment_id, e.program,
              (SELECT MAX(f.visit_date) FROM follow_up f WHERE f.enrollment_id = e.id
                 AND f.visit_date <= :as_of) AS last_visit, {due} AS due_date
            FROM enrollment e JOIN resident r ON r.id = e.resident_id {RESIDENT_JOINS}
            WHERE r.grid_id IN :grids AND {queries.ACTIVE_CHRONIC} AND {due} < :as_of
            ORDER BY {due}, r.name"""
        return ("patients", *_run(session, sql, params, page, per_page))
    if code in ("archive_rate", "e_archive_rate"):
        medium = "AND r.archive_medium = 'electronic'" if code == "e_archive_rate" else ""
        sql = f"""SELECT g.id AS grid_id, g.name AS grid_name, t.name AS team_name,
              g.population, COUNT(r.id) AS archived, g.population - COUNT(r.id) AS missing
            FROM grid g LEFT JOIN team t ON t.id = g.team_id
            LEFT JOIN resident r ON r.grid_id = g.id AND {ACTIVE_RESIDENT} {medium}
            WHERE g.id IN :grids GROUP BY g.id, g.name, t.name, g.population
            HAVING g.population > COUNT(r.id) ORDER BY g.name"""
        return ("grids", *_run(session, sql, params, page, per_page))
    if code == "grid_coverage":
        sql = """SELECT g.id AS grid_id, g.name AS grid_name, t.name AS team_name,
              COUNT(h.id) AS households
            FROM grid g LEFT JOIN team t ON t.id = g.team_id
            JOIN household h ON h.grid_id = g.id AND h.active AND h.created_at < :as_of_end
            WHERE g.id IN :grids AND NOT EXISTS (
              SELECT 1 FROM team_membership m WHERE m.team_id = g.team_id
                AND m.start_date <= :as_of AND (m.end_date IS NULL OR m.end_date >= :as_of))
            GROUP BY g.id, g.name, t.name ORDER BY g.name"""
        return ("grids", *_run(session, sql, params, page, per_page))
    if code in ("awareness", "satisfaction"):
        condition = ("NOT s.aware" if code == "awareness"
                     else "s.satisfaction IS NOT NULL AND s.satisfaction < 4")
        sql = f"""SELECT s.id AS response_id, s.date, s.channel, s.aware, s.satisfaction, s.comment,
              g.name AS grid_name FROM survey_response s JOIN grid g ON g.id = s.grid_id
            WHERE s.grid_id IN :grids AND s.date BETWEEN :start AND :as_of AND {condition}
            ORDER BY s.date DESC, s.id"""
        return ("responses", *_run(session, sql, params, page, per_page))
    if code == "down_referral_visit":
        days = queries.days_sql(session, "d.visited_on", "d.referred_on")
        sql = f"""SELECT d.id AS referral_id, d.patient_name AS name, d.referred_on,
              d.visit_due_date, d.visited_on, g.name AS grid_name, t.name AS team_name
            FROM referral d LEFT JOIN resident r ON r.id = d.resident_id
            LEFT JOIN grid g ON g.id = r.grid_id LEFT JOIN team t ON t.id = d.assigned_team_id
            WHERE d.direction = 'down' AND d.referred_on BETWEEN :start AND :as_of
              AND d.status NOT IN ('cancelled', 'rejected')
              AND (r.grid_id IN :grids OR (r.id IS NULL AND d.to_institution_id = :institution))
              AND NOT (d.visited_on IS NOT NULL AND d.visited_on <= :as_of
                       AND {days} <= {REFERRAL.down_visit_days})
            ORDER BY d.referred_on, d.id"""
        queue = institution_id if unattributed else -1
        return ("referrals", *_run(session, sql, {**params, "institution": queue},
                                   page, per_page))
    if code == "staff_participation":
        sql = """SELECT s.id AS staff_id, s.name, s.title, s.phone FROM staff s
            WHERE s.institution_id = :institution AND s.is_medical AND s.active
              AND NOT EXISTS (SELECT 1 FROM team_membership m WHERE m.staff_id = s.id
                AND m.start_date <= :as_of AND (m.end_date IS NULL OR m.end_date >= :as_of))
            ORDER BY s.name"""
        return ("staff", *_run(session, sql, {**params, "institution": institution_id},
                               page, per_page))
    raise KeyError(code)


def service_gaps(required: dict[int, list[str]], provided: set[tuple[int, str]],
                 team_names: dict[int, str]) -> list[dict]:
    """The (team, item) pairs required but not provided."""
    return [{"team_id": team_id, "team_name": team_names.get(team_id, ""), "item": item}
            for team_id, items in sorted(required.items()) for item in items
            if (team_id, item) not in provided]

