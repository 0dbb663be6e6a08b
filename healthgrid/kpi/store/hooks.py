"""Keeping the store in step with the records, in the transaction that changes them.

Every write through the ORM session (every service, page and API handler) is seen by
session events. Before each flush, the *units* its changes touch (a resident with all their
records, a household, a survey answer, and a contract, service record or referral for its
team) are read as the database holds them, once per transaction: their "old" state. Before
the commit (or before the store is read within the same transaction), they are read again
and the difference of their deltas is added to the bucket rows (maintain.add).

A change also says from which day on it can alter anything (`since`): a follow-up dated
3 December changes nothing counted before 3 December (nor its next due date before that
date's day after). Old and new are both evaluated from that day on, so a write costs the
periods and days it can reach, not the resident's whole history (facts.resident_deltas).
Only the columns the store reads (load.py) matter: other changes touch no unit.

The pending units live on the DB-API connection's info, which every session using that
connection (and transaction) shares, and are dropped when the transaction ends or the
connection returns to the pool."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import Pool

from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp
from healthgrid.extensions import db
from healthgrid.records.models import Contract, Household, Resident, ServiceRecord
from healthgrid.referral.models import Referral
from healthgrid.surveys.models import SurveyResponse

from . import facts, load, maintain

PENDING = "kpi_store_pending"  # connection info: {unit: [old state, (since, periods since)]}
FULL = None  # since: the whole history

# Per class: the columns the store reads, each with the date columns of the same row that
# bound in time what its change can alter (() : nothing bounds it, recount the unit).
RELEVANT: dict[type, dict[str, tuple[str, ...]]] = {
    Resident: {"grid_id": (), "birth_date": (), "created_on": ("created_on",),
               "status": ("status_date",), "status_date": ("status_date",),
               "archive_medium": (), "pregnant": (), "severe_mental_illness": (),
               "disabled": ()},
    Enrollment: {"resident_id": (), "program": (), "enrolled_on": ("enrolled_on",),
                 "exited_on": ("exited_on",), "next_due_date": ("next_due_date",)},
    FollowUp: {"enrollment_id": (), "visit_date": ("visit_date",),
               "at_target": ("visit_date",), "next_due_date": ("next_due_date", "visit_date")},
    ElderlyCheck: {"enrollment_id": (), "check_date": ("check_date",)},
    Contract: {"resident_id": ("start_date",), "team_id": ("start_date",),
               "start_date": ("start_date",), "end_date": ("end_date", "start_date"),
               "terminated_on": ("terminated_on", "end_date", "start_date")},
    Referral: {name: ("referred_on", "visited_on") for name in (
        "direction", "status", "referred_on", "visited_on", "resident_id",
        "to_institution_id", "from_team_id", "assigned_team_id")},
    ServiceRecord: {name: ("date",) for name in ("resident_id", "date", "team_id", "kind")},
    Household: {name: () for name in ("grid_id", "active", "created_at")},
    SurveyResponse: {name: () for name in ("grid_id", "date", "aware", "satisfaction")},
}
# Changes that alter level measures only (the due dates: overdue on a day), not periods.
LEVEL_ONLY = {(Enrollment, "next_due_date"), (FollowUp, "next_due_date")}
OWN_UNIT = {Household: "h", SurveyResponse: "s", Contract: "c", ServiceRecord: "v",
            Referral: "x"}


def _history(obj, attribute: str) -> tuple[list, list]:
    """(values now, values before this flush's change) of a loaded attribute."""
    history = inspect(obj).attrs[attribute].history
    return [*history.added, *history.unchanged], list(history.deleted)


def _all_values(obj, attribute: str) -> set:
    now, before = _history(obj, attribute)
    return {v for v in (*now, *before) if v is not None}


def _since(obj, changed: list[str]):
    """(the earliest day the change of these columns can alter a level measure, the same
    for period measures): FULL when unbounded, date.max when none."""
    level, periods = [], []
    for name in changed:
        anchors = RELEVANT[type(obj)][name]
        if not anchors:
            return FULL
        for anchor in anchors:
            for value in _all_values(obj, anchor):
                day = value.date() if isinstance(value, datetime) else value
                day = day + facts.ONE_DAY if name == "end_date" and anchor == name else day
                level.append(day)
                if (type(obj), name) not in LEVEL_ONLY:
                    periods.append(day)
    if not level:
        return FULL
    return (min(level), min(periods, default=date.max))


def _changed(obj, state) -> list[str] | None:
    """The relevant columns this flush changes (all of them for a new or deleted row)."""
    if state.pending or state.deleted or obj in state.session.deleted:
        return list(RELEVANT[type(obj)])
    return [name for name in RELEVANT[type(obj)] if state.attrs[name].history.has_changes()]


def _residents_of(session: Session, obj) -> set:
    """The residents a record belongs to, now and before the change."""
    if isinstance(obj, Resident):
        return {obj.id} if obj.id is not None else set()
    if isinstance(obj, (FollowUp, ElderlyCheck)):
        found = set()
        enrollment = obj.__dict__.get("enrollment")
        if enrollment is not None and enrollment.resident_id is not None:
            found.add(enrollment.resident_id)
        ids = set()
        for enrollment_id in _all_values(obj, "enrollment_id"):
            held = session.identity_map.get(
                inspect(Enrollment).identity_key_from_primary_key((enrollment_id,)))
            if held is not None and not inspect(held).attrs.resident_id.history.has_changes():
                found.add(held.resident_id)
            else:
                ids.add(enrollment_id)
        if ids:
            found |= set(session.scalars(select(Enrollment.resident_id).where(
                Enrollment.id.in_(ids))))
        return found
    if isinstance(obj, (Enrollment, Contract, ServiceRecord, Referral)):
        found = _all_values(obj, "resident_id")
        resident = obj.__dict__.get("resident")
        if resident is not None and resident.id is not None:
            found.add(resident.id)
        return found
    return set()


def _pending(session: Session) -> dict:
    return session.connection().info.setdefault(PENDING, {})


def _note(pending: dict, session: Session, unit: tuple[str, int], since, is_new: bool) -> None:
    if unit in pending:
        entry = pending[unit]
        entry[1] = FULL if FULL in (entry[1], since) else (min(entry[1][0], since[0]),
                                                           min(entry[1][1], since[1]))
        return
    if is_new:
        old = None
    else:
        _lock(session, unit)
    if is_new:
        pass
    elif unit[0] == "r":
        old = next(iter(load.few_residents(session, [unit[1]])), None)
    else:
        old = load.unit_deltas(session, [unit])[unit]
    pending[unit] = [old, since]


def _lock(session: Session, unit: tuple[str, int]) -> None:
    """PostgreSQL: hold the unit's row until the commit, so that a concurrent writer of the
    same unit reads its old state after this one's change, not before (each would otherwise
    add the other's change too). SQLite writers take the database lock up front."""
    if session.get_bind().dialect.name == "postgresql":
        table = load.UNITS[unit[0]][1]
        session.execute(select(table.c.id).where(table.c.id == unit[1]).with_for_update())


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if type(obj) not in RELEVANT:
                continue
            state = inspect(obj)
            changed = _changed(obj, state)
            if not changed:
                continue
            pending = _pending(session)
            since = FULL if isinstance(obj, Resident) and state.pending else _since(obj, changed)
            pending.setdefault("_new_objects", [])
            if state.pending:
                pending["_new_objects"].append((obj, since))
            for resident_id in _residents_of(session, obj):
                _note(pending, session, ("r", resident_id), since, False)
            if not state.pending and type(obj) in OWN_UNIT:
                _note(pending, session, (OWN_UNIT[type(obj)], obj.id), since, False)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """New rows got their ids: their units (and a new resident's) had nothing before."""
    pending = session.connection().info.get(PENDING)
    if not pending or not pending.get("_new_objects"):
        return
    new_objects = pending.pop("_new_objects")
    new_objects.sort(key=lambda found: not isinstance(found[0], Resident))  # residents first
    for obj, since in new_objects:
        if type(obj) in OWN_UNIT:
            _note(pending, session, (OWN_UNIT[type(obj)], obj.id), since, True)
        if isinstance(obj, Resident):
            _note(pending, session, ("r", obj.id), FULL, True)
        else:
            for resident_id in _residents_of(session, obj):
                _note(pending, session, ("r", resident_id), since, False)


def sync(session: Session) -> None:
    """Add to the store what this transaction changed so far."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        return
    info = session.connection().info
    if not info.get(PENDING):
        return
    session.flush()
    pending = info.pop(PENDING, {})
    pending.pop("_new_objects", None)
    change: facts.Deltas = {}
    residents = {unit[1]: entry for unit, entry in pending.items() if unit[0] == "r"}
    if residents:
        now = {r.id: r for r in load.few_residents(session, list(residents))}
        for resident_id, (old, since) in residents.items():
            since = since or (None, None)
            new = facts.resident_deltas(now[resident_id], {}, *since) \
                if resident_id in now else {}
            before = facts.resident_deltas(old, {}, *since) if old is not None else {}
            facts.merge(change, facts.difference(new, before))
    others = [unit for unit in pending if unit[0] != "r"]
    if others:
        now = load.unit_deltas(session, others)
        for unit in others:
            facts.merge(change, facts.difference(now[unit], pending[unit][0] or {}))
    maintain.add(session, change)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    sync(session)


@event.listens_for(Pool, "checkin")
def _returned(_dbapi_connection, record) -> None:
    if record is not None:
        record.info.pop(PENDING, None)


@event.listens_for(Pool, "reset")
def _reset(_dbapi_connection, record, _reset_state) -> None:
    if record is not None:
        record.info.pop(PENDING, None)


def _imported(_sender, resident_ids: list[int], day=None, **_kw) -> None:
    session = db.session
    households = list(session.scalars(select(Resident.household_id).where(
        Resident.id.in_(resident_ids)).distinct())) if len(resident_ids) < 30_000 else list(
        session.scalars(select(Resident.household_id).where(
            Resident.id.between(min(resident_ids), max(resident_ids))).distinct()))
    maintain.add_new(session, resident_ids, households)


def connect() -> None:
    """Called once by the app factory: an Excel import inserts its households and residents
    in bulk (all new), which the session events do not see."""
    from healthgrid.records.imports import residents_imported
    residents_imported.connect(_imported, weak=False)
