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
