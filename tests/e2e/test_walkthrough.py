"""A walk through the day per role (issue #17), in a real browser: the doctor on a phone
works from the day's plan, the hospital's referral desk closes the loop at 1366 px, the
centre manager reads figures that agree with each other. Screenshots of each step."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import DEFAULT_TIMEOUT_MS, login, shot

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits_the_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


def test_doctor_works_from_the_days_plan_on_a_phone(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    assert urlsplit(page.url).path == "/chronic/worklist"
    nav = page.locator("nav.mainnav")
    expect(nav).to_contain_text("随访工作清单")
    expect(nav).not_to_contain_text("我的工作")
    sections = page.locator("h2[id^=plan-]")
    expect(sections.first).to_be_visible()
    ids = [sections.nth(i).get_attribute("id") for i in range(sections.count())]
    order = ["plan-urgent", "plan-down-referrals", "plan-suggested", "plan-overdue-chronic",
             "plan-overdue-checks", "plan-due-soon"]
    assert ids == [s for s in order if s in ids], ids
    _fits_the_width(page)
    shot(page, "walk-doctor-phone-plan")

    # A tap on a program applies it: no button to press.
    with page.expect_navigation():
        page.locator("nav.chips a", has_text="高血压").first.click()
    assert parse_qs(urlsplit(page.url).query).get("program") == ["hypertension"]
    first = page.locator("ol.plan li.plan-item").first
    expect(first).to_be_visible()
    name = first.locator("a.who").inner_text().strip()

    # The name box finds the person (Enter sends it).
    box = page.locator("#f-q")
    box.fill(name[:2])
    with page.expect_navigation():
        box.press("Enter")
    expect(page.locator("ol.plan a.who").first).to_contain_text(name[:2])
    shot(page, "walk-doctor-phone-search")

    # "Record" opens that patient's form: the follow-up of that enrollment, or the check.
    page.goto(f"{live_server}/chronic/worklist")
    record = page.locator("li.plan-item a.btn", has_text="登记").first
    expect(record).to_be_visible()
    who = record.locator("xpath=ancestor::li[1]").locator("a.who").inner_text().strip()
    with page.expect_navigation():
        record.click()
    assert re.fullmatch(r"/chronic/enrollments/\d+/(followups|checks)/new",
                        urlsplit(page.url).path), page.url
    expect(page.locator("main")).to_contain_text(who)
    _fits_the_width(page)
    shot(page, "walk-doctor-phone-record")


def test_referral_desk_closes_the_loop_at_1366(desktop, live_server):
    page = desktop
    login(page, live_server, "hospital")
    page.goto(f"{live_server}/referrals/?direction=up&status=arrived")
    rows = page.locator("#referral-list tbody tr")
    expect(rows.first).to_be_visible()
    # Status chips and dates stay on one line.
    chip = rows.first.locator(".tag").last
    height = chip.bounding_box()["height"]
    assert height < 30, height
    date_cell = rows.first.locator("td.nowrap").first
    assert date_cell.bounding_box()["height"] < 40
    shot(page, "walk-desk-list-1366")
    with page.expect_navigation():
        rows.first.locator("td a").first.click()
    expect(page.locator("#patient-phone")).to_be_visible()
    expect(page.locator("#patient-address")).not_to_be_empty()

    # Completing without the feedback is refused; nothing changes.
    with page.expect_navigation():
        page.locator("#action-complete").click()
    expect(page.locator(".error, .flash-error").first).to_contain_text("诊疗反馈")
    expect(page.locator("#referral-status")).to_contain_text("已到诊")
    shot(page, "walk-desk-complete-refused")
    page.locator("#f-note").fill("诊断：高血压3级；已调整用药，两周后社区复查。")
    with page.expect_navigation():
        page.locator("#action-complete").click()
    expect(page.locator("#referral-status")).to_contain_text("已完成")
    expect(page.locator("#feedback")).to_contain_text("两周后社区复查")
    shot(page, "walk-desk-completed")


def test_manager_reads_figures_that_agree(desktop, live_server):
    page = desktop
    login(page, live_server, "manager")
    page.goto(f"{live_server}/kpi/")
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    expect(page.locator("svg .month-tick").first).to_be_attached()
    expect(page.locator("body")).to_contain_text("不同于控制率")
    _fits_the_width(page)
    shot(page, "walk-manager-dashboard")

    with page.expect_navigation():
        page.locator("a[href*='/kpi/gaps/htn_control']").first.click()
    expect(page.locator("#gap-list thead")).to_contain_text("末次血压")
    shot(page, "walk-manager-gap-bp")

    page.goto(f"{live_server}/kpi/performance")
    body = page.locator("main").inner_text()
    grades = set(re.findall(r"\b([ABCD])\b", body))
    assert len(grades) >= 2, grades
    shot(page, "walk-manager-ranking")

    page.goto(f"{live_server}/admin/audit")
    expect(page.locator("#audit-list")).not_to_contain_text("scope=")
    shot(page, "walk-manager-audit")


def test_doctor_registers_a_household_on_a_phone(phone_page, live_server):
    """The only grid is chosen, the head's name opens the member's form, and a valid ID
    number fills the birth date and sex as it is typed (static/js/id_number.js)."""
    from datetime import date
    from tests import factories
    page = phone_page
    login(page, live_server, "doctor")
    page.goto(f"{live_server}/records/households/new")
    assert page.locator("#f-grid_id").input_value() != ""
    page.locator("#f-address").fill("红庙小区9号楼2单元301室")
    page.locator("#f-head_name").fill("柳建国")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#f-name")).to_have_value("柳建国")
    number = factories.id_number_for(date(1956, 3, 9), "male", seq=731, area="110105")
    page.locator("#f-id_number").fill(number)
    expect(page.locator("#f-birth_date")).to_have_value("1956-03-09")
    expect(page.locator("#f-sex")).to_have_value("male")
    _fits_the_width(page)
    shot(page, "walk-doctor-phone-register")
