"""bench/map.py's baselines, the map's spatial queries written by hand for each engine, run
on the suite's database (SpatiaLite, or PostGIS when DATABASE_URL names PostgreSQL) and
agree with the app: so that `bench/map.py --database-url postgresql+psycopg://…` measures
the same thing as on SQLite."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select, text

from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.geo import layers, services
from healthgrid.geo.models import HouseholdLocation

from tests import factories

from .conftest import LAT, LNG, SIDE

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_map", ROOT / "bench" / "map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_baselines_run_on_this_engine_and_agree_with_the_app(api_as, district, squares):
    bench = _bench()
    client, headers = api_as("manager")
    assert client.post("/api/v1/map/boundaries", json=squares, headers=headers).status_code \
        == 200
    west = district.grids[0]
    inside, astray = factories.household(west), factories.household(west)
    factories.resident(inside)
    services.set_location(inside, LNG + SIDE / 2, LAT + SIDE / 2, "map")
    services.set_location(astray, LNG + SIDE * 1.5, LAT + SIDE / 2, "map")   # in the east
    dialect = db.session.get_bind().dialect.name
    raw = db.session.connection().connection.dbapi_connection

    outlines = bench._rows(raw, bench.baseline_outlines(dialect),
                           {"centre": district.centre.id}, dialect)
    assert [row[0] for row in outlines] == [g.id for g in district.grids]
    assert all(row[-1]["type"] in ("Polygon", "MultiPolygon") for row in outlines)

    homes = bench._rows(raw, bench.baseline_households(dialect), {"grid": west.id}, dialect)
    layer = layers.households_collection(west, today())
    assert [row[0] for row in homes] == [f["id"] for f in layer["features"]]
    assert [row[4] for row in homes] == [f["properties"]["residents"]
                                         for f in layer["features"]]

    def located() -> dict:
        db.session.expire_all()
        return dict(db.session.execute(select(HouseholdLocation.household_id,
                                              HouseholdLocation.located_grid_id)).all())
    by_app = located()
    assert by_app == {inside.id: west.id, astray.id: district.grids[1].id}
    db.session.execute(text("UPDATE household_location SET located_grid_id = NULL"))
    db.session.execute(text(bench.baseline_locate(dialect)))
    assert located() == by_app
