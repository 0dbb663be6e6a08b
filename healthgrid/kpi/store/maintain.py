"""Keeping the store in step with the records, in the transaction that changes them.

Any write through the ORM session (every service, page and API handler) is seen by session
events: before a flush, the units it touches (a resident with all their records, a
household, a survey response, a contract, a service record, a referral) are read as the
database holds them (their "old" deltas); after the flush, they are read again and the
difference is added to the bucket rows, by the same flush: whoever sees the records sees
the store that counts them. Bulk
writers (the demo, the Excel import) insert with Core, which the events do not see: they
call rebuild() or refresh_residents() before committing."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, event, inspect, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp
from healthgrid.extensions import db
from healthgrid.records.models import Contract, Household, Resident, ServiceRecord
from healthgrid.referral.models import Referral
from healthgrid.surveys.models import SurveyResponse

from ..models import KpiLevelFact, KpiPeriodFact
from . import facts, load

PENDING = "kpi_store"  # session.info key, during a flush: {"old": {unit: deltas}, "new_objects"}
LEVEL, PERIOD = KpiLevelFact.__table__, KpiPeriodFact.__table__
TRACKED = (Resident, Household, Enrollment, FollowUp, ElderlyCheck, Contract, ServiceRecord,
           Referral, SurveyResponse)
OWN_UNIT = {Resident: "r", Household: "h", SurveyResponse: "s", Contract: "c",
            ServiceRecord: "v", Referral: "x"}


def _values(obj, attribute: str) -> set:
    """The attribute's value now and before this flush's changes (a referral given an
    archive, a record moved to another person: both people change)."""
    history = inspect(obj).attrs[attribute].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


def _enrollment_residents(session: Session, obj) -> set:
    ids = _values(obj, "enrollment_id")
    found = set()
    for enrollment_id in ids:
        held = session.identity_map.get(inspect(Enrollment).identity_key_from_primary_key(
            (enrollment_id,)))
        found |= (_values(held, "resident_id") if held is not None else
                  {session.execute(select(Enrollment.resident_id).where(
                      Enrollment.id == enrollment_id)).scalar()})
    enrollment = obj.__dict__.get("enrollment")
    if enrollment is not None:
        found |= _values(enrollment, "resident_id")
        if enrollment.__dict__.get("resident") is not None:
            found.add(enrollment.resident.id)
    return {r for r in found if r is not None}


def units_of(session: Session, obj) -> tuple[set, bool]:
    """(units the object's change touches, whether some are not known yet: new rows get
    their ids at the flush)."""
    units, unknown = set(), False
    kind = OWN_UNIT.get(type(obj))
    if kind:
        if obj.id is None:
            unknown = True
        else:
            units.add((kind, obj.id))
    if isinstance(obj, (FollowUp, ElderlyCheck)):
        residents = _enrollment_residents(session, obj)
    elif isinstance(obj, (Enrollment, Contract, ServiceRecord, Referral)):
        residents = _values(obj, "resident_id")
        if "resident" in obj.__dict__ and obj.__dict__["resident"] is not None:
            if obj.__dict__["resident"].id is None:
                unknown = True
            else:
                residents.add(obj.__dict__["resident"].id)
    else:
        residents = set()
    units |= {("r", r) for r in residents}
    return units, unknown


def _pending(session: Session) -> dict:
    return session.info.setdefault(PENDING, {"old": {}, "new_objects": []})


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    pending = None
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if not isinstance(obj, TRACKED):
                continue
            pending = pending or _pending(session)
            units, unknown = units_of(session, obj)
            if unknown:
                pending["new_objects"].append(obj)
            fresh = [u for u in units if u not in pending["old"]]
            pending["old"].update(load.unit_deltas(session, fresh))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """The units again, as the flush left them: the difference goes into the store, in the
    flush's own transaction. Rows new in this flush had nothing before it."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    for obj in pending["new_objects"]:
        for unit in units_of(session, obj)[0]:
            pending["old"].setdefault(unit, {})
    if not pending["old"]:
        return
    new = load.unit_deltas(session, pending["old"])
    change: facts.Deltas = {}
    for unit, old in pending["old"].items():
        facts.merge(change, facts.difference(new[unit], old))
    add(session, change)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous) -> None:
    session.info.pop(PENDING, None)


def bucket_rows(deltas: facts.Deltas) -> tuple[dict, dict]:
    """Deltas by day → sums per bucket row of each table, keyed by the row's primary key."""
    level, period = {}, {}
    for (owner_kind, owner_id, span, start, day), row in deltas.items():
        for grain, bucket in facts.buckets(day):
            if span == "L":
                target = level.setdefault((grain, bucket, owner_id), {})
            else:
                target = period.setdefault((span, start, grain, bucket, owner_kind, owner_id),
                                           {})
            for measure, n in row.items():
                target[measure] = target.get(measure, 0) + n
    return level, period


ZEROS = [0] * len(facts.PERIOD_MEASURES)
LEVEL_KEY = ("grain", "bucket", "grid_id")
PERIOD_KEY = ("span", "period_start", "grain", "bucket", "owner_kind", "owner_id")


def add(session: Session, deltas: facts.Deltas) -> None:
    """Add deltas to the bucket rows (created at zero when missing). Rows are written in
    key order, so that concurrent writers lock them in the same order."""
    level, period = bucket_rows(deltas)
    for table, keys, measures, rows in ((LEVEL, LEVEL_KEY, facts.LEVEL_MEASURES, level),
                                        (PERIOD, PERIOD_KEY, facts.PERIOD_MEASURES, period)):
        if not rows:
            continue
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={m: table.c[m] + statement.excluded[m] for m in measures})
        session.execute(statement, [
            {**dict(zip(keys, key)), **{m: row.get(m, 0) for m in measures}}
            for key, row in sorted(rows.items())])


def _insert(session: Session, deltas: facts.Deltas) -> None:
    """Bucket rows into empty tables: PostgreSQL's COPY, SQLite's executemany of tuples
    (SQLAlchemy's per-row processing would take longer than computing the rows)."""
    level, period = bucket_rows(deltas)
    for table, keys, measures, rows in ((LEVEL, LEVEL_KEY, facts.LEVEL_MEASURES, level),
                                        (PERIOD, PERIOD_KEY, facts.PERIOD_MEASURES, period)):
        columns = (*keys, *measures)
        text_dates = session.get_bind().dialect.name != "postgresql"
        tuples = [(*(k.isoformat() if text_dates and isinstance(k, date) else k for k in key),
                   *map(row.get, measures, ZEROS)) for key, row in rows.items()]
        cursor = session.connection().connection.driver_connection.cursor()
        if not text_dates:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in tuples:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})", tuples)


def rebuild(session: Session, batch: int = 20_000, progress=None) -> None:
    """The whole store again from the records (after a bulk load), in the caller's
    transaction: residents by batches of ids, then the other units."""
    session.execute(delete(LEVEL))
    session.execute(delete(PERIOD))
    session.info.pop(PENDING, None)
    deltas: facts.Deltas = {}
    rid = Resident.__table__.c.id
    last = session.execute(select(rid).order_by(rid.desc()).limit(1)).scalar() or 0
    for first in range(0, last + 1, batch):
        load.resident_deltas(session, rid.between(first, first + batch - 1), deltas)
        if progress:
            progress(min(first + batch, last))
    for kind in ("h", "s", "c", "v", "x"):
        loader, _table = load.UNITS[kind]
        loader(session, true(), deltas)
    _insert(session, deltas)


def add_new(session: Session, resident_ids: list[int], household_ids: list[int]) -> None:
    """Add residents and households just inserted in bulk (the Excel import): new rows had
    nothing in the store before."""
    fresh: facts.Deltas = {}
    for i in range(0, len(resident_ids), 5_000):
        load.resident_deltas(session, Resident.__table__.c.id.in_(resident_ids[i:i + 5_000]),
                             fresh)
    for i in range(0, len(household_ids), 5_000):
        load.household_deltas(session, Household.__table__.c.id.in_(
            household_ids[i:i + 5_000]), fresh)
    add(session, fresh)


def _imported(_sender, resident_ids: list[int], day=None, **_kw) -> None:
    session = db.session
    households = list(session.scalars(select(Resident.household_id).where(
        Resident.id.in_(resident_ids)).distinct())) if len(resident_ids) < 30_000 else list(
        session.scalars(select(Resident.household_id).where(
            Resident.id.between(min(resident_ids), max(resident_ids))).distinct()))
    add_new(session, resident_ids, households)


def connect() -> None:
    """Called once by the app factory: an Excel import inserts its households and residents
    in bulk (all new), which the session events do not see."""
    from healthgrid.records.imports import residents_imported
    residents_imported.connect(_imported, weak=False)
