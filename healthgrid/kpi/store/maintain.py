"""Writing the store: deltas added to the bucket rows (hooks.py calls add() with what a
transaction changed), and the bulk paths, which the session events do not see: rebuild()
from the records (the demo, `flask kpi rebuild-store`, the migration), add_new() for an
Excel import's new residents and households."""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthgrid.records.models import Household, Resident

from ..models import KpiLevelFact, KpiPeriodFact
from . import facts, load

LEVEL, PERIOD = KpiLevelFact.__table__, KpiPeriodFact.__table__


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


_UPSERTS: dict = {}


def _upsert(dialect_name: str, table, keys, measures):
    """INSERT … ON CONFLICT DO UPDATE adding each measure (built once: a statement of
    forty additions costs more to build than to run)."""
    key = (dialect_name, table.name)
    if key not in _UPSERTS:
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        statement = dialect.insert(table)
        _UPSERTS[key] = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={m: table.c[m] + statement.excluded[m] for m in measures})
    return _UPSERTS[key]


def add(session: Session, deltas: facts.Deltas) -> None:
    """Add deltas to the bucket rows (created at zero when missing). Rows are written in
    key order, so that concurrent writers lock them in the same order."""
    level, period = bucket_rows(deltas)
    name = session.get_bind().dialect.name
    for table, keys, measures, rows in ((LEVEL, LEVEL_KEY, facts.LEVEL_MEASURES, level),
                                        (PERIOD, PERIOD_KEY, facts.PERIOD_MEASURES, period)):
        if rows:
            session.execute(_upsert(name, table, keys, measures), [
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
