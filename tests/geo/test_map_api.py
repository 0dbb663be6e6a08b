"""The map's layers: valid GeoJSON (checked with the geojson package), the indicator's
value and target per grid, the communities' outlines, and never another centre's grids."""
from __future__ import annotations

from datetime import date

import geojson
import pytest
import shapely
import shapely.geometry

from tests import factories

from .conftest import LAT, LNG, SIDE, collection, feature, square


def valid(data) -> dict:
    parsed = geojson.loads(geojson.dumps(data))
    assert isinstance(parsed, geojson.FeatureCollection)
    assert parsed.is_valid, parsed.errors()
    return data


@pytest.fixture
def drawn(api_as, district, squares):
    client, headers = api_as("manager")
    assert client.post("/api/v1/map/boundaries", json=squares, headers=headers).status_code == 200
    return district


def test_grids_coloured_by_an_indicator(api_as, drawn):
    hh = factories.household(drawn.grids[0])
    factories.resident(hh)
    client, headers = api_as("manager")
    r = client.get("/api/v1/map/grids?indicator=contract_rate&period=2026", headers=headers)
    assert r.status_code == 200, r.json
    data = valid(r.json)
    props = {f["properties"]["grid_id"]: f["properties"] for f in data["features"]}
    assert set(props) == {g.id for g in drawn.grids}
    first = props[drawn.grids[0].id]
    assert first["name"] == drawn.grids[0].name and first["team"] == "甲团队"
    assert first["target"] == 0.30
    assert first["value"] == 0.0 and first["met"] is False     # one resident, no contract
    assert props[drawn.grids[1].id]["value"] is None            # nobody lives there yet
    assert data["indicator"] == "contract_rate"


@pytest.mark.parametrize("code", ["grid_coverage", "staff_participation", "service_provision",
                                  "followup_overdue"])
def test_every_level_of_indicator_colours_the_grids(api_as, drawn, code):
    client, headers = api_as("manager")
    r = client.get(f"/api/v1/map/grids?indicator={code}", headers=headers)
    assert r.status_code == 200
    assert len(valid(r.json)["features"]) == 2


def test_an_unknown_indicator_or_period_is_refused(api_as, drawn):
    client, headers = api_as("manager")
    assert client.get("/api/v1/map/grids?indicator=nope", headers=headers).status_code == 422
    assert client.get("/api/v1/map/grids?period=2026-Q9", headers=headers).status_code == 422


def test_households_layer(api_as, drawn):
    west = drawn.grids[0]
    hh = factories.household(west, address="幸福里3号楼2单元")
    factories.resident(hh)
    client, headers = api_as("doctor")
    assert client.patch(f"/api/v1/households/{hh.id}", json={
        "location": {"lng": LNG + SIDE / 2, "lat": LAT + SIDE / 2}}, headers=headers)\
        .status_code == 200
    factories.household(west)   # not located: not on the map
    r = client.get(f"/api/v1/map/households?grid_id={west.id}", headers=headers)
    assert r.status_code == 200
    data = valid(r.json)
    assert [f["properties"]["household_id"] for f in data["features"]] == [hh.id]
    point = data["features"][0]
    assert point["geometry"]["coordinates"] == [round(LNG + SIDE / 2, 6),
                                                round(LAT + SIDE / 2, 6)]
    assert point["properties"]["address"] == "幸福里3号楼2单元"
    assert point["properties"]["residents"] == 1
    assert point["properties"]["due"] is None


def test_another_centres_grids_never_show(api_as, drawn):
    other_centre = factories.institution()
    other_grid = factories.grid(factories.community(other_centre), code="Z1")
    other_manager = factories.user("manager", institution_id=other_centre.id)
    client, headers = api_as(other_manager)
    assert client.post("/api/v1/map/boundaries", json=collection(
        feature("Z1", square(LNG + 3 * SIDE, LAT))), headers=headers).status_code == 200
    # Our manager: only our grids, whatever scope is asked.
    client, headers = api_as("manager")
    ids = {f["properties"]["grid_id"] for f in
           client.get("/api/v1/map/grids", headers=headers).json["features"]}
    assert ids == {g.id for g in drawn.grids}
    assert client.get(f"/api/v1/map/grids?scope=institution:{other_centre.id}",
                      headers=headers).status_code == 404
    assert client.get(f"/api/v1/map/grids?scope=grid:{other_grid.id}",
                      headers=headers).status_code == 404
    assert client.get(f"/api/v1/map/households?grid_id={other_grid.id}",
                      headers=headers).status_code == 404
    # A doctor sees the team's grid only.
    client, headers = api_as("doctor")
    ids = {f["properties"]["grid_id"] for f in
           client.get("/api/v1/map/grids", headers=headers).json["features"]}
    assert ids == {drawn.grids[0].id}
    assert client.get(f"/api/v1/map/households?grid_id={drawn.grids[1].id}",
                      headers=headers).status_code == 404


def test_overdue_households_are_marked(api_as, drawn):
    from healthgrid.chronic.models import Enrollment
    from healthgrid.extensions import db
    west = drawn.grids[0]
    hh = factories.household(west)
    person = factories.resident(hh)
    db.session.add(Enrollment(resident_id=person.id, program="htn", enrolled_on=date(2025, 1, 1),
                              status="active", next_due_date=date(2025, 6, 1)))
    db.session.flush()
    client, headers = api_as("doctor")
    client.patch(f"/api/v1/households/{hh.id}", json={
        "location": {"lng": LNG + SIDE / 2, "lat": LAT + SIDE / 2}}, headers=headers)
    r = client.get(f"/api/v1/map/households?grid_id={west.id}", headers=headers)
    assert r.json["features"][0]["properties"]["due"] == "overdue"


def test_each_community_is_outlined_by_its_grids(api_as, drawn):
    """The centre's communities, each drawn as one outline round its grids (no line
    between two grids of one community) with its name placed inside it."""
    east = factories.community(drawn.centre, name="光明里社区")
    far = factories.grid(east, code="E1")
    client, headers = api_as("manager")
    assert client.put(f"/api/v1/grids/{far.id}/boundary", json=square(LNG + 3 * SIDE, LAT),
                      headers=headers).status_code == 200
    r = client.get("/api/v1/map/communities", headers=headers)
    assert r.status_code == 200, r.json
    by_name = {f["properties"]["name"]: f for f in valid(r.json)["features"]}
    assert set(by_name) == {"幸福里社区", "光明里社区"}
    own = by_name["幸福里社区"]
    outline = shapely.geometry.shape(own["geometry"])
    assert outline.geom_type == "Polygon" and not list(outline.interiors)
    assert outline.bounds == pytest.approx((LNG, LAT, LNG + 2 * SIDE, LAT + SIDE), abs=1e-6)
    assert shapely.Point(own["properties"]["label_point"]).within(outline)
    assert own["properties"]["community_id"] == drawn.community.id
    assert own["properties"]["grids"] == 2
    only = client.get(f"/api/v1/map/communities?scope=community:{east.id}", headers=headers)
    assert [f["properties"]["name"] for f in only.json["features"]] == ["光明里社区"]


def test_community_outlines_stay_within_the_callers_grids(api_as, drawn):
    other_centre = factories.institution()
    client, headers = api_as("doctor")
    r = client.get("/api/v1/map/communities", headers=headers)
    [feature_] = valid(r.json)["features"]
    # The doctor's community drawn from the team's own grid only.
    assert feature_["properties"]["grids"] == 1
    assert shapely.geometry.shape(feature_["geometry"]).bounds == pytest.approx(
        (LNG, LAT, LNG + SIDE, LAT + SIDE), abs=1e-6)
    client, headers = api_as("manager")
    assert client.get(f"/api/v1/map/communities?scope=institution:{other_centre.id}",
                      headers=headers).status_code == 404
