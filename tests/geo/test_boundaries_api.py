"""Grid boundaries through the API: a GeoJSON import is all or nothing, each bad feature
named with its reason; a drawn boundary is checked the same way."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from healthgrid.extensions import db
from healthgrid.geo.models import GridBoundary

from tests import factories

from .conftest import LAT, LNG, SIDE, collection, feature, square


def boundaries() -> int:
    return db.session.scalar(select(func.count()).select_from(GridBoundary))


def test_import_saves_every_grid(api_as, district, squares):
    client, headers = api_as("manager")
    r = client.post("/api/v1/map/boundaries", json=squares, headers=headers)
    assert r.status_code == 200, r.json
    assert r.json == {"updated": 2}
    assert boundaries() == 2
    row = db.session.get(GridBoundary, district.grids[0].id)
    assert 700_000 < row.area_m2 < 1_100_000   # 0.01° × 0.01° at 40°N ≈ 0.95 km²


BOWTIE = {"type": "Polygon", "coordinates": [[
    [LNG, LAT], [LNG + SIDE, LAT + SIDE], [LNG + SIDE, LAT], [LNG, LAT + SIDE], [LNG, LAT]]]}
UNCLOSED = {"type": "Polygon", "coordinates": [[
    [LNG, LAT], [LNG + SIDE, LAT], [LNG + SIDE, LAT + SIDE], [LNG, LAT + SIDE]]]}
OUT_OF_RANGE = square(185.0, LAT)


@pytest.mark.parametrize("bad, reason", [
    (lambda d: feature(d.grids[1].code, BOWTIE), "self_intersecting"),
    (lambda d: feature(d.grids[1].code, UNCLOSED), "unclosed"),
    (lambda d: feature(d.grids[1].code, OUT_OF_RANGE), "out_of_range"),
    (lambda d: feature("NO-SUCH-GRID", square(LNG + SIDE, LAT)), "unknown_grid"),
    # Half of the first square: far beyond the tolerance of a shared edge.
    (lambda d: feature(d.grids[1].code, square(LNG + SIDE / 2, LAT)), "overlap"),
])
def test_a_bad_feature_is_named_and_nothing_is_saved(api_as, district, bad, reason):
    client, headers = api_as("manager")
    good = feature(district.grids[0].code, square(LNG, LAT))
    r = client.post("/api/v1/map/boundaries", json=collection(good, bad(district)),
                    headers=headers)
    assert r.status_code == 422
    problems = r.json["errors"]["features"]
    assert {i: p["reason"] for i, p in problems.items()} == {"1": [reason]}
    assert problems["1"]["message"][0]
    assert boundaries() == 0


def test_every_bad_feature_is_listed(api_as, district):
    client, headers = api_as("manager")
    r = client.post("/api/v1/map/boundaries", json=collection(
        feature(district.grids[0].code, BOWTIE), feature("X", square(LNG, LAT)),
        feature(district.grids[1].code, UNCLOSED)), headers=headers)
    assert r.status_code == 422
    assert {i: p["reason"][0] for i, p in r.json["errors"]["features"].items()} == \
        {"0": "self_intersecting", "1": "unknown_grid", "2": "unclosed"}


def test_a_shared_edge_drawn_a_little_over_is_tolerated(api_as, district):
    client, headers = api_as("manager")
    overlap = SIDE * 0.002   # 2 m into the neighbour: 0.2% of its area
    r = client.post("/api/v1/map/boundaries", json=collection(
        feature(district.grids[0].code, square(LNG, LAT)),
        feature(district.grids[1].code, square(LNG + SIDE - overlap, LAT))), headers=headers)
    assert r.status_code == 200, r.json


def test_another_centres_grid_code_is_unknown(api_as, district):
    other = factories.community(factories.institution())
    foreign = factories.grid(other)
    client, headers = api_as("manager")
    r = client.post("/api/v1/map/boundaries",
                    json=collection(feature(foreign.code, square(LNG, LAT))), headers=headers)
    assert r.status_code == 422
    assert r.json["errors"]["features"]["0"]["reason"] == ["unknown_grid"]
    assert boundaries() == 0


def test_put_boundary_of_one_grid(api_as, district, squares):
    client, headers = api_as("manager")
    grid = district.grids[0]
    r = client.put(f"/api/v1/grids/{grid.id}/boundary", json=square(LNG, LAT), headers=headers)
    assert r.status_code == 200, r.json
    r = client.put(f"/api/v1/grids/{grid.id}/boundary", json=BOWTIE, headers=headers)
    assert r.status_code == 422
    assert "geometry" in r.json["errors"]


def test_put_boundary_overlapping_the_neighbour_is_refused(api_as, district):
    client, headers = api_as("manager")
    a, b = district.grids
    assert client.put(f"/api/v1/grids/{a.id}/boundary", json=square(LNG, LAT),
                      headers=headers).status_code == 200
    r = client.put(f"/api/v1/grids/{b.id}/boundary", json=square(LNG + SIDE / 3, LAT),
                   headers=headers)
    assert r.status_code == 422
    assert boundaries() == 1


def test_a_doctor_cannot_draw_and_an_outsider_finds_nothing(api_as, district):
    client, headers = api_as("doctor")
    grid = district.grids[0]
    assert client.put(f"/api/v1/grids/{grid.id}/boundary", json=square(LNG, LAT),
                      headers=headers).status_code == 403
    other = factories.user("manager", institution_id=factories.institution().id)
    client, headers = api_as(other)
    assert client.put(f"/api/v1/grids/{grid.id}/boundary", json=square(LNG, LAT),
                      headers=headers).status_code == 404
    assert boundaries() == 0


def test_cli_imports_boundaries_and_relocates(app, db, district, squares, tmp_path):
    import json
    from healthgrid.geo.cli import map_cli
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(squares), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(map_cli, ["import-boundaries", str(path), "--institution",
                                     district.centre.code])
    assert result.exit_code == 0, result.output
    assert "2 grid boundaries imported" in result.output
    assert runner.invoke(map_cli, ["relocate"]).exit_code == 0
    bad = {"type": "FeatureCollection", "features": [feature("NOPE", square(LNG, LAT))]}
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(map_cli, ["import-boundaries", str(path), "--institution",
                                     district.centre.code])
    assert result.exit_code != 0 and "unknown_grid" in result.output


def test_an_administrator_imports_for_the_centre_they_name(api_as, district, squares):
    """An administrator has no centre of their own: they name it, and the import is still
    all or nothing."""
    client, headers = api_as("admin")
    r = client.post("/api/v1/map/boundaries", json=squares, headers=headers)
    assert r.status_code == 422
    assert r.json["errors"] == {"institution_id": ["请选择社区卫生服务中心。"]}
    for wrong in (district.hospital.id, 2 ** 31 - 1):    # not a centre; nothing at all
        r = client.post(f"/api/v1/map/boundaries?institution_id={wrong}", json=squares,
                        headers=headers)
        assert r.status_code == 422
        assert r.json["errors"] == {"institution_id": ["没有此编号的社区卫生服务中心。"]}
    r = client.post("/api/v1/map/boundaries?institution_id=HC001", json=squares,
                    headers=headers)
    assert r.status_code == 422 and r.json["errors"] == {"institution_id": ["请输入整数。"]}
    centre = district.centre.id
    bad = collection(squares["features"][0], feature("NOPE", square(LNG + SIDE, LAT)))
    r = client.post(f"/api/v1/map/boundaries?institution_id={centre}", json=bad,
                    headers=headers)
    assert r.status_code == 422 and list(r.json["errors"]["features"]) == ["1"]
    assert boundaries() == 0
    r = client.post(f"/api/v1/map/boundaries?institution_id={centre}", json=squares,
                    headers=headers)
    assert r.status_code == 200, r.json
    assert r.json == {"updated": 2} and boundaries() == 2


def test_a_manager_naming_another_centre_finds_nothing(api_as, district, squares):
    other = factories.institution()
    # The other centre has a grid of the same code: still never reached.
    factories.grid(factories.community(other), code=district.grids[0].code)
    client, headers = api_as("manager")
    r = client.post(f"/api/v1/map/boundaries?institution_id={other.id}", json=squares,
                    headers=headers)
    assert r.status_code == 404
    assert boundaries() == 0
    r = client.post(f"/api/v1/map/boundaries?institution_id={district.centre.id}",
                    json=squares, headers=headers)
    assert r.status_code == 200 and boundaries() == 2
