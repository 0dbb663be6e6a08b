"""Independent read-only queries run at the same time, each on a connection of its own.

The indicators of a district are a handful of grouped queries, each a pass over hundreds of
thousands of rows; one after another they keep one core busy while the others wait. The
database runs them side by side when each has its own connection: SQLite readers in WAL mode
do not block each other (nor a writer), and PostgreSQL gives every connection a backend.

The counts must describe one state of the records. PostgreSQL shares the snapshot of the
calling transaction with every worker (pg_export_snapshot). SQLite cannot hand a snapshot
to another connection: each worker reads the last committed state when it starts, so a
record saved during the second or so it takes may show in some counts and not others; the
next computation has it everywhere."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

T = TypeVar("T")
READ_ONLY = "healthgrid_read_only"  # execution option: dbsetup begins such work deferred


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def run_reads(session: Session, jobs: Sequence[Callable[[Session], T]], workers: int,
              pg_settings: Mapping[str, str] | None = None) -> list[T]:
    """The results of jobs(session), in order. Longest jobs first makes the best use of the
    workers. Runs them one after the other on `session` itself when that session holds its
    own uncommitted work on one connection (as the tests do), or the database lives in
    memory: another connection would not see the same records. On PostgreSQL, pg_settings
    hold for the jobs' transactions (SET LOCAL)."""
    bind = session.get_bind()
    if (workers < 2 or len(jobs) < 2 or not isinstance(bind, Engine)
            or bind.url.database in (None, "", ":memory:")):
        _apply(session, pg_settings)
        return [job(session) for job in jobs]
    snapshot = None
    if bind.dialect.name == "postgresql":
        snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):  # it is spelled into SQL below
            raise ValueError(f"unexpected snapshot id {snapshot!r}")

    def run(job: Callable[[Session], T]) -> T:
        with bind.connect() as connection:
            connection.execution_options(**{READ_ONLY: True})
            if snapshot is not None:
                connection.exec_driver_sql(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            with Session(bind=connection) as worker_session:
                _apply(worker_session, pg_settings)
                return job(worker_session)

    with ThreadPoolExecutor(min(workers, len(jobs))) as pool:
        return list(pool.map(run, jobs))


def _apply(session: Session, pg_settings: Mapping[str, str] | None) -> None:
    if pg_settings and session.get_bind().dialect.name == "postgresql":
        for name, value in pg_settings.items():
            session.execute(text("SELECT set_config(:name, :value, true)"),
                            {"name": name, "value": value})
