"""Writing a validated sheet: archive numbers drawn per community, then households and
residents with bulk inserts."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, text

from healthgrid.clock import utcnow
from healthgrid.extensions import db
from healthgrid.org.models import Community, Institution

from .. import rules
from ..models import Household, Resident
from .report import Progress, Rejected
from .validation import Plan

_INSERT_BATCH = 5_000


_RESIDENT_DEFAULTS = {name: None for name in (
    "id_number", "phone", "relation_to_head", "ethnicity", "blood_type", "payment_type",
    "allergies", "past_history", "family_history", "disability", "status_date",
    "workplace", "contact_name", "contact_phone", "rh", "education", "occupation",
    "marital_status", "payment_types", "payment_other", "drug_allergies", "exposures",
    "hereditary", "hereditary_name", "disabilities", "kitchen", "fuel", "fuel_other", "water",
    "water_other", "toilet", "livestock")} | {
    "residence_type": "registered", "archive_medium": "electronic", "pregnant": False,
    "severe_mental_illness": False, "disabled": False}


def _draw_archive_numbers(plan: Plan) -> dict[int, tuple[tuple[str, str, str], int]]:
    """Lock each community's row once and move its sequence past this file's residents:
    {community id: ((county, township, community codes), last sequence before the file)}."""
    communities = list(db.session.scalars(
        select(Community).where(Community.id.in_(sorted(plan.communities)))
        .with_for_update().execution_options(populate_existing=True)))
    institutions = {i.id: i for i in db.session.scalars(select(Institution).where(
        Institution.id.in_(sorted({c.institution_id for c in communities}))))}
    drawn = {}
    for community in communities:
        count = plan.communities[community.id]
        if community.archive_seq + count > 99999:  # numbers were drawn since validation
            raise Rejected(_l("The archive numbers of a community ran out while importing; "
                               "nothing was imported."))
        institution = institutions[community.institution_id]
        drawn[community.id] = ((institution.county_code, institution.township_code,
                                community.code), community.archive_seq)
        community.archive_seq += count
    db.session.flush()
    return drawn


def _reserve_ids(table, count: int) -> list[int]:
    """Ids for `count` new rows of `table`, known before inserting them, so that the rows
    go in with a plain executemany: RETURNING with rows in parameter order makes SQLAlchemy
    insert one row per statement on SQLite. PostgreSQL draws them from the table's sequence
    (safe beside concurrent inserts); SQLite numbers after the largest id, which is safe
    because this transaction already holds the database's write lock (it has updated the
    communities' archive sequences)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)"), {"table": table.name, "count": count}))
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _insert(table, rows: list[dict], progress: Progress | None, done: int, total: int) -> None:
    statement = insert(table)
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = rows[start:start + _INSERT_BATCH]
        db.session.execute(statement, batch)
        if progress:
            progress("write", done + start + len(batch), total)


@contextmanager
def roomy_sqlite_cache():
    """SQLite's 2 MB page cache thrashes on the resident indexes that 100,000 rows with
    random keys (ID numbers, names, phones) touch all over; give this import 256 MB at most
    (used only as pages are read), then give the pooled connection its setting back."""
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = int(db.session.execute(text("PRAGMA cache_size")).scalar())
    db.session.execute(text("PRAGMA cache_size = -262144"))
    try:
        yield
    finally:
        db.session.execute(text(f"PRAGMA cache_size = {before}"))


def write(plan: Plan, day: date, progress: Progress | None) -> tuple[int, list[int]]:
    total = len(plan.households) + len(plan.residents)
    if progress:
        progress("write", 0, total)
    drawn = _draw_archive_numbers(plan)
    sequence = {community_id: seq for community_id, (_codes, seq) in drawn.items()}
    now = utcnow()
    first_name: dict[str, str] = {}
    head_name: dict[str, str] = {}
    for _row, key, data in plan.residents:
        first_name.setdefault(key, data["name"])
        if data.get("relation_to_head") == "head":
            head_name.setdefault(key, data["name"])
    keys = list(plan.households)
    household_ids = dict(zip(keys, _reserve_ids(Household.__table__, len(keys))))
    household_rows = [{"id": household_ids[key], "grid_id": h.grid.id,
                       "address": h.data["address"],
                       "head_name": head_name.get(key) or first_name.get(key),
                       "phone": h.data.get("phone"), "active": True, "created_at": now}
                      for key, h in ((k, plan.households[k]) for k in keys)]
    _insert(Household.__table__, household_rows, progress, 0, total)
    resident_ids = _reserve_ids(Resident.__table__, len(plan.residents))
    search_keys, archive_number = rules.search_keys, rules.archive_number
    resident_rows = []
    for resident_id, (_row, key, data) in zip(resident_ids, plan.residents):
        grid = plan.households[key].grid
        sequence[grid.community_id] += 1
        codes = drawn[grid.community_id][0]
        resident_rows.append({
            **_RESIDENT_DEFAULTS, **data, "id": resident_id, "household_id": household_ids[key],
            "grid_id": grid.id,
            "archive_no": archive_number(*codes, sequence[grid.community_id]),
            **search_keys(data["name"], data.get("phone"), data.get("id_number")),
            "status": "active", "created_on": day,
            "created_at": now, "updated_at": now, "version": 1})
    _insert(Resident.__table__, resident_rows, progress, len(household_rows), total)
    return len(household_rows), resident_ids
