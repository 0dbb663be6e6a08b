"""Benchmark of the grid map on the demo district: the centre's indicator map data, one
grid's household layer, and locating every household of the centre in its grid; each
against a baseline, the same spatial query written by hand and run on the bare driver.

    .venv/bin/python bench/map.py --db-file /tmp/hg-bench-1m.db [--period 2026] [--repeat 5]
    .venv/bin/python bench/map.py --database-url postgresql+psycopg://...

The district is built once (demo, 1,000,000 residents by default) and reused after.
- indicators: geo.access.indicator_map for the centre (every grid with its outline, the
  indicator's value, target and met), as GET /api/v1/map/grids answers it. Baseline: the
  grids' outlines as GeoJSON straight from the spatial engine (ST_AsGeoJSON of the stored
  geometry, simplified as the app's outline) joined to the grid, team and population.
- households: geo.layers.households_collection for the first team's grid (the demo
  doctor's). Baseline: one hand-written query of the grid's located households with
  ST_X/ST_Y of their points, active residents and the earliest due follow-up.
- locate: geo.services.relocate for the centre (shapely STRtree over the boundaries, one
  bulk UPDATE of the rows that change), from scratch (every row written) and again. Baseline: one UPDATE whose correlated subquery asks the spatial engine
  which boundary contains each point (ST_Contains through the spatial index: PostGIS's
  GiST by itself, SpatiaLite's R*Tree through its SpatialIndex table). Both must agree.
Prints one JSON object; limits: 300 ms, 100 ms and 60 s.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from healthgrid.demo.benchdb import (add_district_arguments, database_url,  # noqa: E402
                                     demo_database, median_p95_ms)
from healthgrid.extensions import db  # noqa: E402

LIMITS_MS = {"indicators": 300, "households": 100, "locate": 60_000}


def timed(fn, repeat: int) -> tuple[list[float], object]:
    seconds, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        seconds.append(time.perf_counter() - started)
    return seconds, out


def baseline_outlines(dialect: str) -> str:
    simplify = ("SimplifyPreserveTopology(gb.geom, 0.00001)" if dialect == "sqlite"
                else "ST_SimplifyPreserveTopology(gb.geom, 0.00001)")
    as_json = "AsGeoJSON" if dialect == "sqlite" else "ST_AsGeoJSON"
    return (f"SELECT g.id, g.name, t.name, g.population, {as_json}({simplify}, 6) "
            "FROM grid_boundary gb JOIN grid g ON g.id = gb.grid_id "
            "JOIN community c ON c.id = g.community_id LEFT JOIN team t ON t.id = g.team_id "
            "WHERE c.institution_id = :centre ORDER BY g.id")


def baseline_households(dialect: str) -> str:
    return ("SELECT h.id, h.address, ST_X(hl.geom), ST_Y(hl.geom), "
            "(SELECT count(*) FROM resident r WHERE r.household_id = h.id "
            " AND r.status = 'active'), "
            "(SELECT min(e.next_due_date) FROM enrollment e JOIN resident r "
            " ON r.id = e.resident_id WHERE r.household_id = h.id AND r.status = 'active' "
            " AND e.status = 'active') "
            "FROM household h JOIN household_location hl ON hl.household_id = h.id "
            "WHERE h.grid_id = :grid AND h.active ORDER BY h.id")


def baseline_locate(dialect: str) -> str:
    def index(alias: str) -> str:
        return (f"AND {alias}.grid_id IN (SELECT rowid FROM SpatialIndex WHERE f_table_name "
                "= 'grid_boundary' AND search_frame = hl.geom)" if dialect == "sqlite" else "")
    # The household's own grid when its boundary holds the point, else the lowest-numbered
    # grid whose boundary does (as the app decides).
    return ("UPDATE household_location SET located_grid_id = pick.grid_id FROM ("
            "SELECT hl.household_id, COALESCE("
            "(SELECT own.grid_id FROM grid_boundary own WHERE own.grid_id = h.grid_id "
            " AND ST_Contains(own.geom, hl.geom)), "
            "(SELECT min(gb.grid_id) FROM grid_boundary gb "
            f" WHERE ST_Contains(gb.geom, hl.geom) {index('gb')})) AS grid_id "
            "FROM household_location hl JOIN household h ON h.id = hl.household_id) AS pick "
            "WHERE household_location.household_id = pick.household_id")


def measure(app, period: str, repeat: int) -> dict:
    from flask_login import login_user

    from healthgrid.auth.models import User
    from healthgrid.clock import today
    from healthgrid.geo import access, layers, services
    from healthgrid.geo.models import GridBoundary, HouseholdLocation
    from healthgrid.org.models import Grid, Institution
    from healthgrid.records.models import Household, Resident

    out: dict = {}
    with app.test_request_context():
        dialect = db.engine.dialect.name
        centre = db.session.scalar(select(Institution).where(
            Institution.kind == "health_center").order_by(Institution.id))
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        login_user(manager)
        out["size"] = {
            "residents": db.session.scalar(select(func.count(Resident.id))),
            "households": db.session.scalar(select(func.count(Household.id))),
            "located": db.session.scalar(select(func.count(HouseholdLocation.household_id))),
            "grids": db.session.scalar(select(func.count(GridBoundary.grid_id))),
        }

        # 1. The centre's indicator map.
        data = access.indicator_map(None, "contract_rate", period, None)     # warm-up
        seconds, data = timed(lambda: access.indicator_map(None, "contract_rate", period,
                                                           None), repeat)
        raw = db.session.connection().connection.dbapi_connection
        sql = baseline_outlines(dialect)
        base, rows = timed(lambda: _rows(raw, sql, {"centre": centre.id}, dialect), repeat)
        out["indicators"] = _figures(seconds, base, "indicators",
                                     features=len(data["features"]), baseline_rows=len(rows),
                                     payload_bytes=len(json.dumps(data)))

        # 2. A grid's household layer: the first team's grid.
        grid = db.session.scalar(select(Grid).where(Grid.team_id.is_not(None))
                                 .order_by(Grid.team_id, Grid.id))
        day = today()
        layers.households_collection(grid, day)
        seconds, layer = timed(lambda: layers.households_collection(grid, day), repeat)
        sql = baseline_households(dialect)
        base, rows = timed(lambda: _rows(raw, sql, {"grid": grid.id}, dialect), repeat)
        out["households"] = _figures(seconds, base, "households", grid_id=grid.id,
                                     features=len(layer["features"]), baseline_rows=len(rows))
        db.session.rollback()

        # 3. Locating every household of the centre.
        before = dict(db.session.execute(select(HouseholdLocation.household_id,
                                                HouseholdLocation.located_grid_id)).all())
        # From scratch (every household's grid forgotten, so every row is written), then
        # again with the stored grids already right (nothing to write).
        db.session.execute(text("UPDATE household_location SET located_grid_id = NULL"))
        db.session.commit()
        started = time.perf_counter()
        located = services.relocate(centre.id)
        db.session.commit()
        app_s = time.perf_counter() - started
        started = time.perf_counter()
        services.relocate(centre.id)
        db.session.commit()
        again_s = time.perf_counter() - started
        after_app = dict(db.session.execute(select(HouseholdLocation.household_id,
                                                   HouseholdLocation.located_grid_id)).all())
        started = time.perf_counter()
        db.session.execute(text(baseline_locate(dialect)))
        db.session.commit()
        base_s = time.perf_counter() - started
        after_base = dict(db.session.execute(select(HouseholdLocation.household_id,
                                                    HouseholdLocation.located_grid_id)).all())
        out["locate"] = {
            "app_s": round(app_s, 2), "app_again_unchanged_s": round(again_s, 2),
            "baseline_s": round(base_s, 2),
            "ratio": round(app_s / base_s, 2) if base_s else None,
            "limit_s": LIMITS_MS["locate"] / 1000, "within_limit": app_s * 1000 <= LIMITS_MS["locate"],
            "households": located,
            "disagreements_with_baseline": sum(1 for k, v in after_app.items()
                                               if after_base.get(k) != v),
            "changed_from_stored": sum(1 for k, v in after_app.items() if before.get(k) != v),
            "outside_own_grid": db.session.scalar(
                select(func.count()).select_from(HouseholdLocation)
                .join(Household, Household.id == HouseholdLocation.household_id)
                .where((HouseholdLocation.located_grid_id.is_(None))
                       | (HouseholdLocation.located_grid_id != Household.grid_id))),
        }
    return out


def _rows(raw, sql: str, params: dict, dialect: str) -> list:
    cursor = raw.cursor()
    if dialect == "sqlite":
        for name in params:
            sql = sql.replace(f":{name}", "?")
        cursor.execute(sql, tuple(params.values()))
    else:
        for name in params:
            sql = sql.replace(f":{name}", f"%({name})s")
        cursor.execute(sql, params)
    rows = cursor.fetchall()
    cursor.close()
    if rows and isinstance(rows[0][-1], str) and rows[0][-1].startswith("{"):
        rows = [(*r[:-1], json.loads(r[-1])) for r in rows]   # the client parses it too
    return rows


def _figures(seconds, base, name, **extra) -> dict:
    median, p95 = median_p95_ms(seconds)
    base_median, base_p95 = median_p95_ms(base)
    return {"median_ms": median, "p95_ms": p95, "baseline_median_ms": base_median,
            "baseline_p95_ms": base_p95,
            "ratio": round(median / base_median, 2) if base_median else None,
            "limit_ms": LIMITS_MS[name], "within_limit": p95 <= LIMITS_MS[name], **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_district_arguments(parser)
    parser.add_argument("--period", default="2026")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url, _keep = database_url(args)
    app, built = demo_database(url, args.residents, args.seed)
    figures = measure(app, args.period, args.repeat)
    with app.app_context():
        engine = db.engine.dialect.name
    print(json.dumps({"benchmark": "map", "database": engine, "built_now": built,
                      "period": args.period, "repeat": args.repeat, **figures,
                      "machine": {"python": platform.python_version(),
                                  "cpus": __import__("os").cpu_count()}},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
