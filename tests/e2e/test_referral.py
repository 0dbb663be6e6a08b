"""Two-way referral in a real browser: a family doctor refers a resident up, the hospital's
referral desk accepts, marks arrival and completes with feedback, the doctor reads the
feedback; the desk sends a patient back down by ID number and the patient appears on the
right team's worklist."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from .conftest import login, shot, signed_in

FEEDBACK = "冠脉造影未见明显狭窄；原发性高血压3级，已调整为氨氯地平+缬沙坦，2周后社区复查血压。"


def _open_a_resident_with_an_id_number(page, live_server) -> tuple[str, str]:
    """From the archive search, the first active resident with an ID number: (name, ID)."""
    page.goto(f"{live_server}/records/residents")
    rows = page.locator("#resident-list tbody tr:not(.inactive)")
    expect(rows.first).to_be_visible()
    for index in range(rows.count()):
        row = rows.nth(index)
        if row.locator("td[data-label='身份证号']").inner_text().strip():
            with page.expect_navigation():
                row.locator("td a").first.click()
            break
    else:
        raise AssertionError("no resident with an ID number on the doctor's first page")
    assert re.fullmatch(r"/records/residents/\d+", urlsplit(page.url).path), page.url
    name = page.locator("h1").inner_text().split()[0]
    id_number = page.locator("#basic-info dt:has-text('身份证号') + dd").inner_text().strip()
    assert re.fullmatch(r"\d{17}[\dX]", id_number), id_number
    return name, id_number


def test_refer_up_accept_complete_and_send_back_down(page, browser, live_server):
    # The doctor opens a resident of their grid and refers them up.
    login(page, live_server, "doctor")
    name, id_number = _open_a_resident_with_an_id_number(page, live_server)
    expect(page.locator("#referrals")).to_be_visible()
    with page.expect_navigation():
        page.locator("#refer-up").click()
    expect(page.locator("h1")).to_contain_text("上转")
    form = page.locator("#referral-form")
    form.locator("select[name=to_institution_id]").select_option(label="区人民医院")
    form.locator("input[name=department]").fill("心血管内科")
    form.locator("select[name=urgency]").select_option("urgent")
    form.locator("textarea[name=initial_impression]").fill("高血压3级，冠心病待排")
    form.locator("textarea[name=reason]").fill("反复胸闷1周，血压 182/104 mmHg")
    form.locator("textarea[name=treatment]").fill("氨氯地平 5mg 每日一次")
    shot(page, "referral-up-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert re.fullmatch(r"/referrals/\d+", urlsplit(page.url).path), page.url
    referral_url = urlsplit(page.url).path
    expect(page.locator(".flash-success")).to_contain_text("区人民医院")
    expect(page.locator("#referral-status")).to_contain_text("待接收")
    expect(page.locator("#referral-status")).to_contain_text("紧急")
    expect(page.locator("#action-cancel")).to_be_visible()  # the sending side may cancel
    expect(page.locator("#action-accept")).to_have_count(0)

    # The hospital's referral desk sees it waiting, accepts, marks arrival, completes.
    with signed_in(browser, live_server, "hospital") as desk:
        badge = desk.locator("#nav-referrals .badge").first
        expect(badge).to_have_text(re.compile(r"^[1-9]\d*$"))
        desk.goto(f"{live_server}{referral_url}")
        expect(desk.locator("#patient")).to_contain_text(name)
        expect(desk.locator("#patient")).not_to_contain_text(id_number)  # masked
        expect(desk.locator("#open-archive")).to_have_count(0)
        shot(desk, "referral-desk-sees-request")
        with desk.expect_navigation():
            desk.locator("#action-accept").click()
        expect(desk.locator("#referral-status")).to_contain_text("已接收")
        with desk.expect_navigation():
            desk.locator("#action-arrive").click()
        expect(desk.locator("#referral-status")).to_contain_text("已到诊")
        desk.locator("textarea[name=note]").fill(FEEDBACK)
        with desk.expect_navigation():
            desk.locator("#action-complete").click()
        expect(desk.locator("#referral-status")).to_contain_text("已完成")
        expect(desk.locator("#actions")).to_have_count(0)
        pdf = desk.request.get(f"{live_server}{referral_url}/form.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body()[:5] == b"%PDF-"
        shot(desk, "referral-desk-completed")

        # The desk sends a patient of the doctor's grid back down, by ID number.
        desk.goto(f"{live_server}/referrals/")
        with desk.expect_navigation():
            desk.locator("#new-down").click()
        down = desk.locator("#down-form")
        down.locator("input[name=id_number]").fill(id_number)
        down.locator("input[name=patient_name]").fill(name)
        down.locator("select[name=to_institution_id]").select_option(index=1)
        down.locator("textarea[name=diagnosis]").fill("不稳定型心绞痛，PCI 术后")
        down.locator("input[name=inpatient_no]").fill("ZY20260001")
        down.locator("textarea[name=key_results]").fill("冠脉造影：前降支狭窄 90%，已植入支架 1 枚")
        down.locator("textarea[name=treatment_advice]").fill("阿司匹林 100mg qd，氯吡格雷 75mg qd")
        down.locator("textarea[name=rehab_advice]").fill("心脏康复运动，低盐低脂饮食")
        down.locator("textarea[name=reason]").fill("病情稳定，转回社区继续治疗")
        shot(desk, "referral-down-form")
        with desk.expect_navigation():
            down.locator("button[type=submit]").click()
        assert re.fullmatch(r"/referrals/\d+", urlsplit(desk.url).path), desk.url
        expect(desk.locator(".flash-success")).to_contain_text("访视")
        down_url = urlsplit(desk.url).path

    # The doctor reads the feedback and the full history.
    page.goto(f"{live_server}{referral_url}")
    expect(page.locator("#referral-status")).to_contain_text("已完成")
    expect(page.locator("#feedback")).to_contain_text(FEEDBACK)
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(3)).to_contain_text("hospital")
    expect(history.nth(3)).to_contain_text(FEEDBACK)
    shot(page, "referral-doctor-sees-feedback")

    # The down referral waits on the doctor's worklist, due within 14 days.
    page.goto(f"{live_server}/chronic/worklist")
    section = page.locator("#down-referral-list")
    expect(section).to_contain_text(name)
    expect(section).to_contain_text("不稳定型心绞痛")
    expect(page.locator("#nav-referrals .badge").first).to_have_text(re.compile(r"^[1-9]\d*$"))
    shot(page, "referral-worklist-down")
    with page.expect_navigation():
        section.locator(f"a.who[href='{down_url}']").click()
    expect(page.locator("#assigned-team")).not_to_contain_text("待分派")
    expect(page.locator("#action-accept")).to_be_visible()


def test_another_team_never_sees_the_referral(page, browser, live_server):
    """doctor2 (another team) gets 404 for a referral of the first team."""
    login(page, live_server, "doctor")
    _name, _id = _open_a_resident_with_an_id_number(page, live_server)
    with page.expect_navigation():
        page.locator("#refer-up").click()
    form = page.locator("#referral-form")
    form.locator("select[name=to_institution_id]").select_option(label="区人民医院")
    form.locator("textarea[name=reason]").fill("血糖控制不佳")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    referral_url = urlsplit(page.url).path
    with signed_in(browser, live_server, "doctor2") as other:
        response = other.goto(f"{live_server}{referral_url}")
        assert response.status == 404


def test_referral_pages_fit_a_phone(phone_page, live_server):
    page = phone_page
    login(page, live_server, "hospital")
    for path, name in (("/referrals/", "referral-list-phone"),
                       ("/referrals/new-down", "referral-down-form-phone")):
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
        shot(page, name)
