"""Fast writes for the demo: Core executemany with explicit ids, portable to PostgreSQL."""
from __future__ import annotations

from sqlalchemy import Table, bindparam, func, select, text, update

from healthgrid.extensions import db


def next_id(table: Table) -> int:
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def insert_rows(table: Table, rows: list[dict]) -> None:
    """One executemany: the DB-API driver's batching (SQLite) or SQLAlchemy's
    multi-row VALUES pages (psycopg), without building ORM objects."""
    if rows:
        db.session.execute(table.insert(), rows)


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
