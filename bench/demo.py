"""Benchmark of `flask demo`: time to generate N residents, against plain executemany.

    .venv/bin/python bench/demo.py --residents 100000 --residents 1000000
    .venv/bin/python bench/demo.py --residents 20000,100000 --database-url postgresql://...

Each size runs on a fresh SQLite file in a temporary directory (or, with
--database-url, on that database, whose tables are DROPPED and recreated before
each run). The baseline inserts the same resident rows, read back and pre-built
as tuples, into an identical empty resident table with the driver's own
executemany (sqlite3, or psycopg for PostgreSQL), in the same batch size with a
commit per batch: the ratio seconds / baseline is the generator's overhead over
the bare cost of storing the rows. Prints one JSON object on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from healthgrid import create_app  # noqa: E402
from healthgrid.extensions import db  # noqa: E402

BATCH = 10_000


def _sizes(values: list[str]) -> list[int]:
    sizes = [int(part.replace("_", "")) for value in values for part in value.split(",")
             if part.strip()]
    return sizes or [100_000]


def _make_schema(app) -> str:
    migrations = ROOT / "migrations"
    with app.app_context():
        if any((migrations / "versions").glob("*.py")):
            from flask_migrate import upgrade
            upgrade(directory=str(migrations))
            return "migrations"
        db.create_all()
        return "create_all"


def _run(size: int, url: str, seed: int, as_of: date, wipe: bool) -> tuple[dict, object]:
    from healthgrid.demo.generate import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    if wipe:
        with app.app_context(), db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            else:
                db.metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    schema = _make_schema(app)
    with app.app_context():
        started = time.perf_counter()
        ctx = generate(size, seed, as_of, batch_size=BATCH)
        seconds = time.perf_counter() - started
        engine_url = db.engine.url
        db.session.remove()
        db.engine.dispose()
    run = {"residents": ctx.counts["residents"], "seconds": round(seconds, 2),
           "rows_per_second": round(ctx.counts["residents"] / seconds),
           "households": ctx.counts["households"], "grids": ctx.counts["grids"],
           "communities": ctx.counts["communities"], "staff": ctx.counts["staff"],
           "schema": schema}
    return run, engine_url


def _baseline_sqlite(path: str, workdir: str) -> float:
    """Copy everything but the residents into an identical database, then time the
    resident rows going in through sqlite3's executemany."""
    target = os.path.join(workdir, "baseline.db")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144"):
        dst.execute(f"PRAGMA {pragma}")
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"):
        dst.execute(sql)
    dst.execute("ATTACH DATABASE ? AS src", (path,))
    tables = [name for (name,) in src.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    dst.execute("BEGIN")
    for name in tables:
        if name != "resident":
            dst.execute(f'INSERT INTO main."{name}" SELECT * FROM src."{name}"')
    dst.execute("COMMIT")
    dst.execute("DETACH DATABASE src")
    dst.execute("PRAGMA foreign_keys=ON")  # as the app has it

    columns = [row[1] for row in src.execute("PRAGMA table_info(resident)")]
    sql = f"INSERT INTO resident ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = src.execute(f"SELECT {', '.join(columns)} FROM resident ORDER BY id")
    timed = 0.0
    while True:
        rows = cursor.fetchmany(BATCH)  # pre-built tuples: not timed
        if not rows:
            break
        started = time.perf_counter()
        dst.execute("BEGIN")
        dst.executemany(sql, rows)
        dst.execute("COMMIT")
        timed += time.perf_counter() - started
    src.close()
    dst.close()
    return timed


def _baseline_postgresql(url) -> float:
    """Time psycopg's executemany of the resident rows into a copy of the table
    (same columns, indexes and constraints, not the foreign keys)."""
    import psycopg

    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_resident")
        conn.execute("CREATE TABLE bench_resident (LIKE resident INCLUDING ALL EXCLUDING DEFAULTS)")
        conn.commit()
        columns = [row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'resident' "
            "ORDER BY ordinal_position")]
        sql = (f"INSERT INTO bench_resident ({', '.join(columns)}) "
               f"VALUES ({', '.join(['%s'] * len(columns))})")
        timed = 0.0
        with psycopg.connect(conninfo) as source, source.cursor(name="bench_read") as reader, \
                conn.cursor() as writer:
            reader.execute(f"SELECT {', '.join(columns)} FROM resident ORDER BY id")
            while True:
                rows = reader.fetchmany(BATCH)  # pre-built tuples: not timed
                if not rows:
                    break
                started = time.perf_counter()
                writer.executemany(sql, rows)
                conn.commit()
                timed += time.perf_counter() - started
        conn.rollback()
        conn.execute("DROP TABLE bench_resident")
        conn.commit()
    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", action="append", default=[],
                        help="size(s): repeat the option or give a comma list (default 100000)")
    parser.add_argument("--database-url", help="run on this database instead of temporary "
                        "SQLite files; ALL ITS TABLES ARE DROPPED")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 3, 31))
    args = parser.parse_args(argv)

    runs, baseline_runs = [], []
    for size in _sizes(args.residents):
        with tempfile.TemporaryDirectory(prefix="healthgrid-bench-") as workdir:
            if args.database_url:
                url, wipe = args.database_url, True
            else:
                url, wipe = f"sqlite:///{os.path.join(workdir, 'demo.db')}", False
            print(f"bench/demo.py: {size} residents…", file=sys.stderr, flush=True)
            run, engine_url = _run(size, url, args.seed, args.as_of, wipe)
            if engine_url.get_backend_name() == "sqlite":
                base = _baseline_sqlite(engine_url.database, workdir)
            else:
                base = _baseline_postgresql(engine_url)
        runs.append(run)
        baseline_runs.append({"residents": run["residents"], "seconds": round(base, 2),
                              "rows_per_second": round(run["residents"] / base),
                              "ratio": round(run["seconds"] / base, 2)})

    backend = "postgresql" if args.database_url and "postgres" in args.database_url else "sqlite"
    print(json.dumps({
        "benchmark": "demo",
        "database": backend,
        "seed": args.seed,
        "as_of": args.as_of.isoformat(),
        "batch_size": BATCH,
        "runs": runs,
        "baseline": {
            "what": ("the same resident rows, pre-built as tuples, inserted with the driver's "
                     f"plain executemany ({'psycopg' if backend == 'postgresql' else 'sqlite3'}) "
                     "into an identical empty resident table, one commit per batch; "
                     "ratio = demo seconds / baseline seconds"),
            "runs": baseline_runs,
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version},
    }, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
