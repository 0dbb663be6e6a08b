"""Fast writes for the demo: explicit ids; COPY on PostgreSQL (a few million rows in the
time a few hundred thousand took as multi-row INSERTs), the driver's executemany on
SQLite."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Table, bindparam, func, select, text, update

from healthgrid.extensions import db


def next_id(table: Table) -> int:
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def copy_rows(table: Table, columns, rows) -> None:
    """PostgreSQL's COPY … FROM STDIN of tuples in the order of `columns`."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(table: Table, rows: list[dict]) -> None:
    """One executemany (SQLite: the DB-API driver's batching) or one COPY (PostgreSQL),
    without building ORM objects. Columns a row leaves out get their Python defaults."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(table.insert(), rows)
        return
    given = list(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns
                if c.name not in given and c.default is not None and c.default.is_scalar}
    defaults |= {c.name: c.default.arg(None) for c in table.columns
                 if c.name not in given and c.default is not None and c.default.is_callable}
    columns = given + list(defaults)
    copy_rows(table, columns, ([row.get(c) for c in given] + list(defaults.values())
                               for row in rows))


def update_by_id(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``UPDATE table SET columns WHERE id = ?`` for each ``(id, *values)`` tuple."""
    if rows:
        stmt = (update(table).where(table.c.id == bindparam("_id"))
                .values({name: bindparam(f"_{name}") for name in columns}))
        db.session.execute(stmt, [
            {"_id": row[0], **{f"_{name}": value for name, value in zip(columns, row[1:])}}
            for row in rows])


def prepare_bulk_session() -> None:
    """Give SQLite a page cache large enough for the resident indexes (256 MB at most,
    used only as they grow); random-key index inserts otherwise thrash a 2 MB cache."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size = -262144"))


def reset_sequences(*tables: Table) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
            f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"))


class Values:
    """Dates and timestamps in the form the driver stores fastest, cached per day.

    The record steps write millions of rows as plain tuples through the driver, skipping
    SQLAlchemy's type processing: SQLite gets the text SQLAlchemy itself would store
    ('2026-03-31', '2026-03-31 01:23:45.000000'), PostgreSQL real date objects."""

    def __init__(self):
        self.text = db.session.get_bind().dialect.name == "sqlite"
        self._days: dict[int, object] = {}

    def day(self, ordinal: int | None):
        if ordinal is None:
            return None
        value = self._days.get(ordinal)
        if value is None:
            value = date.fromordinal(ordinal)
            if self.text:
                value = value.isoformat()
            self._days[ordinal] = value
        return value

    def date(self, day: date | None):
        return None if day is None else self.day(day.toordinal())

    def moment(self, ordinal: int, seconds: int):
        """``seconds`` after 08:00 in the centre (UTC+8 all year, no daylight saving) on
        the day ``ordinal``, as naive UTC."""
        moment = datetime.fromordinal(ordinal) + timedelta(seconds=seconds)
        return moment.isoformat(" ", "microseconds") if self.text else moment


class TupleWriter:
    """Buffers rows of one table as tuples in a fixed column order and writes them with
    COPY (PostgreSQL) or the driver's executemany (SQLite), one commit per batch."""

    def __init__(self, table: Table, columns: tuple[str, ...], batch_size: int,
                 parents: tuple[TupleWriter, ...] = ()):
        # Rows of `parents` are written first: foreign keys are checked per statement.
        self.parents = parents
        connection = db.session.connection()
        preparer = connection.dialect.identifier_preparer
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        self.sql = (f"INSERT INTO {preparer.format_table(table)} "
                    f"({', '.join(preparer.quote(c) for c in columns)}) "
                    f"VALUES ({', '.join([mark] * len(columns))})")
        self.table, self.columns = table, columns
        self.copy = connection.dialect.name == "postgresql"
        self.batch_size = batch_size
        self.rows: list[tuple] = []
        self.written = 0
        self.next_id = next_id(table)

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        for parent in self.parents:
            parent.flush()
        if self.rows:
            if self.copy:
                copy_rows(self.table, self.columns, self.rows)
            else:
                db.session.connection().exec_driver_sql(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []
            db.session.commit()

    def close(self) -> int:
        self.flush()
        reset_sequences(self.table)
        db.session.commit()
        return self.written
