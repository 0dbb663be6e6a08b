"""Per-connection database settings."""
from flask import Flask
from sqlalchemy import event, text

from .concurrent_reads import READ_ONLY
from .extensions import db


def init_engine_events(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # pysqlite opens and commits transactions on its own, which breaks SAVEPOINTs
        # (a released savepoint would commit). SQLAlchemy emits BEGIN itself instead.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")  # a reader in WAL mode waits for no one
            return
        # IMMEDIATE takes the write lock up front: a transaction that read and then writes
        # could otherwise fail at once with SQLITE_BUSY when another writer got there first
        # (busy_timeout does not cover that case). SQLite is for development and small
        # centres; PostgreSQL serves many writers.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def refresh_planner_statistics() -> None:
    """Keep the query planner's statistics current (daily, and after bulk imports).

    SQLite has none until ANALYZE runs, and without them it walks the wrong index for
    worklists and scoped searches (tens of times slower at district scale). PostgreSQL's
    autovacuum does this by itself."""
    if db.engine.dialect.name == "sqlite":
        # On the session's own connection: another one would wait for this one's lock.
        db.session.execute(text("PRAGMA analysis_limit=1000"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()
