"""Benchmark of a team's follow-up worklist (chronic.services.worklist) on a demo district.

    .venv/bin/python bench/worklist.py --db-file /tmp/hg-bench-1m.db          # 1,000,000
    .venv/bin/python bench/worklist.py --residents 100000
    .venv/bin/python bench/worklist.py --database-url postgresql+psycopg://… --residents …

Builds a demo district of --residents people (default 1,000,000) in a temporary SQLite
file, or builds it once into --db-file / --database-url and reuses it on later runs (the
same file as bench/search.py). For --teams teams drawn with a fixed seed it times
worklist(the team's grid ids, the district's as_of), the overdue and due-soon lists of the
team's grids. The baseline is a hand-written SQL query returning the same rows in the same
order (urgent first, then by due date and name), run with the driver (sqlite3 or psycopg)
on the same database. Each team's lists are fetched once untimed first (cache), and the
app's and the baseline's rows are compared. Prints one JSON object on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from healthgrid.chronic.rules import SETTINGS  # noqa: E402
from healthgrid.chronic.services import worklist  # noqa: E402
from healthgrid.demo.benchdb import (BENCH_AS_OF, add_district_arguments,  # noqa: E402
                                      database_url, demo_database, median_p95_ms)  # noqa: E402
from healthgrid.extensions import db  # noqa: E402
from healthgrid.org.models import Grid  # noqa: E402

LIMITS = {"median_ms": 20, "ratio": 2.0}

BASELINE_SQL = """
SELECT e.id, e.resident_id, r.name, r.phone, r.grid_id, e.program, e.next_due_date,
       e.last_referral
FROM resident r JOIN enrollment e ON e.resident_id = r.id
WHERE r.grid_id IN ({grids}) AND r.status = 'active' AND e.status = 'active'
  AND e.next_due_date <= {mark}
ORDER BY e.next_due_date >= {mark}, CASE WHEN e.last_referral = 'urgent' THEN 0 ELSE 1 END,
         e.next_due_date, r.name
"""


class Baseline:
    def __init__(self, url):
        self.sqlite = url.get_backend_name() == "sqlite"
        if self.sqlite:
            self.conn = sqlite3.connect(url.database)
            self.mark = "?"
        else:
            import psycopg
            self.conn = psycopg.connect(
                url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True)
            self.mark = "%s"

    def worklist(self, grid_ids: list[int], day) -> list[tuple]:
        horizon = day + timedelta(days=SETTINGS.due_soon_days)
        values = (horizon.isoformat(), day.isoformat()) if self.sqlite else (horizon, day)
        sql = BASELINE_SQL.format(grids=", ".join(str(int(g)) for g in grid_ids),
                                  mark=self.mark)
        cur = self.conn.cursor()
        cur.execute(sql, values)
        return cur.fetchall()

    def close(self):
        self.conn.close()


def _same(app_rows: list, base_rows: list) -> bool:
    """The same enrollments, in the same order of (urgent, due date, name)."""
    def key(due, referral, name):
        return (referral == "urgent", str(due), name)
    ours = [key(i.next_due_date, "urgent" if i.urgent else None, i.name) for i in app_rows]
    theirs = [key(r[6], r[7] if r[7] == "urgent" else None, r[2]) for r in base_rows]
    return ours == theirs and sorted(i.enrollment_id for i in app_rows) == sorted(
        r[0] for r in base_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_district_arguments(parser)
    parser.add_argument("--teams", type=int, default=100, help="teams timed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per team")
    parser.add_argument("--team-seed", type=int, default=2026)
    args = parser.parse_args(argv)

    url, workdir = database_url(args)
    app, built = demo_database(url, args.residents, seed=args.seed)
    day = BENCH_AS_OF
    with app.app_context():
        grids_of_team: dict[int, list[int]] = {}
        for grid_id, team_id in db.session.execute(select(Grid.id, Grid.team_id).where(
                Grid.team_id.is_not(None))):
            grids_of_team.setdefault(team_id, []).append(grid_id)
        teams = sorted(grids_of_team)
        teams = Random(args.team_seed).sample(teams, min(args.teams, len(teams)))
        baseline = Baseline(db.engine.url)
        app_times, base_times, sizes = [], [], []
        for team in teams:
            grid_ids = grids_of_team[team]
            overdue, due_soon = worklist(grid_ids, day)  # warm, and check
            rows = baseline.worklist(grid_ids, day)
            if not _same(overdue + due_soon, rows):
                raise SystemExit(f"app and baseline disagree for team {team}")
            sizes.append(len(rows))
            for _ in range(args.repeat):
                started = time.perf_counter()
                worklist(grid_ids, day)
                app_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                baseline.worklist(grid_ids, day)
                base_times.append(time.perf_counter() - started)
        baseline.close()
        backend = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    if workdir:
        workdir.cleanup()

    median, p95 = median_p95_ms(app_times)
    base_median, base_p95 = median_p95_ms(base_times)
    ratio = round(median / base_median, 2)
    print(json.dumps({
        "benchmark": "worklist",
        "residents": args.residents,
        "database": backend,
        "as_of": day.isoformat(),
        "teams": len(teams),
        "rows_per_team": {"median": statistics.median(sizes), "max": max(sizes)},
        "median_ms": median,
        "p95_ms": p95,
        "baseline_median_ms": base_median,
        "baseline_p95_ms": base_p95,
        "ratio": ratio,
        "limits": LIMITS,
        "passed": median <= LIMITS["median_ms"] and ratio <= LIMITS["ratio"],
        "built_now": built,
        "baseline": ("one hand-written SELECT through the driver (sqlite3/psycopg) of the "
                     "team's active enrollments of active residents due by as_of + 7 days, "
                     "ordered in SQL as the app orders them (overdue first, urgent first, "
                     "then due date and name); ratio = app median / baseline median"),
        "method": (f"{len(teams)} teams drawn with seed {args.team_seed}, each fetched once "
                   f"untimed, then {args.repeat} times timed, app and baseline alternating"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version},
    }, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
