"""Organisation pages in a real browser: grids and teams in Chinese, the language switch,
the phone layout, and a doctor's view limited to their own team."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from .conftest import login, shot

CJK = re.compile(r"[\u4e00-\u9fff]")


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_manager_sees_the_grid_list_in_chinese(page, live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/org/grids")

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("网格")
    table = page.locator("#grid-list")
    expect(table).to_be_visible()
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts() if h.strip()]
    assert "社区" in headings and "团队" in headings, headings
    untranslated = [h for h in headings if not CJK.search(h)]
    assert not untranslated, f"column headings not in Chinese: {untranslated}"

    names = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert names, "the demo district should have grids"
    assert any("网格" in name for name in names), names[:10]
    assert all(CJK.search(name) for name in names), names[:10]
    shot(page, "grids")


def test_team_page_lists_members_with_chinese_roles(page, live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/org/teams")
    expect(page.locator("h1")).to_have_text("家庭健康责任团队")

    first = page.locator("#team-list tbody tr").first.locator("td a").first
    team_name = first.inner_text().strip()
    with page.expect_navigation():
        first.click()

    assert re.fullmatch(r"/org/teams/\d+", path_of(page)), page.url
    expect(page.locator("h1")).to_have_text(team_name)
    members = page.locator("#member-list tbody tr")
    expect(members.first).to_be_visible()
    roles = set(page.locator("#member-list tbody tr td:nth-child(2)").all_inner_texts())
    assert {"全科医生", "护士", "公卫人员"} <= {r.strip() for r in roles}, roles
    shot(page, "team")


def test_language_switch_goes_to_english_and_back(page, live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/org/grids")
    expect(page.locator("h1")).to_contain_text("网格")

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert path_of(page) == "/org/grids"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Grids")
    expect(page.locator("#grid-list thead")).to_contain_text("Community")
    shot(page, "grids-english")

    with page.expect_navigation():
        page.get_by_role("button", name="中文").click()
    assert path_of(page) == "/org/grids"
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("网格")
    expect(page.get_by_role("button", name="English")).to_be_visible()


def test_phone_sign_in_and_grid_list(phone_page, live_server):
    page = phone_page
    login(page, live_server, "manager")

    nav = page.locator("nav.mainnav")
    toggle = page.locator("label.nav-toggle-label")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_visible()
    toggle.tap()
    expect(nav).to_be_visible()
    shot(page, "phone-menu")

    with page.expect_navigation():
        nav.get_by_role("link", name="网格", exact=True).tap()
    assert path_of(page) == "/org/grids"
    expect(nav).to_be_hidden()  # a new page starts with the menu closed

    # The table turns into one card per grid: no header row, each cell labelled.
    table = page.locator("#grid-list")
    expect(table.locator("thead")).to_be_hidden()
    first_row = table.locator("tbody tr").first
    expect(first_row).to_be_visible()
    expect(first_row.locator("td").nth(2)).to_contain_text("网格")
    label = first_row.locator("td").first.evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert "社区" in label, label

    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    shot(page, "phone-grids")


def test_doctor_sees_only_their_own_team(page, live_server):
    login(page, live_server, "doctor2")
    page.goto(f"{live_server}/org/teams")
    other_link = page.locator("#team-list tbody tr td a").first
    other_team = other_link.inner_text().strip()
    other_href = other_link.get_attribute("href")
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()

    login(page, live_server, "doctor")
    expect(page.locator("nav.mainnav")).to_contain_text("我的团队")
    page.goto(f"{live_server}/org/teams")
    rows = page.locator("#team-list tbody tr")
    expect(rows).to_have_count(1)
    own = rows.first.locator("td a")
    expect(own).to_have_count(1)
    assert own.inner_text().strip() != other_team
    shot(page, "doctor-teams")

    # Another team's page is out of the doctor's reach.
    response = page.goto(f"{live_server}{other_href}")
    assert response is not None and response.status == 404
