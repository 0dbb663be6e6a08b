"""The map's pages: placing a household at the door, drawing a boundary, the communities
under the grids, the GeoJSON import with its problems listed (into the centre an
administrator chooses), the grid's page with the households outside it, the printed plan
and panorama, and the public page's small map."""
from __future__ import annotations

import html
import io
import json
import re

import geojson
from pypdf import PdfReader

from healthgrid.extensions import db
from healthgrid.geo.models import GridBoundary, HouseholdLocation

from tests import factories
from tests.helpers import _Forms, press, submit

from .conftest import LAT, LNG, SIDE, collection, feature, square


def _draw(client, squares):
    page = client.post("/map/boundaries/import", data={
        "csrf_token": _token(client, "/map/boundaries/import"),
        "file": (io.BytesIO(json.dumps(squares).encode()), "grids.geojson")},
        content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)


def _token(client, url):
    from tests.helpers import csrf_from
    return csrf_from(client, url)


def test_a_doctor_places_a_household_and_sees_its_grid(login_as, district, squares):
    _draw(login_as("manager"), squares)
    household = factories.household(district.grids[0])
    doctor = login_as("doctor")
    url = f"/map/households/{household.id}/locate"
    r = press(doctor, url, "保存位置", {"lng": LNG + SIDE / 2, "lat": LAT + SIDE / 2})
    assert r.status_code == 302
    page = doctor.get(url).get_data(as_text=True)
    assert f"位置已保存：位于{district.grids[0].name}" in page
    assert db.session.get(HouseholdLocation, household.id).located_grid_id == district.grids[0].id


def test_a_location_far_away_is_refused_on_the_page(login_as, district, squares):
    _draw(login_as("manager"), squares)
    household = factories.household(district.grids[0])
    doctor = login_as("doctor")
    url = f"/map/households/{household.id}/locate"
    r = press(doctor, url, "保存位置", {"lng": "121.47", "lat": "31.23"})
    assert r.status_code == 422
    assert "距本中心网格超过 20 公里" in r.get_data(as_text=True)
    r = press(doctor, url, "保存位置", {"lng": "东经116", "lat": "39.9"})
    assert r.status_code == 422 and "须为数字" in r.get_data(as_text=True)
    assert db.session.get(HouseholdLocation, household.id) is None


def test_a_manager_draws_a_boundary(login_as, district):
    manager = login_as("manager")
    grid = district.grids[1]
    r = submit(manager, "/map/boundary", {"grid_id": grid.id,
                                          "geometry": json.dumps(square(LNG, LAT))}, "/map/")
    assert r.status_code == 302
    assert db.session.get(GridBoundary, grid.id) is not None
    bowtie = {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + SIDE, LAT + SIDE],
              [LNG + SIDE, LAT], [LNG, LAT + SIDE], [LNG, LAT]]]}
    r = submit(manager, "/map/boundary", {"grid_id": district.grids[0].id,
                                          "geometry": json.dumps(bowtie)}, "/map/")
    page = manager.get(r.headers["Location"]).get_data(as_text=True)
    assert "轮廓自相交" in page
    assert db.session.get(GridBoundary, district.grids[0].id) is None


def test_the_import_lists_each_bad_feature(login_as, district):
    manager = login_as("manager")
    bad = collection(feature(district.grids[0].code, square(LNG, LAT)),
                     feature("NOPE", square(LNG + SIDE, LAT)))
    r = manager.post("/map/boundaries/import", data={
        "csrf_token": _token(manager, "/map/boundaries/import"),
        "file": (io.BytesIO(json.dumps(bad).encode()), "grids.geojson")},
        content_type="multipart/form-data")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "本中心没有此编码的网格" in page and "NOPE" in page
    assert db.session.query(GridBoundary).count() == 0


def test_the_grid_page_lists_households_outside(login_as, district, squares):
    manager = login_as("manager")
    _draw(manager, squares)
    west, east = district.grids
    inside, astray = factories.household(west, address="在家"), factories.household(
        west, address="走错了")
    from healthgrid.geo import services
    services.set_location(inside, LNG + SIDE / 2, LAT + SIDE / 2, "map")
    services.set_location(astray, LNG + SIDE * 1.5, LAT + SIDE / 2, "map")
    page = manager.get(f"/map/grids/{west.id}").get_data(as_text=True)
    assert "走错了" in page and "在家" not in page.split('id="outside"')[1]
    assert east.name in page.split('id="outside"')[1]
    listing = manager.get("/map/outside").get_data(as_text=True)
    assert "走错了" in listing and "在家" not in listing


def test_plan_and_panorama_pdfs(login_as, district, squares):
    manager = login_as("manager")
    _draw(manager, squares)
    factories.household(district.grids[0])
    r = manager.get(f"/map/grids/{district.grids[0].id}/plan.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    assert district.grids[0].name in text and "甲团队" in text
    r = manager.get("/map/panorama.pdf")
    assert r.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "网格划分全景图" in text and "乙团队" in text


def test_the_map_page_draws_the_communities_under_the_grids(login_as, district, squares):
    manager = login_as("manager")
    _draw(manager, squares)
    page = manager.get("/map/").get_data(as_text=True)
    assert "社区边界" in page                                  # in the legend
    url = re.search(r'data-communities-url="([^"]+)"', page).group(1)
    data = manager.get(html.unescape(url)).json
    assert geojson.loads(json.dumps(data)).is_valid
    assert [f["properties"]["name"] for f in data["features"]] == ["幸福里社区"]
    other = factories.institution()
    assert manager.get(f"/map/data/communities?scope=institution:{other.id}").status_code \
        == 404


def test_pages_answer_404_outside_the_scope(login_as, district, squares):
    _draw(login_as("manager"), squares)
    doctor = login_as("doctor")
    other = district.grids[1]
    assert doctor.get(f"/map/grids/{other.id}").status_code == 404
    assert doctor.get(f"/map/grids/{other.id}/plan.pdf").status_code == 404
    assert doctor.get(f"/map/data/households?grid_id={other.id}").status_code == 404
    household = factories.household(other)
    assert doctor.get(f"/map/households/{household.id}/locate").status_code == 404
    assert doctor.get("/map/panorama.pdf").status_code == 403


def test_find_my_team_shows_the_grid_on_a_small_map(client, login_as, district, squares):
    _draw(login_as("manager"), squares)
    page = client.get(f"/team?grid_id={district.grids[0].id}").get_data(as_text=True)
    assert 'id="grid-map"' in page and "<svg" in page


def _upload(client, url: str, data: dict, button: str = "导入", **fields):
    """The import page's form sent as press() sends a form: its own fields (the CSRF
    token, the centre its select shows), `fields` chosen in its controls, and the file."""
    forms = _Forms()
    forms.feed(client.get(url).get_data(as_text=True))
    form = next(f for f in forms.forms if any(b["text"].strip() == button for b in f["buttons"]))
    sent = dict(form["pairs"])
    for name, value in fields.items():
        assert str(value) in form["controls"][name], (name, form["controls"][name])
        sent[name] = str(value)
    sent["file"] = (io.BytesIO(json.dumps(data).encode()), "grids.geojson")
    return client.post(form["action"] or url, data=sent, content_type="multipart/form-data")


def test_an_administrator_chooses_the_centre_to_import_into(login_as, district, squares):
    admin = login_as("admin")
    page = admin.get("/map/boundaries/import").get_data(as_text=True)
    assert f'value="{district.hospital.id}"' not in page      # a hospital is no choice
    r = _upload(admin, "/map/boundaries/import", squares)     # the select left at "—"
    assert r.status_code == 422
    assert "请选择社区卫生服务中心。" in r.get_data(as_text=True)
    assert db.session.query(GridBoundary).count() == 0
    r = _upload(admin, "/map/boundaries/import", squares, institution_id=district.centre.id)
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"scope=institution:{district.centre.id}")
    assert db.session.query(GridBoundary).count() == 2
    with admin.session_transaction() as session:
        session["lang"] = "en"
    r = _upload(admin, "/map/boundaries/import", squares, "Import")
    assert r.status_code == 422
    assert "Choose a community health centre." in r.get_data(as_text=True)


def test_a_manager_cannot_import_into_another_centre(login_as, district, squares):
    other = factories.institution()
    factories.grid(factories.community(other), code=district.grids[0].code)
    manager = login_as("manager")
    assert "institution_id" not in manager.get("/map/boundaries/import").get_data(as_text=True)
    r = manager.post("/map/boundaries/import", data={
        "csrf_token": _token(manager, "/map/boundaries/import"), "institution_id": other.id,
        "file": (io.BytesIO(json.dumps(squares).encode()), "grids.geojson")},
        content_type="multipart/form-data")
    assert r.status_code == 404
    assert db.session.query(GridBoundary).count() == 0


def test_an_administrator_prints_the_panorama_of_a_chosen_centre(login_as, district,
                                                                  squares):
    _draw(login_as("manager"), squares)
    admin = login_as("admin")
    page = admin.get(f"/map/?scope=institution:{district.centre.id}").get_data(as_text=True)
    forms = _Forms()
    forms.feed(page)
    panorama = next(f for f in forms.forms if f["action"] == "/map/panorama.pdf")
    assert dict(panorama["pairs"])["institution_id"] == str(district.centre.id)
    assert str(district.hospital.id) not in panorama["controls"]["institution_id"]
    r = admin.get("/map/panorama.pdf")
    assert r.status_code == 422 and "请选择社区卫生服务中心。" in r.get_data(as_text=True)
    r = admin.get(f"/map/panorama.pdf?institution_id={district.hospital.id}")
    assert r.status_code == 422
    assert "没有此编号的社区卫生服务中心。" in r.get_data(as_text=True)
    r = admin.get(f"/map/panorama.pdf?institution_id={district.centre.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "网格划分全景图" in text and "乙团队" in text
    other = factories.institution()
    manager = login_as("manager")
    assert manager.get(f"/map/panorama.pdf?institution_id={other.id}").status_code == 404
