"""Indicator reads and reports on a streaming read replica (HEALTHGRID_READ_REPLICA_URL).

A PostgreSQL hot standby replays the primary's WAL a moment after each commit; reading the
indicators there takes their work off the primary, which keeps the writes. Before each
read the standby says how far behind it is: more than READ_REPLICA_MAX_LAG seconds
(default 5, the freshness the dashboard promises), or unreachable, and the read goes to the
primary instead, with a warning in the log (an unreachable standby is not asked again for
READ_REPLICA_RETRY seconds)."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from healthgrid.extensions import db

log = logging.getLogger("healthgrid.replica")
KEY = "healthgrid_read_replica"
# Seconds of replay behind the primary: 0 when everything received is replayed (an idle
# primary sends nothing, and the last replay's age would then say nothing about lag).
LAG = text("""SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
                          WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                          ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
                     END""")


class ReadReplica:
    def __init__(self, url: str, max_lag: float, retry: float):
        self.engine = create_engine(url, pool_pre_ping=True,
                                    connect_args={"connect_timeout": 3})
        self.max_lag, self.retry = max_lag, retry
        self.down_until = 0.0

    def session(self) -> Session | None:
        """A session on the standby if it is up and close enough; None otherwise (logged)."""
        if time.monotonic() < self.down_until:
            return None
        session = Session(bind=self.engine)
        try:
            lag = float(session.execute(LAG).scalar() or 0)
        except DBAPIError as error:
            session.close()
            self.down_until = time.monotonic() + self.retry
            log.warning("read replica unreachable, indicators read from the primary "
                        "(next try in %.0f s): %s", self.retry, str(error).splitlines()[0])
            return None
        if lag > self.max_lag:
            session.close()
            log.warning("read replica %.1f s behind (more than %.1f s), indicators read from "
                        "the primary", lag, self.max_lag)
            return None
        return session


def init_app(app: Flask) -> None:
    url = app.config.get("READ_REPLICA_URL")
    if url:
        app.extensions[KEY] = ReadReplica(
            url, float(app.config.get("READ_REPLICA_MAX_LAG", 5)),
            float(app.config.get("READ_REPLICA_RETRY", 30)))


@contextmanager
def reads() -> Iterator[tuple[Session, str]]:
    """(session, "replica" or "primary") for read-only work: the standby when configured,
    up and close enough, else the app's own session."""
    replica = current_app.extensions.get(KEY)
    session = replica.session() if replica is not None else None
    if session is None:
        yield db.session, "primary"
        return
    try:
        yield session, "replica"
    finally:
        session.close()
