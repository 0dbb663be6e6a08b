"""Reading a workbook's first sheet, and turning its cells into what the schemas take."""
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from healthgrid.labels import LABELS

from .columns import COLUMN_BY_CODE, COLUMNS, Column
from .report import Rejected

# A zip of 32 MB can unpack to gigabytes; no genuine sheet of residents comes near this.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# Input spellings (not text shown to anyone): what people write in these cells besides the
# codes and the labels of healthgrid.labels in both languages.
FLAG_WORDS = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
              "true": True, "false": False, "1": True, "0": False, "有": True, "无": False,
              "√": True, "✓": True, "×": False}
EXTRA_LABELS = {"residence_type": {"户籍居民": "registered", "非户籍居民": "non_registered"},
                "blood_type": {"a型": "A", "b型": "B", "o型": "O", "ab型": "AB"},
                "archive_medium": {"纸质档案": "paper", "电子档案": "electronic"}}


def check_archive(source) -> None:
    """A real .xlsx (a zip), not too big once unpacked; the position is left at the start."""
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Rejected(_l("This is not an Excel .xlsx file. Save the sheet as .xlsx and "
                           "upload it again.")) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise Rejected(_l("This is not an Excel .xlsx file. Save the sheet as .xlsx and "
                           "upload it again."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise Rejected(_l("The file is too large to import; split it into several files."))


def rows_calamine(source):
    from python_calamine import CalamineWorkbook
    workbook = CalamineWorkbook.from_object(source)
    try:
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return len(rows), iter(rows), None


def rows_openpyxl(source):
    from openpyxl import load_workbook
    workbook = load_workbook(source, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    return sheet.max_row, sheet.iter_rows(values_only=True), workbook.close


def reader():
    """python-calamine (Rust) reads a sheet ten times faster than openpyxl, which is the
    fallback where calamine is not installed. Both give Python values; plain and Cells
    even out the differences (calamine: "" for empty cells, floats for whole numbers)."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return rows_openpyxl
    return rows_calamine


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:[ T]0{1,2}:0{1,2}(?::0{1,2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def plain(value) -> str | None:
    """A cell as text: whole numbers without ".0", blank as None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


_SEVERAL = re.compile(r"[、,，;；\s]+")


class Cells:
    """Per-column conversion of cell values to what the schemas take; each distinct value of
    a column is converted once. A conversion returns (value, None) or (None, message)."""

    def __init__(self):
        self._lookups = {}
        with force_locale("zh_CN"):
            zh = {kind: {str(text).lower(): code for code, text in LABELS[kind].items()}
                  for kind in LABELS}
        with force_locale("en"):
            en = {kind: {str(text).lower(): code for code, text in LABELS[kind].items()}
                  for kind in LABELS}
        for column in COLUMNS:
            if column.kind in ("choice", "choices"):
                table = {code.lower(): code for code in LABELS[column.labels]}
                table.update(en[column.labels])
                table.update(zh[column.labels])
                table.update(EXTRA_LABELS.get(column.labels, {}))
                self._lookups[column.code] = table
        self._cache: dict[str, dict] = {column.code: {} for column in COLUMNS}

    def column(self, code: str):
        """(cache, convert) for one column: look a cell value up in the cache first."""
        column = COLUMN_BY_CODE[code]
        return self._cache[code], lambda value: self._convert(column, value)

    def _several(self, column: Column, text: str):
        """A cell of several choices, separated by 、 , ; or spaces: their codes joined."""
        codes = []
        for part in _SEVERAL.split(text):
            if not part:
                continue
            code = self._lookups[column.code].get(part.lower())
            if code is None:
                return None, _("“%(value)s” is not one of: %(choices)s.", value=part,
                               choices=" / ".join(str(t) for t in LABELS[column.labels].values()))
            codes.append(code)
        return ",".join(dict.fromkeys(codes)) or None, None

    def _convert(self, column: Column, value):
        kind = column.kind
        if kind == "date" and isinstance(value, (date, datetime)):
            return (value.date() if isinstance(value, datetime) else value).isoformat(), None
        if kind == "id" and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value >= 1e15:
            return None, _("Excel stored this ID number as a number and dropped its last "
                           "digits. Format the column as text and type the number again.")
        text = plain(value)
        if text is None:
            return None, None
        if kind == "date":
            match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
            if match:
                year, month, day = (int(part) for part in match.groups())
                return f"{year:04d}-{month:02d}-{day:02d}", None
            return text, None  # the schema says why it is not a date
        if kind == "choice":
            code = self._lookups[column.code].get(text.lower().replace(" ", ""))
            if code is None:
                code = self._lookups[column.code].get(text.lower())
            if code is None:
                return None, _("“%(value)s” is not one of: %(choices)s.", value=text,
                               choices=" / ".join(str(t) for t in LABELS[column.labels].values()))
            return code, None
        if kind == "choices":
            return self._several(column, text)
        if kind == "flag":
            flag = FLAG_WORDS.get(text.lower())
            if flag is None:
                return None, _("“%(value)s” is neither %(yes)s nor %(no)s.", value=text,
                               yes=_("Yes"), no=_("No"))
            return flag, None
        return text, None
