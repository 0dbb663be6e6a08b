"""Benchmark of what the indicator store costs a write: recording a follow-up visit through
the API (POST /api/v1/enrollments/<id>/followups, as the app's clients do: token check,
validation, the visit's rules, the schedule, the audit entry, the handler's commit) with
the store kept up to date, and the same with the store's session events switched off (the
baseline).

    .venv/bin/python bench/write.py --db-file /tmp/hg-bench-1m.db [--writes 200]
    .venv/bin/python bench/write.py --database-url postgresql+psycopg://...

The database must hold a demo district. Each write is a visit to another patient of an
active hypertension or diabetes enrollment. The whole run holds one transaction, rolled
back at the end (the store and the records stay as they were): each request's commit
releases a savepoint, so the commit's fsync, the same with or without the store, is in
neither figure. The two kinds alternate by blocks of 10 writes, so that both see the same caches
and the same load from other work on the machine. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402
from flask_sqlalchemy.session import Session as FlaskSession  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from healthgrid import create_app  # noqa: E402
from healthgrid.clock import today  # noqa: E402
from healthgrid.extensions import db  # noqa: E402

def _switch(on: bool) -> None:
    from healthgrid.kpi.store import hooks
    handlers = {"before_flush": hooks._before_flush, "after_flush": hooks._after_flush,
                "before_commit": hooks._before_commit}
    for name in handlers:
        present = event.contains(Session, name, handlers[name])
        if on and not present:
            event.listen(Session, name, handlers[name])
        elif not on and present:
            event.remove(Session, name, handlers[name])


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session on the connection that holds the run's transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def measure(app, writes: int) -> dict:
    from healthgrid.auth.models import User
    from healthgrid.auth.services import issue_token
    from healthgrid.chronic.models import Enrollment
    from healthgrid.records.models import Resident
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        db.session = db._make_scoped_session({
            "bind": connection, "join_transaction_mode": "create_savepoint",
            "class_": _ConnectionBoundSession})
        residents = db.session.scalar(select(func.count(Resident.id)))
        admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        token, _ = issue_token(admin, 1)
        db.session.commit()
        ids = list(db.session.scalars(
            select(Enrollment.id).where(Enrollment.status == "active",
                                        Enrollment.program.in_(("hypertension", "diabetes")))
            .order_by(func.random()).limit(writes + 10)))
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        visit = {"visit_date": today().isoformat(), "sbp": 132, "dbp": 84, "fpg": 6.1}
        times = {True: [], False: []}
        store = True
        for n, enrollment_id in enumerate(ids):
            if n % 10 == 0:
                store = not store
                _switch(store)
            started = time.perf_counter()
            response = client.post(f"/api/v1/enrollments/{enrollment_id}/followups",
                                   headers=headers, json=visit)
            elapsed = time.perf_counter() - started
            if response.status_code != 201:
                raise SystemExit(f"{response.status_code}: {response.get_data(as_text=True)}")
            if n >= 10:  # the first block warms the caches
                times[store].append(elapsed)
        _switch(True)
        db.session.remove()
        outer.rollback()
        connection.close()
        with_store, without = statistics.median(times[True]), statistics.median(times[False])
        return {
            "benchmark": "write", "database": db.engine.dialect.name, "residents": residents,
            "what": "POST /api/v1/enrollments/<id>/followups (a follow-up visit recorded)",
            "writes": len(times[True]) + len(times[False]),
            "seconds_median": round(with_store, 4),
            "seconds_p95": round(sorted(times[True])[int(0.95 * len(times[True]))], 4),
            "baseline": {"what": "the same requests with the store's session events off",
                         "seconds_median": round(without, 4),
                         "seconds_p95": round(sorted(times[False])[int(0.95 * len(times[False]))],
                                              4)},
            "ratio": round(with_store / without, 2),
            "limits": {"ratio": 1.3},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-file")
    parser.add_argument("--database-url")
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    if not (args.db_file or args.database_url):
        parser.error("give --db-file or --database-url of a database with a demo district")
    url = args.database_url or f"sqlite:///{Path(args.db_file).resolve()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "RATELIMIT_ENABLED": False})
    print(json.dumps(measure(app, args.writes), ensure_ascii=False))


if __name__ == "__main__":
    main()
