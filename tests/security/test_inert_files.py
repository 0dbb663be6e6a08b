"""Every file HealthGrid hands out is inert: what a user typed is text in every workbook
(never a formula), event photos carry no metadata, download names are safe everywhere."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from healthgrid.clock import today
from healthgrid.downloads import XLSX_MIMETYPE
from healthgrid.kpi import rules as kpi_rules
from healthgrid.workbooks import Workbook
from tests.helpers import csrf_from, press

PACKAGE = Path(__file__).resolve().parents[2] / "healthgrid"

# Each start a spreadsheet reads as a formula or a DDE call, a real phishing link, an error
# code, a line break.
HOSTILE = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
           '=HYPERLINK("http://evil.example/","点击查看")', "#N/A", "=1\n+2", "第一行\r\n=第二行"]


def cells(data: bytes):
    book = load_workbook(BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def assert_inert(data: bytes, *texts: str) -> None:
    """No formula (nor error) cell anywhere in the workbook, and each text there as typed."""
    found = cells(data)
    formulas = [(c.parent.title, c.coordinate, c.value) for c in found if c.data_type == "f"
                or (isinstance(c.value, str) and c.data_type != "s")]
    assert not formulas, formulas
    values = {c.value for c in found}
    missing = [text for text in texts if text not in values]
    assert not missing, missing


def test_the_writer_keeps_typed_text_as_text_and_numbers_as_numbers():
    for streaming in (False, True):
        book = Workbook(streaming=streaming)
        sheet = book.sheet("=sheet")
        sheet.row(HOSTILE, style="bold")
        sheet.row(HOSTILE)
        sheet.row([1, 2.5, date(2026, 1, 2), None, "普通文字"])
        data = book.save()
        assert_inert(data, *HOSTILE)
        rows = list(load_workbook(BytesIO(data)).active.iter_rows())
        assert [c.value for c in rows[1]] == HOSTILE
        # Typing over such a cell in Excel keeps it text (the quote prefix, not shown).
        assert all(c.quotePrefix for c in rows[1][:6])
        numbers = rows[2]
        assert [c.value for c in numbers[:3]] == [1, 2.5, datetime(2026, 1, 2)]
        assert [c.data_type for c in numbers[:3]] == ["n", "n", "d"]
        assert not numbers[4].quotePrefix


def test_no_module_writes_a_workbook_or_csv_around_the_writer():
    """Only healthgrid/workbooks.py writes cells; others may read workbooks (the import)."""
    writer = PACKAGE / "workbooks.py"
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == writer:
            continue
        source = path.read_text(encoding="utf-8")
        for line in source.splitlines():
            imports_openpyxl = re.match(r"\s*(from|import)\s+openpyxl\b", line)
            if imports_openpyxl and not re.match(
                    r"\s*from openpyxl(\.utils)? import (load_workbook|get_column_letter)\b",
                    line):
                offenders.append(f"{path.relative_to(PACKAGE)}: {line.strip()}")
        if re.search(r"\bcsv\.(writer|DictWriter)\b|import csv\b", source):
            offenders.append(f"{path.relative_to(PACKAGE)}: writes CSV")
    assert not offenders, offenders


# --- download names ----------------------------------------------------------------------

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def names_of(response) -> tuple[str, str, str]:
    """(disposition, the ASCII fallback name, the real name) of a download."""
    header = response.headers["Content-Disposition"]
    match = re.fullmatch(r'(attachment|inline); filename="([\x20-\x7e]+)"; '
                         r"filename\*=UTF-8''([A-Za-z0-9%._~-]+)", header)
    assert match, header
    assert '"' not in match.group(2) and "\\" not in match.group(2)
    return match.group(1), match.group(2), unquote(match.group(3), errors="strict")


def test_download_names_are_in_the_users_language_with_an_ascii_fallback(login_as):
    manager = login_as("manager")
    response = manager.get("/records/import/template.xlsx")
    assert names_of(response) == ("attachment", "residents-import-template.xlsx",
                                  "居民导入模板.xlsx")
    with manager.session_transaction() as session:
        session["lang"] = "en"
    response = manager.get("/records/import/template.xlsx")
    assert names_of(response) == ("attachment", "residents-import-template.xlsx",
                                  "residents-import-template.xlsx")


def test_pdfs_and_qr_codes_are_named_in_chinese_too(login_as, district, db):
    team, grid = district.teams[0], district.grids[0]
    manager = login_as("manager")
    card = manager.get(f"/surveys/cards/{team.id}.pdf")
    assert names_of(card) == ("inline", f"contact-card-team-{team.id}.pdf",
                              f"联系卡-{team.name}.pdf")
    qr = manager.get(f"/surveys/qr/{grid.id}.png?download=1")
    assert names_of(qr) == ("attachment", f"survey-qr-grid-{grid.id}.png",
                            f"满意度调查二维码-{grid.name}.png")
    report = manager.get(f"/kpi/report.pdf?scope=institution:{district.centre.id}"
                         f"&period=2026&as_of=2026-06-30")
    assert names_of(report) == (
        "attachment", f"performance-institution-{district.centre.id}-2026.pdf",
        f"绩效考核报告-{district.centre.name}-2026.pdf")


def test_a_users_text_in_a_download_name_cannot_break_the_header(app):
    from flask_babel import force_locale, lazy_gettext as _l
    from healthgrid.downloads import content_disposition
    with app.test_request_context("/"), force_locale("zh_CN"):
        header = content_disposition(_l("contact-card-%(team)s.pdf", team='一队"; x=/..\\\r\n'),
                                     fallback="contact-card-team-3.pdf", inline=True)
    assert "\r" not in header and "\n" not in header
    response = type("R", (), {"headers": {"Content-Disposition": header}})()
    assert names_of(response) == ("inline", "contact-card-team-3.pdf", "联系卡-一队_ x=_.._.pdf")


# --- through the pages and the API, every workbook a user can download -----------------

# Field limits (records.schemas, surveys.rules): the long text is the longest each accepts.
LONG_NAME = "=" + "长" * 63
LONG_ADDRESS = "-" + "幸福里" * 66 + "号"
LONG_COMMENT = "=" + "意见" * 249 + "!"
TYPED = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
         '=HYPERLINK("http://evil.example/","点击查看")', "=1\n+2 第二行"]

WORKBOOK_ENDPOINTS = {"records.export_xlsx", "records.import_template", "chronic.worklist_xlsx",
                      "kpi.export_xlsx", "kpi.gap_xlsx", "surveys.results_xlsx"}


@pytest.fixture
def generous_survey_limit(app):
    """Every public answer here comes from one address."""
    from healthgrid.extensions import limiter
    app.config["SURVEY_RATE_LIMIT"] = "10000 per hour"
    with app.app_context():
        limiter.reset()
    yield
    app.config.pop("SURVEY_RATE_LIMIT", None)
    with app.app_context():
        limiter.reset()


@pytest.fixture
def photo_dir(app, tmp_path):
    before = app.config.get("EVENT_PHOTO_DIR")
    app.config["EVENT_PHOTO_DIR"] = str(tmp_path / "event_photos")
    yield tmp_path / "event_photos"
    app.config["EVENT_PHOTO_DIR"] = before


def _register(api, headers, grid_id: int, address: str, name: str) -> int:
    household = api.post("/api/v1/households", headers=headers,
                         json={"grid_id": grid_id, "address": address})
    assert household.status_code == 201, household.json
    resident = api.post("/api/v1/residents", headers=headers, json={
        "household_id": household.json["id"], "name": name, "sex": "female",
        "birth_date": "1950-03-04"})
    assert resident.status_code == 201, resident.json
    enrolled = api.post(f"/api/v1/residents/{resident.json['id']}/enrollments",
                        headers=headers, json={"program": "hypertension",
                                               "enrolled_on": (today() - timedelta(days=200))
                                               .isoformat()})
    assert enrolled.status_code == 201, enrolled.json
    return resident.json["id"]


def _answer_on_the_public_page(app, grid, comment: str):
    """A resident's phone (no account, its own device cookie) answers the QR survey."""
    from healthgrid.surveys.public import grid_token
    with app.test_request_context():
        path = f"/s/{grid_token(grid.id)}"
    phone = app.test_client()
    response = press(phone, path, "提交", {"aware": "0", "satisfaction": "2",
                                             "comment": comment})
    assert response.status_code == 303, response.get_data(as_text=True)


def test_hostile_text_typed_anywhere_is_inert_in_every_workbook(
        app, api_as, login_as, district, db, generous_survey_limit):
    grid = district.grids[0]
    doctor_api, headers = api_as("doctor")
    # Resident names and household addresses through the API (kept exactly as sent: a
    # page strips the ends of what is typed) and through the pages.
    names = TYPED + [LONG_NAME]
    addresses = ["-3 号楼 " + t for t in TYPED] + TYPED + [LONG_ADDRESS]
    for index, address in enumerate(addresses):
        _register(doctor_api, headers, grid.id, address, names[index % len(names)])
    enrolled = list(names)
    doctor = login_as("doctor")
    response = press(doctor, "/records/households/new", "登记并添加成员",
                     {"grid_id": grid.id, "address": "=2+3 幸福里"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = press(doctor, response.headers["Location"], "保存",
                     {"name": "@欧阳", "sex": "female", "birth_date": "1948-01-02"})
    assert response.status_code == 302, response.get_data(as_text=True)
    names.append("@欧阳")
    addresses.append("=2+3 幸福里")
    # Survey comments: on the public page (no account) and as staff record them (API).
    comments = TYPED + [LONG_COMMENT]
    for comment in comments:
        _answer_on_the_public_page(app, grid, comment)
        recorded = doctor_api.post("/api/v1/survey-responses", headers=headers, json={
            "grid_id": grid.id, "date": today().isoformat(), "channel": "door",
            "aware": False, "satisfaction": 1, "comment": comment})
        assert recorded.status_code == 201, recorded.json
    # Event text (no workbook carries it today; it must not break any).
    for text in TYPED[:4] + ["=HYPERLINK(\"http://evil.example/\",\"点击查看\")"]:
        response = press(doctor, "/events/new", "上报事件", {
            "event_type": "food_safety", "place": text, "description": text + "\n" + text})
        assert response.status_code == 302, response.get_data(as_text=True)

    manager = login_as("manager")
    kpi = f"scope=institution:{district.centre.id}&period={today().year}" \
          f"&as_of={today().isoformat()}"
    downloads = {
        "/records/export.xlsx": names + addresses,
        "/records/import/template.xlsx": [],
        f"/chronic/worklist.xlsx?team_id={district.teams[0].id}": enrolled,
        f"/kpi/export.xlsx?{kpi}": [],
        f"/surveys/results.xlsx?period={today().year}":
            comments + [c.strip() for c in comments],
    }
    for code in kpi_rules.BY_CODE:
        downloads[f"/kpi/gaps/{code}.xlsx?{kpi}"] = {
            "contract_rate": names, "elderly_mgmt": names, "htn_standard_mgmt": enrolled,
            "satisfaction": comments + [c.strip() for c in comments]}.get(code, [])
    served = set()
    for url, texts in downloads.items():
        response = manager.get(url) if "worklist" not in url else doctor.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == XLSX_MIMETYPE, url
        served.add(app.url_map.bind("localhost").match(url.split("?")[0])[0])
        assert_inert(response.data, *texts)
        disposition, plain, real = names_of(response)  # named in Chinese, ASCII beside
        assert disposition == "attachment" and CHINESE.search(real), (url, real)
        assert plain.endswith(".xlsx") and real.endswith(".xlsx")
    # Every workbook the app serves was downloaded above.
    offered = {rule.endpoint for rule in app.url_map.iter_rules() if ".xlsx" in rule.rule}
    assert offered == WORKBOOK_ENDPOINTS == served


# --- event photos ------------------------------------------------------------------------

GPS = {1: "N", 2: (39.0, 54.0, 26.0), 3: "E", 4: (116.0, 23.0, 29.0)}
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description exif:GPSLatitude="39,54.43N" xmlns:exif='
       b'"http://ns.adobe.com/exif/1.0/"/></rdf:RDF></x:xmpmeta>')


def phone_photo(fmt: str) -> bytes:
    """A photo as a phone takes it: held sideways (EXIF orientation 6: turn it a quarter
    clockwise to see it upright), with the place, the device and the time inside."""
    picture = Image.new("RGB", (40, 20), (220, 30, 30))
    picture.paste((30, 30, 220), (0, 0, 10, 20))  # blue on the left as stored: on top seen
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F], exif[0x0110], exif[0x0132] = "EvilPhone", "X-1000", "2026:12:01 10:00:00"
    exif[0x8825] = GPS
    out = BytesIO()
    extra = {"xmp": XMP} if fmt in ("JPEG", "WEBP") else {}
    picture.save(out, fmt, exif=exif.tobytes(), **extra)
    data = out.getvalue()
    assert Image.open(BytesIO(data)).getexif().get_ifd(0x8825) == GPS  # the test's premise
    return data


def report_with_photos(client, district, files: list[tuple[bytes, str]]):
    """The event report form sent from a phone with these photos."""
    return client.post("/events/new", data={
        "csrf_token": csrf_from(client, "/events/new"), "event_type": "food_safety",
        "grid_id": district.grids[0].id, "place": "幸福里菜市场", "description": "无证摊贩",
        "mode": "general", "urgency": "routine",
        "photos": [(BytesIO(data), name) for data, name in files]})


def test_a_phone_photo_is_stored_and_served_as_the_picture_alone(login_as, district, db,
                                                                   photo_dir):
    from healthgrid.events.models import GridEvent
    doctor = login_as("doctor")
    response = report_with_photos(doctor, district, [
        (phone_photo(fmt), f"现场.{ext}")
        for fmt, ext in (("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"))])
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(GridEvent))
    assert len(event.photos) == 3
    for photo in event.photos:
        served = doctor.get(f"/events/{event.id}/photos/{photo.id}")
        assert served.status_code == 200 and served.mimetype == photo.content_type
        stored = (photo_dir / photo.stored_name).read_bytes()
        assert served.data == stored and photo.size == len(stored)
        for trace in (b"EvilPhone", b"X-1000", b"2026:12:01", b"Exif", b"xmpmeta", b"GPS"):
            assert trace not in served.data, (photo.content_type, trace)
        with Image.open(BytesIO(served.data)) as image:
            assert not image.getexif() and "exif" not in image.info
            assert "xmp" not in image.info and "icc_profile" not in image.info
            # Upright as it was seen: the blue edge is on top.
            assert image.size == (20, 40)
            top, bottom = image.convert("RGB").getpixel((10, 2)), \
                image.convert("RGB").getpixel((10, 37))
            assert top[2] > 180 and top[0] < 80 and bottom[0] > 180 and bottom[2] < 80
        disposition, _ascii, real = names_of(served)
        assert disposition == "inline" and real.startswith(f"事件{event.id}-照片{photo.id}.")


def test_a_file_that_only_starts_like_a_photo_is_refused(login_as, district, db, photo_dir):
    fake = phone_photo("JPEG")[:40]  # the start of a JPEG, no picture
    response = report_with_photos(login_as("doctor"), district, [(fake, "现场.jpg")])
    assert response.status_code == 422
    assert "“现场.jpg”不是 JPEG、PNG 或 WebP 照片" in response.get_data(as_text=True)
    assert not photo_dir.exists() or not any(photo_dir.iterdir())


def test_a_picture_claiming_a_huge_size_is_refused_before_it_is_decoded(login_as, district,
                                                                         db, photo_dir):
    out = BytesIO()
    Image.new("1", (9000, 8000)).save(out, "PNG")  # 72 million pixels in a few kB
    response = report_with_photos(login_as("doctor"), district, [(out.getvalue(), "大图.png")])
    assert response.status_code == 422
    assert "“大图.png”超过 64 百万像素" in response.get_data(as_text=True)
    assert not photo_dir.exists() or not any(photo_dir.iterdir())
