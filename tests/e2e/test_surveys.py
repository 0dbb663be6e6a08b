"""Surveys in a real browser: the manager reads a grid's public survey link, a resident
answers it on a phone without an account (once a day), and the manager sees the answer
counted; a team member records door-to-door answers on a phone; "find my team"."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from .conftest import login, shot

COMMENT = "扫码填写很方便，感谢团队上门测血压"


def _grid_results(page, live_server, grid_id: str) -> tuple[int, str]:
    """(responses, awareness text) of one grid on the results page for this year."""
    page.goto(f"{live_server}/surveys/results")
    row = page.locator(f"#grid-results tbody tr[data-grid='{grid_id}']")
    expect(row).to_be_visible()
    cells = row.locator("td")
    return int(cells.nth(2).inner_text().strip()), cells.nth(3).inner_text().strip()


def test_resident_answers_the_public_survey_on_a_phone_and_it_is_counted(page, phone_page,
                                                                          live_server):
    login(page, live_server, "manager")
    page.goto(f"{live_server}/surveys/links")
    expect(page.locator("h1")).to_have_text("满意度调查")
    row = page.locator("#survey-links tbody tr").first
    grid_id = row.get_attribute("data-grid")
    grid_name = row.locator("td").first.inner_text().split("·")[-1].strip()
    survey_url = row.locator("a.survey-url").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(live_server)}/s/[\w.-]+", survey_url), survey_url
    expect(row.locator("img.qr-thumb")).to_be_visible()
    shot(page, "survey-links")
    before, _ = _grid_results(page, live_server, grid_id)

    phone = phone_page
    phone.goto(survey_url)
    expect(phone.locator("h1")).to_have_text("居民满意度调查")
    expect(phone.locator("#survey-grid")).to_contain_text(grid_name)
    form = phone.locator("#public-survey-form")
    # Each big answer button is a radio covering its caption: a tap anywhere on it counts.
    form.locator("input[name=aware][value='1']").tap()
    form.locator("input[name=knows_doctor][value='1']").tap()
    five = form.locator("input[name=satisfaction][value='5']")
    expect(five.locator("xpath=following-sibling::span")).to_contain_text("非常满意")
    five.tap()
    expect(five).to_be_checked()
    form.locator("textarea[name=comment]").fill(COMMENT)
    shot(phone, "public-survey-phone")
    with phone.expect_navigation():
        phone.locator("#survey-submit").tap()
    expect(phone.locator(".flash-success")).to_contain_text("您的回答已保存")
    expect(phone.locator("#survey-done")).to_be_visible()
    expect(phone.locator("#public-survey-form")).to_have_count(0)
    shot(phone, "public-survey-thanks")
    # Nothing on the page reads back anyone's answers, not even one's own.
    assert COMMENT not in phone.content()

    # The same phone opens the link again the same day: no second form.
    phone.goto(survey_url)
    expect(phone.locator("#survey-done")).to_be_visible()
    expect(phone.locator("#public-survey-form")).to_have_count(0)

    after, _ = _grid_results(page, live_server, grid_id)
    assert after == before + 1, (before, after)
    expect(page.locator("#comments")).to_contain_text(COMMENT)
    shot(page, "survey-results")


def test_forged_survey_link_is_not_found(phone_page, live_server):
    response = phone_page.goto(f"{live_server}/s/eyJnIjoxfQ.forged-signature")
    assert response.status == 404


def test_team_member_records_answers_door_to_door_on_a_phone(phone_page, live_server):
    page = phone_page
    login(page, live_server, "doctor")
    page.goto(f"{live_server}/surveys/")
    form = page.locator("#survey-form")
    grid = form.locator("select[name=grid_id]")
    if not grid.input_value():
        grid.select_option(index=1)
    chosen = grid.input_value()
    counts = []
    for household in range(2):
        form = page.locator("#survey-form")
        form.locator("input[name=channel][value=phone]").tap()
        form.locator("input[name=aware][value='1']").tap()
        form.locator("input[name=satisfaction][value='4']").tap()
        if household == 0:
            shot(page, "survey-entry-phone")
        with page.expect_navigation():
            page.locator("#survey-save").tap()
        expect(page.locator(".flash-success")).to_contain_text("已保存")
        # Ready for the next household: grid and channel kept, answers empty.
        expect(page.locator("select[name=grid_id]")).to_have_value(chosen)
        expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
        expect(page.locator("input[name=aware]:checked")).to_have_count(0)
        counts.append(_recorded_today(page))
    assert counts[0] >= 1 and counts[1] == counts[0] + 1, counts
    shot(page, "survey-entry-after-two")


def _recorded_today(page) -> int:
    counter = page.locator("#recorded-today")
    if not counter.count():
        return 0
    return int(re.search(r"\d+", counter.inner_text()).group())


def test_resident_finds_their_team_on_a_phone(phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server}/team")
    expect(page.locator("h1")).to_have_text("查找我的家庭健康责任团队")
    page.locator("select[name=community_id]").select_option(index=1)
    with page.expect_navigation():
        page.locator("#pick-grid button[type=submit]").tap()
    page.locator("select[name=grid_id]").select_option(index=1)
    with page.expect_navigation():
        page.locator("#pick-grid button[type=submit]").tap()
    assert urlsplit(page.url).path == "/team"
    card = page.locator("#team-card")
    expect(card.locator("#team-name")).to_be_visible()
    members = card.locator("#team-members tbody")
    roles = {r.strip() for r in members.locator("td:nth-child(1)").all_inner_texts()}
    assert {"全科医生", "护士", "公卫人员"} <= roles, roles
    phones = [p.strip() for p in members.locator("td:nth-child(3)").all_inner_texts()]
    assert any(re.fullmatch(r"[\d-]{7,}", p) for p in phones), phones
    shot(page, "find-my-team-phone")
