"""The grid map in a real browser: the manager sees the centre coloured by an indicator
and draws a grid's boundary with the editor; the grid's doctor, on a phone, places a
household of the grid by tapping the map and is told the household falls in the grid."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import login, shot


def _map_ready(page) -> None:
    """The map has drawn its grids (data-loaded: how many)."""
    expect(page.locator("#map")).to_have_attribute("data-loaded", re.compile(r"^[1-9]"))


def _click_at(page, lng: float, lat: float) -> None:
    """A click (tap) on the map where the point is."""
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate("([lng, lat]) => { const p = window.healthgridMap"
                         ".latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [lng, lat])
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_manager_draws_and_doctor_places_a_household(page, phone_page, live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/map/?indicator=contract_rate")
    _map_ready(page)
    assert page.locator("#legend").inner_text().count("达标") >= 2
    page.wait_for_timeout(800)   # the zoom animation settles
    shot(page, "map-centre-contract-rate")

    # The doctor's grid: the first of the list. Its new boundary is a square about its
    # middle, 200 m across.
    grid_id = page.locator("#boundary-grid option").first.get_attribute("value")
    centre = page.evaluate(
        "(id) => { let c = null; window.healthgridMap.eachLayer(l => { if (l.feature && "
        "l.feature.properties && String(l.feature.properties.grid_id) === id) "
        "{ const p = l.getCenter(); c = [p.lng, p.lat]; } }); return c; }", grid_id)
    assert centre, "the grid is on the map"
    lng, lat = centre
    page.evaluate("([lng, lat]) => window.healthgridMap.setView([lat, lng], 16)", centre)
    page.wait_for_timeout(400)
    half = 0.001
    corners = [(lng - half, lat - half), (lng + half, lat - half), (lng + half, lat + half),
               (lng - half, lat + half)]
    page.locator("#boundary-grid").select_option(grid_id)
    page.locator("#draw-start").click()
    for corner in corners + corners[:1]:     # back on the first corner closes the outline
        _click_at(page, *corner)
        page.wait_for_timeout(150)
    expect(page.locator("#boundary-geometry")).not_to_have_value("")
    page.locator("#boundary-save").click()
    expect(page.locator(".flash-success")).to_contain_text("边界已保存")
    _map_ready(page)

    # The doctor, at the door on a phone: a household of the grid, placed by a tap.
    phone = phone_page
    login(phone, live_server, "doctor")
    household_id = phone.evaluate(
        "(id) => fetch('/map/data/households?grid_id=' + id).then(r => r.json())"
        ".then(d => d.features[0].properties.household_id)", grid_id)
    phone.goto(f"{live_server}/map/households/{household_id}/locate")
    _map_ready(phone)
    phone.evaluate("([lng, lat]) => window.healthgridMap.setView([lat, lng], 17)", centre)
    phone.wait_for_timeout(400)
    _click_at(phone, lng + half / 3, lat - half / 3)
    expect(phone.locator("#lng")).not_to_have_value("")
    phone.locator("#save-location").click()
    expect(phone.locator(".flash-success")).to_contain_text("位置已保存：位于")
    expect(phone.locator("#located")).not_to_contain_text("不在本网格内")
    _map_ready(phone)
    phone.wait_for_timeout(800)
    shot(phone, "map-locate-household-phone")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1

    # The grid's page on the phone: the outline and its located households.
    phone.goto(f"{live_server}/map/grids/{grid_id}")
    expect(phone.locator("#map")).to_have_attribute("data-households", re.compile(r"^[1-9]"))
    assert phone.locator("#outside-table tbody tr").count() > 0   # the rest of the old grid
    phone.wait_for_timeout(800)
    shot(phone, "map-grid-households-phone")
