"""Household locations: the grid whose boundary holds the point, the outside-grid flag,
and bad input refused with nothing saved."""
from __future__ import annotations

import pytest

from healthgrid.extensions import db
from healthgrid.geo import services
from healthgrid.geo.models import HouseholdLocation

from tests import factories

from .conftest import LAT, LNG, SIDE


@pytest.fixture
def drawn(api_as, district, squares):
    client, headers = api_as("manager")
    assert client.post("/api/v1/map/boundaries", json=squares, headers=headers).status_code == 200
    return district


def place(client, headers, household, lng, lat):
    return client.patch(f"/api/v1/households/{household.id}",
                        json={"location": {"lng": lng, "lat": lat}}, headers=headers)


def test_a_point_falls_in_the_grid_whose_boundary_holds_it(api_as, drawn):
    west, east = drawn.grids
    household = factories.household(west)
    client, headers = api_as("doctor")
    r = place(client, headers, household, LNG + SIDE / 2, LAT + SIDE / 2)
    assert r.status_code == 200, r.json
    assert r.json["located_grid_id"] == west.id
    assert r.json["outside"] is False
    # Moved across the street into the east grid: flagged as outside its own grid.
    r = place(client, headers, household, LNG + SIDE * 1.5, LAT + SIDE / 2)
    assert r.json["located_grid_id"] == east.id
    assert r.json["outside"] is True
    assert [h["id"] for h in services.outside_households([west.id])] == [household.id]


def test_a_point_in_no_grid_is_located_nowhere(api_as, drawn):
    household = factories.household(drawn.grids[0])
    client, headers = api_as("manager")
    r = place(client, headers, household, LNG - 0.02, LAT)   # 1.7 km west of both
    assert r.status_code == 200
    assert r.json["located_grid_id"] is None
    assert r.json["outside"] is True


@pytest.mark.parametrize("lng, lat, field", [
    (181.0, LAT, "lng"), (LNG, -91.0, "lat"),
    (121.47, 31.23, "location"),   # Shanghai: a thousand kilometres from the centre's grids
])
def test_a_bad_location_is_refused_and_nothing_changes(api_as, drawn, lng, lat, field):
    household = factories.household(drawn.grids[0])
    client, headers = api_as("doctor")
    r = place(client, headers, household, lng, lat)
    assert r.status_code == 422
    assert field in r.json["errors"]
    assert db.session.get(HouseholdLocation, household.id) is None


def test_outside_scope_households_are_not_found(api_as, drawn):
    household = factories.household(drawn.grids[1])      # team B's grid
    client, headers = api_as("doctor")                   # team A's doctor
    r = place(client, headers, household, LNG + SIDE * 1.5, LAT + SIDE / 2)
    assert r.status_code == 404
    assert db.session.get(HouseholdLocation, household.id) is None


def test_redrawing_a_boundary_relocates_households(api_as, drawn):
    west, east = drawn.grids
    household = factories.household(west)
    client, headers = api_as("manager")
    place(client, headers, household, LNG + SIDE * 1.2, LAT + SIDE / 2)   # in the east grid
    assert db.session.get(HouseholdLocation, household.id).located_grid_id == east.id
    # The west grid grows east and the east one shrinks: the household is home again.
    wide = {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + SIDE * 1.5, LAT],
            [LNG + SIDE * 1.5, LAT + SIDE], [LNG, LAT + SIDE], [LNG, LAT]]]}
    narrow = {"type": "Polygon", "coordinates": [[[LNG + SIDE * 1.5, LAT],
              [LNG + SIDE * 2, LAT], [LNG + SIDE * 2, LAT + SIDE], [LNG + SIDE * 1.5, LAT + SIDE],
              [LNG + SIDE * 1.5, LAT]]]}
    assert client.put(f"/api/v1/grids/{east.id}/boundary", json=narrow,
                      headers=headers).status_code == 200
    assert client.put(f"/api/v1/grids/{west.id}/boundary", json=wide,
                      headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(HouseholdLocation, household.id).located_grid_id == west.id


def test_locate_points_prefers_the_households_own_grid():
    from shapely.geometry import box
    areas = {1: box(0, 0, 2, 2), 2: box(1, 0, 3, 2)}     # overlapping in 1..2
    assert services.locate_points([(1.5, 1, 2), (1.5, 1, 1), (0.5, 1, 2), (9, 9, 1)], areas) \
        == [2, 1, 1, None]
