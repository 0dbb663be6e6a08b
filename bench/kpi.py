"""Benchmark of the indicators: the centre's dashboard data (every indicator for the centre
and for each of its grids, for a year) read from the indicator store, against today's
reference counting from the records in the same run.

    .venv/bin/python bench/kpi.py --db-file /tmp/hg-bench-1m.db [--period 2026] [--repeat 20]
    .venv/bin/python bench/kpi.py --database-url postgresql+psycopg://...

The database must hold a demo district (`flask demo --residents 1000000`; the demo builds
the store). The figure is services.compute() for the institution from the store plus the
per-grid values of every grid (what the dashboard and the report show); the baseline is the
same with source="reference" (kpi/queries.py: every record counted, on several connections
side by side). Both must give the same numerators and denominators (checked). Prints one
JSON object.
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

from sqlalchemy import func, select  # noqa: E402

from healthgrid import create_app  # noqa: E402
from healthgrid.auth.scope import Scope  # noqa: E402
from healthgrid.clock import today  # noqa: E402
from healthgrid.extensions import db  # noqa: E402


def _app(args):
    url = args.database_url or f"sqlite:///{Path(args.db_file).resolve()}"
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def measure(app, period_text: str, repeat: int, reference_repeat: int) -> dict:
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

        def run(source):
            scope = services.resolve_scope(f"institution:{centre.id}", admin)
            result = services.compute(scope, period, as_of, today(), source=source)
            per_grid = {g.id: services.values_for_grids(result, [g.id]) for g in scope.grids}
            db.session.rollback()  # a new snapshot each time, as a new request has
            return result, per_grid

        def timed(source, times):
            found = []
            for _ in range(times):
                started = time.perf_counter()
                answer = run(source)
                found.append(time.perf_counter() - started)
            return answer, found

        run("store")  # warm-up: connections, caches
        (result, per_grid), store_times = timed("store", repeat)
        (reference, reference_grid), reference_times = timed("reference", reference_repeat)
        pairs = lambda values: {c: (v.numerator, v.denominator)  # noqa: E731
                                for c, v in values.items()}
        equal = (pairs(result.values) == pairs(reference.values)
                 and all(pairs(per_grid[g]) == pairs(reference_grid[g]) for g in per_grid))
        store_median = statistics.median(store_times)
        reference_median = statistics.median(reference_times)
        return {
            "benchmark": "kpi", "database": db.engine.dialect.name, "residents": residents,
            "grids": len(per_grid), "period": period.label, "as_of": as_of.isoformat(),
            "indicators": len(result.values), "source": "store",
            "seconds_median": round(store_median, 4),
            "seconds_all": [round(t, 4) for t in store_times],
            "equal_to_reference": equal,
            "baseline": {"what": "the reference counting of every record (kpi/queries.py), "
                                 "same scope, period and day, same run",
                         "seconds_median": round(reference_median, 3),
                         "seconds_all": [round(t, 3) for t in reference_times]},
            "speedup": round(reference_median / store_median, 1) if store_median else None,
            "limits": {"seconds": 0.1 if residents <= 1_000_000 else 0.15},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-file")
    parser.add_argument("--database-url")
    parser.add_argument("--period", default=str(today().year))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reference-repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.db_file or args.database_url):
        parser.error("give --db-file or --database-url of a database with a demo district")
    print(json.dumps(measure(_app(args), args.period, args.repeat, args.reference_repeat),
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
