"""Benchmark of the live indicators: every indicator for the centre and for each of its
grids for a year, against the same counting statements replayed on the bare driver.

    .venv/bin/python bench/kpi.py --db-file /tmp/hg-bench-1m.db [--period 2026] [--repeat 5]
    .venv/bin/python bench/kpi.py --database-url postgresql+psycopg://...

The database must hold a demo district (`flask demo --residents 1000000`). The app's
figure is services.compute() for the institution plus the per-grid values of every grid
(what the dashboard and the report show). The baseline captures the hand-written counting
SQL that computation sends (with its parameters) and runs it again through the DB-API
cursor alone, each worker's statements on a connection of its own side by side, as the app
runs them: the ratio is the app's overhead (SQLAlchemy, pandas, assembly) over the counting
itself. The same statements one after the other are reported too. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from healthgrid import create_app  # noqa: E402
from healthgrid.auth.scope import Scope  # noqa: E402
from healthgrid.clock import today  # noqa: E402
from healthgrid.extensions import db  # noqa: E402


# Transaction control and snapshot sharing: not counting, and not replayable out of order.
CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SET TRANSACTION|SELECT pg_export_snapshot)",
                     re.IGNORECASE)


def _app(args):
    url = args.database_url or f"sqlite:///{Path(args.db_file).resolve()}"
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def measure(app, period_text: str, repeat: int) -> dict:
    from healthgrid.kpi import rules, services
    from healthgrid.org.models import Institution
    from healthgrid.records.models import Resident
    with app.test_request_context():
        centre = db.session.scalar(select(Institution).where(
            Institution.kind == "health_center").order_by(Institution.id))
        residents = db.session.scalar(select(func.count(Resident.id)))
        period = rules.parse_period(period_text)
        as_of = period.as_of(today())
        admin = Scope(None, None, None, "admin")

        def run_app():
            scope = services.resolve_scope(f"institution:{centre.id}", admin)
            result = services.compute(scope, period, as_of, today())
            per_grid = {g.id: services.values_for_grids(result, [g.id]) for g in scope.grids}
            return result, per_grid

        statements: dict[int, list] = {}  # per thread: the main one, then each worker

        def capture(_conn, _cursor, statement, parameters, _context, _many):
            if not CONTROL.match(statement):
                statements.setdefault(threading.get_ident(), []).append((statement, parameters))

        engine = db.engine
        event.listen(engine, "before_cursor_execute", capture)
        result, per_grid = run_app()  # warm-up, and the statements to replay
        event.remove(engine, "before_cursor_execute", capture)
        main_thread = statements.pop(threading.get_ident(), [])
        workers = list(statements.values())

        app_times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run_app()
            app_times.append(time.perf_counter() - started)

        def replay(batch):
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                for statement, parameters in batch:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                cursor.close()
                raw.rollback()
            finally:
                raw.close()

        def baseline():
            replay(main_thread)
            with ThreadPoolExecutor(max(1, len(workers))) as pool:
                list(pool.map(replay, workers))

        base_times = []
        for _ in range(repeat):
            started = time.perf_counter()
            baseline()
            base_times.append(time.perf_counter() - started)
        sequential_times = []
        for _ in range(repeat):
            started = time.perf_counter()
            replay(main_thread + [s for batch in workers for s in batch])
            sequential_times.append(time.perf_counter() - started)
        app_median, base_median = statistics.median(app_times), statistics.median(base_times)
        return {
            "benchmark": "kpi", "database": engine.dialect.name, "residents": residents,
            "grids": len(per_grid), "period": period.label, "as_of": as_of.isoformat(),
            "indicators": len(result.values),
            "statements": len(main_thread) + sum(map(len, workers)),
            "seconds_median": round(app_median, 3), "seconds_all": [round(t, 3) for t in app_times],
            "workers": len(workers),
            "baseline": {"what": "the same hand-written counting SQL through the bare DB-API "
                                 "driver, on as many connections side by side",
                         "seconds_median": round(base_median, 3),
                         "sequential_seconds_median": round(
                             statistics.median(sequential_times), 3)},
            "ratio": round(app_median / base_median, 2) if base_median else None,
            "limits": {"seconds": 2.0, "ratio": 1.5},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-file")
    parser.add_argument("--database-url")
    parser.add_argument("--period", default=str(today().year))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (args.db_file or args.database_url):
        parser.error("give --db-file or --database-url of a database with a demo district")
    print(json.dumps(measure(_app(args), args.period, args.repeat), ensure_ascii=False))


if __name__ == "__main__":
    main()
