"""Household locations from Excel: every row saved and located, or none with each bad row
named."""
from __future__ import annotations

import io

import pytest

from healthgrid.extensions import db
from healthgrid.geo.models import HouseholdLocation
from healthgrid.workbooks import Workbook

from tests import factories
from tests.helpers import csrf_from

from .conftest import LAT, LNG, SIDE


def sheet(rows) -> bytes:
    book = Workbook()
    s = book.sheet("locations")
    s.row(["家庭编号", "经度", "纬度"])
    for row in rows:
        s.row(row)
    return book.save()


@pytest.fixture
def drawn(login_as, district, squares):
    import json
    manager = login_as("manager")
    r = manager.post("/map/boundaries/import", data={
        "csrf_token": csrf_from(manager, "/map/boundaries/import"),
        "file": (io.BytesIO(json.dumps(squares).encode()), "g.geojson")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    return district


def upload(client, data: bytes):
    return client.post("/map/locations/import", data={
        "csrf_token": csrf_from(client, "/map/locations/import"),
        "file": (io.BytesIO(data), "locations.xlsx")}, content_type="multipart/form-data")


def test_rows_are_saved_and_located(login_as, drawn):
    west, east = drawn.grids
    a, b = factories.household(west), factories.household(west)
    r = upload(login_as("manager"), sheet([
        [str(a.id), LNG + SIDE / 2, LAT + SIDE / 2],
        [str(b.id), str(LNG + SIDE * 1.5), str(LAT + SIDE / 2)]]))   # text cells too
    assert r.status_code == 302
    assert db.session.get(HouseholdLocation, a.id).located_grid_id == west.id
    assert db.session.get(HouseholdLocation, b.id).located_grid_id == east.id


def test_a_bad_row_is_named_and_nothing_is_saved(login_as, drawn):
    west, east = drawn.grids
    a = factories.household(west)
    theirs = factories.household(east)         # team B's: not the doctor's
    r = upload(login_as("doctor"), sheet([
        [str(a.id), LNG + SIDE / 2, LAT + SIDE / 2],
        [str(theirs.id), LNG + SIDE / 2, LAT + SIDE / 2],
        [str(a.id), 200, LAT],
        [str(a.id), 121.47, 31.23],
        [str(a.id), "东经", LAT]]))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for row, text in [(3, "没有此编号"), (4, "坐标超出范围"), (5, "距本中心网格超过 20 公里"),
                      (6, "须为数字")]:
        assert f"<td data-label=\"行号\">{row}</td>" in page, row
        assert text in page
    assert db.session.get(HouseholdLocation, a.id) is None


def test_a_sheet_without_the_columns_is_refused(login_as, drawn):
    book = Workbook()
    book.sheet("x").row(["地址", "x坐标"])
    r = upload(login_as("manager"), book.save())
    assert r.status_code == 422
    assert "家庭编号" in r.get_data(as_text=True)
