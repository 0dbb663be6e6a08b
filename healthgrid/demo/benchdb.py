"""A demo district database for the benchmarks in bench/: built once, reused after.

    app, built = demo_database("sqlite:////tmp/hg-bench-1m.db", 1_000_000)

An empty (or missing) database is migrated and filled with generate(); one that already
holds a demo district is used as it is, if it has the asked number of residents.
"""
from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import func, inspect, select

from healthgrid import create_app
from healthgrid.extensions import db
from healthgrid.org.models import Institution
from healthgrid.records.models import Resident

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"
BENCH_AS_OF = date(2026, 3, 31)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def demo_database(url: str, residents: int, seed: int = 1, as_of: date = BENCH_AS_OF,
                  log=_log) -> tuple[Flask, bool]:
    """(app on ``url``, whether the district was built now). Raises ValueError when the
    database holds something else than a demo district of ``residents`` residents."""
    from flask_migrate import upgrade

    from .generate import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        has_tables = inspect(db.engine).has_table("institution")
        if has_tables and db.session.scalar(select(func.count(Institution.id))):
            found = db.session.scalar(select(func.count(Resident.id)))
            if found != residents:
                raise ValueError(f"{url} holds a district of {found} residents, not "
                                 f"{residents}: give another file or --residents {found}")
            log(f"reusing the demo district of {found} residents in {url}")
            return app, False
        upgrade(directory=str(MIGRATIONS))
        log(f"building a demo district of {residents} residents in {url} …")
        started = time.perf_counter()
        ctx = generate(residents, seed, as_of)
        log(f"built in {time.perf_counter() - started:.0f} s: {ctx.counts}")
    return app, True


def add_district_arguments(parser) -> None:
    """The options every district benchmark takes: size, where the district lives, seed."""
    parser.add_argument("--residents", type=lambda v: int(v.replace("_", "")),
                        default=1_000_000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db-file", help="SQLite file: built on the first run, reused after")
    where.add_argument("--database-url", help="a database: built when empty, reused after")
    parser.add_argument("--seed", type=int, default=1, help="the district's seed")


def database_url(args):
    """(URL, temporary directory to keep alive or None) from the parsed options."""
    import os
    import tempfile
    if args.database_url:
        return args.database_url, None
    if args.db_file:
        return f"sqlite:///{os.path.abspath(args.db_file)}", None
    workdir = tempfile.TemporaryDirectory(prefix="healthgrid-bench-")
    return f"sqlite:///{os.path.join(workdir.name, 'demo.db')}", workdir


def median_p95_ms(seconds: list[float]) -> tuple[float, float]:
    """Median and 95th percentile of timings, in milliseconds."""
    import statistics
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return round(statistics.median(ordered) * 1000, 3), round(p95 * 1000, 3)
