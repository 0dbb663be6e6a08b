"""Grid events in a real browser: a family doctor reports a drinking-water problem from a
phone with a photo; the centre's manager accepts it and dispatches it with a deadline; the
doctor records the handling from the phone; the manager verifies and closes it. Another
team never sees it; the centre's dashboard shows the demo's emergency waiting."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import ROOT, login, shot, signed_in

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00"
       b"\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
PHOTO_DIR = ROOT / "instance" / "event_photos"  # where the e2e server keeps photos
PLACE = "光明小区 7 号楼二次供水水箱"
FOUND = "水箱盖未上锁，箱内漂浮杂物，居民反映自来水有异味"
FEEDBACK = "物业已清洗消毒水箱并加锁，区疾控采样检测合格"


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


def _photos() -> set[str]:
    return {p.name for p in PHOTO_DIR.iterdir()} if PHOTO_DIR.is_dir() else set()


def test_report_accept_dispatch_handle_close(phone_page, browser, live_server):
    page = phone_page
    photos_before = _photos()
    try:
        _loop(page, browser, live_server)
    finally:  # the photo is the test's own: leave the server's folder as it was
        for name in _photos() - photos_before:
            (PHOTO_DIR / name).unlink(missing_ok=True)


def _loop(page, browser, live_server):
    # The doctor reports from a phone, with a photo.
    login(page, live_server, "doctor")
    page.goto(f"{live_server}/events/new")
    expect(page.locator("h1")).to_have_text("上报事件")
    _fits(page)
    form = page.locator("#event-form")
    expect(form.locator("select[name=grid_id] option:checked")).not_to_have_text("—")
    form.locator("select[name=event_type]").select_option("drinking_water")
    form.locator("input[name=place]").fill(PLACE)
    form.locator("textarea[name=description]").fill(FOUND)
    form.locator("select[name=mode]").select_option("coordination")
    form.locator("select[name=urgency]").select_option("urgent")
    form.locator("input[name=photos]").set_input_files(
        files=[{"name": "水箱.png", "mimeType": "image/png", "buffer": PNG}])
    shot(page, "event-report-phone")
    with page.expect_navigation():
        form.locator("#event-submit").click()
    assert re.fullmatch(r"/events/\d+", urlsplit(page.url).path), page.url
    event_url = urlsplit(page.url).path
    expect(page.locator(".flash-success")).to_contain_text("社区级")
    expect(page.locator("#event-status")).to_contain_text("已上报")
    expect(page.locator("#event-status")).to_contain_text("协调类")
    expect(page.locator("#place")).to_have_text(PLACE)
    photo = page.locator("#photos img").first
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth === 1")
    expect(page.locator("#actions")).to_have_count(0)  # the community accepts, not the grid
    _fits(page)

    deadline = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=3)).isoformat()
    with signed_in(browser, live_server, "manager") as manager:
        # The event waits on the manager's list, at the community level.
        manager.goto(f"{live_server}/events/?level=community")
        expect(manager.locator("#nav-events .badge").first).to_have_text(
            re.compile(r"^[1-9]\d*$"))
        row = manager.locator(f"#event-list a[href='{event_url}']").first
        expect(row).to_be_visible()
        with manager.expect_navigation():
            row.click()
        with manager.expect_navigation():
            manager.locator("#action-accept").click()
        expect(manager.locator("#event-status")).to_contain_text("已受理")
        # Dispatch without a deadline is refused and changes nothing.
        manager.locator("input[name=assignee]").fill("光明物业服务中心")
        with manager.expect_navigation():
            manager.locator("#action-dispatch").click()
        expect(manager.locator("#actions .error")).to_contain_text("处置时限")
        expect(manager.locator("#event-status")).to_contain_text("已受理")
        manager.locator("input[name=assignee]").fill("光明物业服务中心")
        manager.locator("input[name=deadline]").fill(deadline)
        manager.locator("textarea[name=note]").fill("三日内完成清洗消毒并送检")
        with manager.expect_navigation():
            manager.locator("#action-dispatch").click()
        expect(manager.locator("#event-status")).to_contain_text("已派遣")
        expect(manager.locator("#assignee")).to_have_text("光明物业服务中心")
        expect(manager.locator("#deadline")).to_have_text(deadline)
        shot(manager, "event-dispatched")

    # The doctor records the handling from the phone.
    page.goto(f"{live_server}{event_url}")
    expect(page.locator("#action-handle")).to_be_visible()
    expect(page.locator("#action-close")).to_have_count(0)
    page.locator("textarea[name=note]").fill(FEEDBACK)
    with page.expect_navigation():
        page.locator("#action-handle").click()
    expect(page.locator("#event-status")).to_contain_text("已处置")
    expect(page.locator("#feedback")).to_contain_text(FEEDBACK)
    _fits(page)
    shot(page, "event-handled-phone")

    # The manager verifies and closes it; the timeline tells the whole story.
    with signed_in(browser, live_server, "manager") as manager:
        manager.goto(f"{live_server}{event_url}")
        with manager.expect_navigation():
            manager.locator("#action-close").click()
        expect(manager.locator("#event-status")).to_contain_text("已办结")
        expect(manager.locator("#actions")).to_have_count(0)
        steps = manager.locator("#timeline tbody tr")
        expect(steps).to_have_count(5)
        for index, action in enumerate(("上报", "受理", "派遣处置", "填写处置反馈", "核查办结")):
            expect(steps.nth(index)).to_contain_text(action)
        expect(steps.nth(2)).to_contain_text("光明物业服务中心")
        expect(steps.nth(3)).to_contain_text(FEEDBACK)
        shot(manager, "event-closed")

    # Another team never sees it.
    with signed_in(browser, live_server, "doctor2") as other:
        assert other.goto(f"{live_server}{event_url}").status == 404


def test_the_centre_sees_the_emergency_waiting(page, live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/kpi/")
    entry = page.locator("#pending-emergencies")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("聚集性传染病疫情")
    expect(page.locator("#nav-events .badge.emergency")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#event-figures")).to_contain_text("合计")
    shot(page, "event-dashboard-emergency")


def test_event_list_fits_a_phone_and_marks_overdue(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    page.goto(f"{live_server}/events/")
    expect(page.locator("h1")).to_have_text("网格事件")
    expect(page.locator("#event-list tr.overdue").first).to_be_visible()
    _fits(page)
    shot(page, "event-list-phone")
