"""Residents exported to Excel: masked identifiers, the searcher's scope, audited."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from healthgrid.auth.models import AuditEntry
from healthgrid.records import rules
from tests import factories


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(BytesIO(response.data)).worksheets[0]


def cell_values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_export_shows_identifiers_masked_only(login_as, district, db):
    hh = factories.household(district.grids[0])
    one = factories.resident(hh, name="张三", phone="13812341234", relation_to_head="head")
    two = factories.resident(hh, name="李四", sex="female", birth_date=date(1975, 6, 7),
                             phone="010-66778899")
    manager = login_as("manager")
    rows = cell_values(sheet_of(manager.get("/records/export.xlsx")))
    assert rows[0][:6] == ["档案编号", "姓名", "性别", "出生日期", "身份证号", "电话"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"张三", "李四"}
    assert by_name["张三"][4] == rules.mask_id_number(one.id_number)
    assert by_name["张三"][5] == "138****1234"
    assert by_name["张三"][2] == "男" and by_name["张三"][9] == "户主"
    assert by_name["李四"][5] == "010****8899"
    everything = " ".join(str(v) for row in rows for v in row)
    for secret in (one.id_number, two.id_number, "13812341234", "66778899"):
        assert secret not in everything
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "records.export"))
    assert entry.user_id == manager.user.id and "residents=2" in entry.detail


def test_export_follows_scope_and_the_search_filters(login_as, district, db):
    mine = factories.household(district.grids[0])
    factories.resident(mine, name="张甲")
    factories.resident(mine, name="王乙")
    factories.resident(factories.household(district.grids[1]), name="张外")
    doctor = login_as("doctor")  # team A: the first grid only

    def names(url):
        return sorted(row[1] for row in cell_values(sheet_of(doctor.get(url)))[1:])

    assert names("/records/export.xlsx") == ["张甲", "王乙"]
    assert names("/records/export.xlsx?q=张") == ["张甲"]
    assert names(f"/records/export.xlsx?grid_id={district.grids[1].id}") == []
    manager = login_as("manager")
    other_grid = f"/records/export.xlsx?grid_id={district.grids[1].id}"
    rows = cell_values(sheet_of(manager.get(other_grid)))
    assert [row[1] for row in rows[1:]] == ["张外"]


def test_text_that_looks_like_a_formula_stays_text(login_as, district, db):
    factories.resident(factories.household(district.grids[0], address="=HYPERLINK(\"x\")"),
                       name="=1+1")
    sheet = sheet_of(login_as("manager").get("/records/export.xlsx"))
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert sheet["I2"].data_type == "s"


def test_english_users_get_english_headers_and_labels(login_as, district, db):
    factories.resident(factories.household(district.grids[0]), name="张三")
    manager = login_as("manager")
    with manager.session_transaction() as session:
        session["lang"] = "en"
    rows = cell_values(sheet_of(manager.get("/records/export.xlsx")))
    assert rows[0][:3] == ["Archive no.", "Full name", "Sex"] and rows[1][2] == "Male"


def test_referral_desk_cannot_export(login_as):
    assert login_as("referral_desk").get("/records/export.xlsx").status_code == 403


def test_residents_page_links_export_for_all_and_import_for_managers(login_as):
    doctor_page = login_as("doctor").get("/records/residents?q=张").get_data(as_text=True)
    assert "/records/export.xlsx?q=" in doctor_page and "/records/import" not in doctor_page
    manager_page = login_as("manager").get("/records/residents").get_data(as_text=True)
    assert "/records/export.xlsx" in manager_page and 'href="/records/import"' in manager_page
