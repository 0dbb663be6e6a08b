"""Every file HealthGrid hands out is inert: what a user typed is text in every workbook
(never a formula), event photos carry no metadata, download names are safe everywhere."""
from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

from openpyxl import load_workbook

from healthgrid.workbooks import Workbook

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
    formulas = [(c.parent.title, c.coordinate, c.value) for c in found if c.data_type != "s"
                and isinstance(c.value, str)]
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


def test_a_users_text_in_a_download_name_cannot_break_the_header(app):
    from flask_babel import force_locale, lazy_gettext as _l
    from healthgrid.downloads import content_disposition
    with app.test_request_context("/"), force_locale("zh_CN"):
        header = content_disposition(_l("contact-card-%(team)s.pdf", team='一队"; x=/..\\\r\n'),
                                     fallback="contact-card-team-3.pdf", inline=True)
    assert "\r" not in header and "\n" not in header
    response = type("R", (), {"headers": {"Content-Disposition": header}})()
    assert names_of(response) == ("inline", "contact-card-team-3.pdf", "联系卡-一队_ x=_.._.pdf")
