"""Excel import of households and residents: template, all-or-nothing, the report, the CLI."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale
from hypothesis import given, settings, strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from healthgrid.auth.models import AuditEntry
from healthgrid.auth.scope import Scope
from healthgrid.forms import translate_errors
from healthgrid.org.models import Community
from healthgrid.records import imports
from healthgrid.records.imports import reading
from healthgrid.records.imports.rowloader import RowLoader
from healthgrid.records.exports import template_workbook
from healthgrid.records.models import Household, Resident
from healthgrid.records.schemas import HouseholdSchema, ResidentBaseSchema
from tests import factories
from tests.helpers import csrf_from

ADMIN = Scope(None, None, None, "admin")
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
READERS = [reading.rows_openpyxl]
try:
    import python_calamine  # noqa: F401
    READERS.append(reading.rows_calamine)
except ImportError:  # the openpyxl fallback is what runs then
    pass


def resident_rows(district, households: int = 100, members: int = 3) -> list[dict]:
    """Valid rows: households alternate between the district's two grids; birth dates
    (hence ID numbers) differ on every row."""
    rows = []
    for h in range(households):
        grid = district.grids[h % 2]
        for m in range(members):
            i = h * members + m
            birth = date(1940, 1, 1) + timedelta(days=i * 37)
            sex = "male" if i % 2 else "female"
            rows.append({
                "household_key": f"户{h:03d}", "grid_code": grid.code,
                "address": f"幸福里{h}号", "name": SURNAMES[h % 10] + GIVEN[m] + GIVEN[i % 10],
                "sex": "男" if sex == "male" else "女",
                "birth_date": datetime(birth.year, birth.month, birth.day),
                "id_number": factories.id_number_for(birth, sex, i),
                "relation_to_head": "户主" if m == 0 else "子女"})
    return rows


def xlsx(rows: list[dict], *, blank_rows_before: dict[int, int] | None = None) -> bytes:
    """The template filled with `rows` (column code -> cell value) from row 3 on."""
    workbook = load_workbook(BytesIO(template_workbook().save()))
    sheet = workbook.worksheets[0]
    index = {column.code: n for n, column in enumerate(imports.COLUMNS, start=1)}
    excel_row = imports.FIRST_DATA_ROW
    for n, row in enumerate(rows):
        excel_row += (blank_rows_before or {}).get(n, 0)
        for code, value in row.items():
            sheet.cell(row=excel_row, column=index[code], value=value)
        excel_row += 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(content: bytes, scope=ADMIN, locale="zh_CN", **kwargs):
    with force_locale(locale):
        return imports.import_residents(BytesIO(content), filename="居民.xlsx", scope=scope,
                                        day=date(2025, 3, 1), **kwargs)


def count(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def upload(client, content: bytes, filename: str = "居民.xlsx"):
    token = csrf_from(client, "/records/import")
    return client.post("/records/import", data={"csrf_token": token,
                                                "file": (BytesIO(content), filename)},
                       content_type="multipart/form-data")


def errors_of(report) -> set[tuple]:
    return {(e.row, e.column) for e in report.errors}


# --- the template --------------------------------------------------------------------

def test_template_download_has_chinese_headers_and_field_codes(login_as):
    response = login_as("manager").get("/records/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:4] == ["户编号*", "机构编码", "社区编码", "网格编码*"]
    assert "姓名*" in titles and "身份证号" in titles and "出生日期*" in titles
    assert [cell.value for cell in sheet[2]] == [c.code for c in imports.COLUMNS]


# --- a good file ---------------------------------------------------------------------

def test_good_file_imports_whole_with_archive_numbers_in_row_order(login_as, district, db):
    manager = login_as("manager")
    rows = resident_rows(district)
    response = upload(manager, xlsx(rows))
    assert response.status_code == 302
    assert "已导入 300 名居民，共 100 户" in manager.get(response.headers["Location"]) \
        .get_data(as_text=True)

    residents = db.session.scalars(select(Resident).order_by(Resident.archive_no)).all()
    assert len(residents) == 300 and count(db, Household) == 100
    prefix = f"110105001{district.community.code}"
    assert [r.archive_no for r in residents] == [f"{prefix}{n:05d}" for n in range(1, 301)]
    assert [r.id_number for r in residents] == [row["id_number"] for row in rows]
    db.session.expire_all()
    assert db.session.get(Community, district.community.id).archive_seq == 300
    first, fourth = residents[0], residents[3]
    assert first.grid_id == district.grids[0].id and fourth.grid_id == district.grids[1].id
    assert first.household.grid_id == first.grid_id and first.household.address == "幸福里0号"
    assert first.household.head_name == first.name == "王伟伟"
    assert first.name_initials == "www" and first.relation_to_head == "head"
    assert first.sex == "female" and first.birth_date == date(1940, 1, 1)
    assert first.created_on and first.status == "active" and first.version == 1
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "records.import")).all()
    assert len(entries) == 1 and entries[0].user_id == manager.user.id
    assert "households=100" in entries[0].detail and "residents=300" in entries[0].detail


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_both_readers_import_the_same_file_the_same_way(district, db, reader):
    rows = resident_rows(district, households=4)
    rows[0]["phone"] = 13912345678          # a number cell
    rows[1]["birth_date"] = "1940/2/7"      # text, not an Excel date
    report = run_import(xlsx(rows, blank_rows_before={2: 1}), reader=reader)
    assert report.ok, report.errors
    stored = db.session.scalars(select(Resident).order_by(Resident.archive_no)).all()
    assert len(stored) == 12 and stored[0].phone == "13912345678"
    assert stored[1].birth_date == date(1940, 2, 7)


def test_labels_codes_and_date_spellings_are_all_understood(district, db):
    rows = resident_rows(district, households=1, members=3)
    rows[0] |= {"sex": "female", "residence_type": "非户籍", "archive_medium": "纸质",
                "pregnant": "是", "blood_type": "AB", "payment_type": "城乡居民基本医疗保险",
                "birth_date": "1940年1月1日", "phone": "010-12345678"}
    rows[1] |= {"sex": "Male", "relation_to_head": "spouse", "archive_medium": "paper",
                "disabled": "yes", "birth_date": "19400207"}
    rows[2] |= {"relation_to_head": "Child", "severe_mental_illness": "否",
                "birth_date": date(1940, 3, 15), "blood_type": "不详"}
    report = run_import(xlsx(rows))
    assert report.ok, report.errors
    a, b, c = db.session.scalars(select(Resident).order_by(Resident.archive_no)).all()
    assert (a.sex, a.residence_type, a.archive_medium, a.pregnant, a.blood_type,
            a.payment_type, a.phone) == ("female", "non_registered", "paper", True, "AB",
                                         "resident_insurance", "010-12345678")
    assert (b.sex, b.relation_to_head, b.disabled, b.birth_date) == (
        "male", "spouse", True, date(1940, 2, 7))
    assert (c.relation_to_head, c.severe_mental_illness, c.blood_type) == (
        "child", False, "unknown")


def test_unknown_choices_and_flags_are_explained(district, db):
    rows = resident_rows(district, households=1)
    rows[0] |= {"sex": "未知", "pregnant": "也许"}
    report = run_import(xlsx(rows))
    messages = {e.column: e.message for e in report.errors}
    assert set(messages) == {"sex", "pregnant"}
    assert messages["sex"] == "“未知”不是以下选项之一：男 / 女。"
    assert messages["pregnant"] == "“也许”既不是“是”也不是“否”。"


def test_household_columns_may_be_filled_on_the_first_row_only(district, db):
    rows = resident_rows(district, households=2)
    for row in (rows[1], rows[2], rows[4], rows[5]):
        del row["grid_code"], row["address"]
    assert run_import(xlsx(rows)).ok
    assert count(db, Household) == 2 and count(db, Resident) == 6


def test_residents_imported_signal_is_sent_once_with_the_new_ids(district, db):
    received = []

    def listener(sender, resident_ids, day):
        received.append((resident_ids, day))

    imports.residents_imported.connect(listener)
    try:
        report = run_import(xlsx(resident_rows(district, households=3)))
    finally:
        imports.residents_imported.disconnect(listener)
    assert len(received) == 1
    ids, day = received[0]
    assert ids == report.resident_ids and len(ids) == 9 and day == date(2025, 3, 1)
    assert sorted(db.session.scalars(select(Resident.id))) == sorted(ids)


# --- a file with bad rows imports nothing --------------------------------------------

def _bad_checksum(rows):
    good = rows[57]["id_number"]
    rows[57]["id_number"] = good[:-1] + ("0" if good[-1] != "0" else "1")
    return 60, "id_number", "校验位不正确"


def _unknown_grid(rows):
    for row in rows[150:153]:  # household 050, on rows 153-155
        row["grid_code"] = "无此网格"
    return 153, "grid_code", "没有此编码的网格"


def _duplicate_in_file(rows):
    rows[200]["id_number"] = rows[10]["id_number"]
    rows[200]["birth_date"] = rows[10]["birth_date"]
    rows[200]["sex"] = rows[10]["sex"]
    return 203, "id_number", "与第 13 行的身份证号相同"


def _missing_name(rows):
    del rows[299]["name"]
    return 302, "name", "此项为必填项"


def _bad_date(rows):
    rows[3]["birth_date"] = "1980-13-45"
    del rows[3]["id_number"]
    return 6, "birth_date", "请输入有效日期"


BAD_ROWS = [_bad_checksum, _unknown_grid, _duplicate_in_file, _missing_name, _bad_date]


@pytest.mark.parametrize("spoil", BAD_ROWS, ids=lambda f: f.__name__.strip("_"))
def test_one_bad_row_among_many_good_ones_imports_nothing(district, db, spoil):
    rows = resident_rows(district)
    row, column, reason = spoil(rows)
    before = db.session.get(Community, district.community.id).archive_seq
    report = run_import(xlsx(rows))
    assert errors_of(report) == {(row, column)}
    assert reason in report.errors[0].message
    assert count(db, Resident) == 0 and count(db, Household) == 0
    assert db.session.get(Community, district.community.id).archive_seq == before
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "records.import")) is None


def test_page_reports_every_bad_row_column_and_reason_in_chinese(login_as, district, db):
    rows = resident_rows(district)
    expected = [spoil(rows) for spoil in BAD_ROWS]
    response = upload(login_as("manager"), xlsx(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未导入任何数据" in page and "5 处问题，涉及 5 行" in page
    for row, column, reason in expected:
        title = {"id_number": "身份证号", "grid_code": "网格编码", "name": "姓名",
                 "birth_date": "出生日期"}[column]
        assert f'<td class="num" data-label="行号">{row}</td>' in page
        assert title in page and reason in page
    assert count(db, Resident) == 0


def test_id_number_already_registered_is_reported(district, db):
    rows = resident_rows(district, households=2)
    existing = factories.resident(factories.household(district.grids[0]), name="老住户",
                                  birth_date=rows[4]["birth_date"].date(), sex="female",
                                  id_number=rows[4]["id_number"])
    report = run_import(xlsx(rows))
    assert errors_of(report) == {(7, "id_number")}
    assert report.errors[0].message == "已有其他居民使用该身份证号。"
    assert count(db, Resident) == 1 and existing.id


def test_id_number_stored_as_a_number_is_explained(district, db):
    rows = resident_rows(district, households=1)
    rows[0]["id_number"] = 110105194001010022  # Excel keeps 15 digits of this
    report = run_import(xlsx(rows))
    assert errors_of(report) == {(3, "id_number")}
    assert "文本" in report.errors[0].message


def test_members_disagreeing_on_their_household_are_reported(district, db):
    rows = resident_rows(district, households=2)
    rows[1]["address"] = "别的地址"
    report = run_import(xlsx(rows))
    assert errors_of(report) == {(4, "address")}
    assert "第 3 行" in report.errors[0].message


def test_row_numbers_are_those_excel_shows_despite_blank_rows(district, db):
    rows = resident_rows(district, households=2)
    del rows[4]["name"]
    report = run_import(xlsx(rows, blank_rows_before={2: 3}))
    assert errors_of(report) == {(10, "name")}


def test_unknown_and_missing_columns_are_reported_on_row_1(district, db):
    workbook = load_workbook(BytesIO(template_workbook().save()))
    sheet = workbook.worksheets[0]
    sheet.cell(row=1, column=7, value="名字")   # instead of 姓名*
    sheet.cell(row=2, column=7, value=None)
    buffer = BytesIO()
    workbook.save(buffer)
    report = run_import(buffer.getvalue())
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "名字" in messages[(1, None)] and (1, "name") in messages


def test_english_report_for_english_users(district, db):
    rows = resident_rows(district, households=1)
    del rows[0]["name"]
    report = run_import(xlsx(rows), locale="en")
    assert report.errors[0].message == "Missing data for required field."
    with force_locale("en"):
        assert report.errors[0].column_title == "G Full name"


def test_not_an_excel_file_is_refused_with_a_reason(login_as, db):
    response = upload(login_as("manager"), b"name,sex\n", filename="list.xlsx")
    assert response.status_code == 422
    assert "不是 Excel .xlsx 文件" in response.get_data(as_text=True)


# --- who may import where --------------------------------------------------------------

def test_manager_cannot_import_into_another_centres_grid(login_as, district, db):
    other = factories.institution(name="别的中心")
    foreign = factories.grid(factories.community(other), code="FOREIGN1")
    rows = resident_rows(district, households=3)
    for row in rows[3:6]:
        row["grid_code"] = foreign.code
    response = upload(login_as("manager"), xlsx(rows))
    assert response.status_code == 422
    assert "没有此编码的网格" in response.get_data(as_text=True)
    assert count(db, Resident) == 0


def test_admin_may_import_into_any_centres_grid(district, db):
    other = factories.institution(name="别的中心")
    foreign = factories.grid(factories.community(other), code="FOREIGN2")
    rows = resident_rows(district, households=1)
    for row in rows:
        row["grid_code"] = foreign.code
    assert run_import(xlsx(rows)).ok
    assert set(db.session.scalars(select(Resident.grid_id))) == {foreign.id}


@pytest.mark.parametrize("role", ["doctor", "referral_desk"])
def test_only_managers_and_admins_may_import(login_as, role):
    client = login_as(role)
    assert client.get("/records/import").status_code == 403
    assert client.get("/records/import/template.xlsx").status_code == 403


def test_doctor_cannot_post_a_file_either(login_as, district, db):
    doctor = login_as("doctor")
    token = csrf_from(doctor, "/records/residents")
    response = doctor.post("/records/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (BytesIO(xlsx(resident_rows(district, 1))), "a.xlsx")})
    assert response.status_code == 403
    assert count(db, Resident) == 0


# --- the command line ----------------------------------------------------------------

def test_cli_imports_a_good_file(app, district, db, tmp_path):
    path = tmp_path / "居民.xlsx"
    path.write_bytes(xlsx(resident_rows(district, households=5)))
    result = app.test_cli_runner().invoke(args=["records", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 15 名居民，共 5 户" in result.stdout
    assert count(db, Resident) == 15


def test_cli_prints_the_report_and_fails_on_a_bad_file(app, district, db, tmp_path):
    rows = resident_rows(district, households=5)
    del rows[7]["name"]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(rows))
    result = app.test_cli_runner().invoke(args=["records", "import", str(path)])
    assert result.exit_code == 1
    assert "10\tG 姓名\t此项为必填项。" in result.stdout
    assert count(db, Resident) == 0


def test_cli_dry_run_checks_without_writing(app, district, db, tmp_path):
    path = tmp_path / "ok.xlsx"
    path.write_bytes(xlsx(resident_rows(district, households=2)))
    result = app.test_cli_runner().invoke(args=["records", "import", "--dry-run", str(path)])
    assert result.exit_code == 0 and "6" in result.stdout
    assert count(db, Resident) == 0


def test_cli_writes_the_template(app, tmp_path):
    out = tmp_path / "template.xlsx"
    result = app.test_cli_runner().invoke(args=["records", "template", str(out)])
    assert result.exit_code == 0
    assert load_workbook(out).worksheets[0]["A2"].value == "household_key"


# --- RowLoader is Schema.load, faster ------------------------------------------------

_BIRTH = date(1980, 2, 3)
_CANDIDATES = {
    "name": ["张三", "", "  ", "x" * 65, "坏\x01名", 5],
    "sex": ["male", "female", "男", None],
    "birth_date": ["1980-02-03", "2999-01-01", "1800-01-01", "1980-13-45", None],
    "id_number": [factories.id_number_for(_BIRTH, "male", 1),
                  factories.id_number_for(_BIRTH, "female", 2),
                  factories.id_number_for(date(1990, 1, 1), "male", 3),
                  "11010519800203001X", "123", " ", None],
    "phone": ["13912345678", "010-12345678", "12345", None],
    "relation_to_head": ["head", "spouse", "cousin", None],
    "residence_type": ["registered", "elsewhere"],
    "ethnicity": ["汉族", "x" * 17],
    "blood_type": ["AB", "Z"],
    "payment_type": ["self_paid", "free"],
    "allergies": ["青霉素", "a" * 501],
    "pregnant": [True, False, "yes", "maybe"],
    "disabled": [True, "no"],
    "archive_medium": ["paper", "stone"],
    "unknown_field": ["x"],
}
_LOADER = RowLoader(ResidentBaseSchema())


@settings(max_examples=300)
@given(st.fixed_dictionaries({}, optional={k: st.sampled_from(v)
                                           for k, v in _CANDIDATES.items()}))
def test_row_loader_decides_as_schema_load_does(app, data):
    from marshmallow import ValidationError
    with app.test_request_context():
        try:
            expected, expected_errors = ResidentBaseSchema().load(data), {}
        except ValidationError as exc:
            expected, expected_errors = None, translate_errors(exc.messages)
        loaded, errors = _LOADER.load(dict(data))
        assert loaded == expected
        assert translate_errors(errors) == expected_errors


def test_row_loader_runs_household_schema_too(app):
    loader = RowLoader(HouseholdSchema())
    with app.test_request_context():
        assert loader.load({"grid_id": 1, "address": "幸福里1号", "phone": "13912345678"}) == (
            {"grid_id": 1, "address": "幸福里1号", "phone": "13912345678", "head_name": None}, {})
        assert set(loader.load({"grid_id": 1, "phone": "1"})[1]) == {"address", "phone"}
