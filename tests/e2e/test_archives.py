"""Archives in a real browser: a doctor on a phone registers a household and a member, is
refused a wrong ID number, and finds the new resident by pinyin initials (typed in ASCII
and in a Chinese input method's full-width mode)."""
from __future__ import annotations

import random
import re
from datetime import date
from urllib.parse import urlsplit

from playwright.sync_api import expect
from stdnum.cn import ric

from ..helpers import full_width
from .conftest import login, shot

NAME = "欧阳晓燕婷"          # pinyin initials oyxyt: no demo resident has them
INITIALS = "oyxyt"
BIRTH = date(1984, 5, 17)


def an_id_number(birth: date, female: bool) -> str:
    """A valid ID number (GB 11643) of someone born on `birth`, not in the demo district
    (its sequence is drawn at random; the demo's own come from a seeded generator)."""
    sequence = random.Random().randrange(0, 999, 2) + (0 if female else 1)
    body = f"110105{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "?")  # it reads the digits before the last


def search(page, q: str):
    page.goto("/records/residents")
    page.locator("#f-q").fill(q)
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    return page.locator("#resident-list tbody tr")


def test_doctor_registers_a_household_and_finds_the_member_by_initials(phone_page,
                                                                       live_server):
    page = phone_page
    login(page, live_server, "doctor")

    # The household, in the doctor's own grid (the only grids the form offers).
    page.goto("/records/households/new")
    grids = page.locator("select[name=grid_id] option:not([value=''])")
    expect(grids.first).to_be_attached()
    page.locator("select[name=grid_id]").select_option(grids.first.get_attribute("value"))
    page.locator("input[name=address]").fill("3号楼2单元501室")
    page.locator("input[name=head_name]").fill(NAME)
    with page.expect_navigation():
        page.get_by_role("button", name="登记并添加成员").click()
    member_form = urlsplit(page.url).path
    assert re.fullmatch(r"/records/households/\d+/members/new", member_form), page.url
    shot(page, "archive-new-member-phone")

    # A wrong ID number (birth date not the one entered): refused, the field says why.
    id_number = an_id_number(BIRTH, female=True)
    form = page.locator("#resident-form")
    form.locator("input[name=name]").fill(NAME)
    form.locator("select[name=sex]").select_option("female")
    form.locator("input[name=birth_date]").fill("1984-05-18")
    form.locator("input[name=id_number]").fill(id_number)
    with page.expect_navigation():
        form.get_by_role("button", name="保存", exact=True).click()
    error = page.locator("#resident-form .error")
    expect(error.first).to_be_visible()
    assert "出生日期" in " ".join(error.all_inner_texts())
    shot(page, "archive-id-refused-phone")
    assert search(page, INITIALS).filter(has_text=NAME).count() == 0  # nothing was saved

    # The right birth date: saved, with a 17-digit archive number.
    page.goto(member_form)
    form.locator("input[name=name]").fill(NAME)
    form.locator("select[name=sex]").select_option("female")
    form.locator("input[name=birth_date]").fill(BIRTH.isoformat())
    form.locator("input[name=id_number]").fill(id_number)
    with page.expect_navigation():
        form.get_by_role("button", name="保存", exact=True).click()
    assert re.fullmatch(r"/records/households/\d+", urlsplit(page.url).path), page.url
    expect(page.locator(".flash").first).to_contain_text(NAME)
    archive_no = re.search(r"\d{17}", page.locator(".flash").first.inner_text()).group(0)

    # Found by pinyin initials, listed with the ID number masked.
    for typed in (INITIALS, INITIALS.upper(), full_width(INITIALS)):
        rows = search(page, typed)
        found = rows.filter(has_text=NAME)
        expect(found).to_have_count(1)
        assert archive_no in found.inner_text()
        assert id_number not in page.content()
        assert f"{id_number[:6]}********{id_number[-4:]}" in found.inner_text()
    shot(page, "archive-search-initials-phone")

    # Its archive page shows the ID number in full (an audited view).
    with page.expect_navigation():
        found.get_by_role("link", name=NAME).click()
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.locator("body")).to_contain_text(id_number)
    expect(page.locator("body")).to_contain_text(archive_no)
    shot(page, "archive-resident-phone")

    # A family-doctor contract with the grid's team, signed from the archive page.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^与.+签约$")).click()
    expect(page.locator(".flash").first).to_contain_text("已签约")
    expect(page.get_by_role("button", name="续约一年")).to_be_visible()
    shot(page, "archive-contract-signed-phone")
