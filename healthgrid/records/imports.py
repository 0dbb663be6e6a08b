"""Excel import of households and residents: all or nothing, with a report of every bad cell.

The sheet (see exports.write_template) has one row per resident, the household columns
repeated; rows sharing a household key form one household. Header row 1 holds the column
titles (Chinese in the template, "*" marking columns the file must have), row 2 the English
field codes; either row alone is enough to recognise a column, and data starts below them.

Each row is validated by the archive schemas (HouseholdSchema, ResidentBaseSchema) through
RowLoader; grids must lie in the importer's scope; ID numbers must be unique in the file and
in the database. Any error: nothing is written and the report names the row (as Excel numbers
it), the column and the reason. Otherwise households and residents go in with bulk inserts in
one savepoint, archive numbers drawn per community as the rows come; the caller commits.
"""
from __future__ import annotations

import gc
import re
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from marshmallow import Schema, ValidationError, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from openpyxl.utils import get_column_letter
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.clock import utcnow
from healthgrid.extensions import db
from healthgrid.forms import translate_errors
from healthgrid.labels import LABELS
from healthgrid.org.models import Community, Grid, Institution

from . import rules
from .models import Household, Resident
from .schemas import HouseholdSchema, ResidentBaseSchema
from .services import signals

# One signal per import, not one `resident_registered` per row: subscribers (elderly
# enrolment) get the new ids and the day, and may do their own work in bulk.
residents_imported = signals.signal("residents-imported")

FIRST_DATA_ROW = 3
# A zip of 32 MB can unpack to gigabytes; no genuine sheet of residents comes near this.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_ROWS = 500_000
_INSERT_BATCH = 5_000
_ID_QUERY_CHUNK = 500

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class Column:
    code: str
    title: object              # lazy: Chinese in the template, the user's language in reports
    required: bool = False     # the file must have this column
    kind: str = "text"         # text | choice | flag | date | id | phone
    labels: str | None = None  # LABELS kind of a choice column


HOUSEHOLD_CODES = ("household_key", "institution_code", "community_code", "grid_code",
                   "address", "household_phone")
COLUMNS: tuple[Column, ...] = (
    Column("household_key", _l("Household key"), True),
    Column("institution_code", _l("Institution code")),
    Column("community_code", _l("Community code")),
    Column("grid_code", _l("Grid code"), True),
    Column("address", _l("Household address"), True),
    Column("household_phone", _l("Household phone"), kind="phone"),
    Column("name", _l("Full name"), True),
    Column("sex", _l("Sex"), True, "choice", "sex"),
    Column("birth_date", _l("Birth date"), True, "date"),
    Column("id_number", _l("ID number"), kind="id"),
    Column("phone", _l("Personal phone"), kind="phone"),
    Column("relation_to_head", _l("Relation to head"), kind="choice", labels="relation"),
    Column("residence_type", _l("Residence type"), kind="choice", labels="residence_type"),
    Column("ethnicity", _l("Ethnicity")),
    Column("blood_type", _l("Blood type"), kind="choice", labels="blood_type"),
    Column("payment_type", _l("Medical payment"), kind="choice", labels="payment_type"),
    Column("allergies", _l("Drug allergies")),
    Column("past_history", _l("Past history")),
    Column("family_history", _l("Family history")),
    Column("disability", _l("Disability")),
    Column("pregnant", _l("Pregnant"), kind="flag"),
    Column("severe_mental_illness", _l("Severe mental illness"), kind="flag"),
    Column("disabled", _l("Disabled"), kind="flag"),
    Column("archive_medium", _l("Archive medium"), kind="choice", labels="archive_medium"),
)
COLUMN_BY_CODE = {column.code: column for column in COLUMNS}
RESIDENT_CODES = tuple(c.code for c in COLUMNS if c.code not in HOUSEHOLD_CODES)
# Input spellings (not text shown to anyone): what people write in these cells besides the
# codes and the labels of healthgrid.labels in both languages.
_FLAG_WORDS = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
               "true": True, "false": False, "1": True, "0": False, "有": True, "无": False,
               "√": True, "✓": True, "×": False}
_EXTRA_LABELS = {"residence_type": {"户籍居民": "registered", "非户籍居民": "non_registered"},
                 "blood_type": {"a型": "A", "b型": "B", "o型": "O", "ab型": "AB"},
                 "archive_medium": {"纸质档案": "paper", "电子档案": "electronic"}}


def header_text(column: Column) -> str:
    """A column's title in the current language, as the template writes it."""
    return f"{column.title}*" if column.required else str(column.title)


# --- the report -----------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    row: int | None        # the row number Excel shows; None: the file as a whole
    column: str | None     # a column code; None: the row as a whole
    message: str
    letter: str | None = None

    @property
    def column_title(self) -> str:
        if self.column is None:
            return ""
        title = str(COLUMN_BY_CODE[self.column].title) if self.column in COLUMN_BY_CODE \
            else self.column
        return f"{self.letter} {title}" if self.letter else title


@dataclass
class ImportReport:
    filename: str
    errors: list[RowError] = field(default_factory=list)
    households: int = 0
    residents: int = 0
    resident_ids: list[int] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})


class _Rejected(Exception):
    """The file cannot be read as a resident sheet at all."""

    def __init__(self, message, row: int | None = None, column: str | None = None):
        super().__init__(str(message))
        self.error = RowError(row, column, str(message))


# --- marshmallow, row by row, at import speed -------------------------------------------

class RowLoader:
    """`schema.load(row)` for a hundred thousand rows, built from the schema's own parts.

    Marshmallow re-runs its whole machinery for every row (about 150 µs here, 15 s for an
    import of 100,000). This runs the very pieces the schema declares — each field's
    deserialize (type conversion and validators), its @validates methods, its @pre_load,
    @validates_schema and @post_load hooks, in marshmallow's order — but remembers each
    field's outcome per distinct value: a column holds few distinct values (sexes, labels,
    birth dates), so mostly what needs the whole row (the ID number against the birth date
    and sex) runs per row. Field outcomes must depend on the value only, which holds for
    every field of the archive schemas. tests/records/test_imports.py checks that it agrees
    with Schema.load."""

    _CACHE_LIMIT = 250_000

    def __init__(self, schema: Schema):
        self.schema = schema
        hooks = type(schema)._hooks  # marshmallow's own table of decorated methods
        if any(many for tag in (PRE_LOAD, POST_LOAD, VALIDATES_SCHEMA)
               for _n, many, _k in hooks[tag]):
            raise ValueError("RowLoader loads one row at a time; collection hooks are not run")
        self._pre = [(getattr(schema, n), k.get("pass_original", False))
                     for n, _m, k in hooks[PRE_LOAD]]
        self._post = [(getattr(schema, n), k.get("pass_original", False))
                      for n, _m, k in hooks[POST_LOAD]]
        self._checks = [(getattr(schema, n), k.get("skip_on_field_errors", True),
                         k.get("pass_original", False)) for n, _m, k in hooks[VALIDATES_SCHEMA]]
        self._fields = [(name, f.data_key or name, f) for name, f in schema.load_fields.items()]
        self._field_checks: dict[str, list] = defaultdict(list)
        for name, _m, kwargs in hooks[VALIDATES]:
            for field_name in kwargs["field_names"]:
                self._field_checks[field_name].append(getattr(schema, name))
        self._known = {key for _n, key, _f in self._fields}
        # (name, input key, output key, field, {raw value: outcome})
        self._plan = [(name, key, fld.attribute or name, fld, {})
                      for name, key, fld in self._fields]
        self._hook_kw = {"many": False, "partial": None, "unknown": schema.unknown}

    def _outcome(self, name: str, key: str, fld, raw, data) -> tuple[bool, object]:
        try:
            value = fld.deserialize(raw, key, data)
        except ValidationError as exc:
            return False, _as_list(exc.messages)
        if value is missing:
            return True, missing
        for check in self._field_checks.get(name, ()):
            try:
                if check(value, data_key=key) is missing:
                    return True, missing
            except ValidationError as exc:
                return False, _as_list(exc.messages)
        return True, value

    def load(self, data: dict) -> tuple[dict | None, dict[str, list]]:
        """(loaded data, {}) or (None, {field: [messages]}), as Schema.load would decide."""
        original = data
        try:
            for hook, pass_original in self._pre:
                data = hook(data, original, **self._hook_kw) if pass_original \
                    else hook(data, **self._hook_kw)
        except ValidationError as exc:
            return None, exc.normalized_messages()
        result: dict = {}
        errors: dict[str, list] = {}
        for name, key, attribute, fld, cache in self._plan:
            raw = data.get(key, missing)
            try:
                outcome = cache.get(raw)
            except TypeError:  # an unhashable value: not remembered
                outcome = self._outcome(name, key, fld, raw, data)
            if outcome is None:
                outcome = self._outcome(name, key, fld, raw, data)
                if len(cache) < self._CACHE_LIMIT:
                    cache[raw] = outcome
            if outcome[0]:
                if outcome[1] is not missing:
                    result[attribute] = outcome[1]
            else:
                errors[key] = list(outcome[1])  # the cached list stays untouched
        for key in data.keys() - self._known:
            errors[key] = ["Unknown field."]  # marshmallow's message (RAISE on unknown fields)
        field_errors = bool(errors)
        for check, skip_on_field_errors, pass_original in self._checks:
            if field_errors and skip_on_field_errors:
                continue
            try:
                if pass_original:
                    check(result, original, **self._hook_kw)
                else:
                    check(result, **self._hook_kw)
            except ValidationError as exc:
                messages = exc.messages
                if isinstance(messages, dict):
                    for key, value in messages.items():
                        errors.setdefault(key, []).extend(_as_list(value))
                else:
                    errors.setdefault(exc.field_name, []).extend(_as_list(messages))
        if errors:
            return None, errors
        try:
            for hook, pass_original in self._post:
                result = hook(result, original, **self._hook_kw) if pass_original \
                    else hook(result, **self._hook_kw)
        except ValidationError as exc:
            return None, exc.normalized_messages()
        return result, {}


def _as_list(messages) -> list:
    return messages if isinstance(messages, list) else [messages]


# --- reading --------------------------------------------------------------------------

def _check_archive(source) -> None:
    """A real .xlsx (a zip), not too big once unpacked; the position is left at the start."""
    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _Rejected(_l("This is not an Excel .xlsx file. Save the sheet as .xlsx and "
                           "upload it again.")) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _Rejected(_l("This is not an Excel .xlsx file. Save the sheet as .xlsx and "
                           "upload it again."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise _Rejected(_l("The file is too large to import; split it into several files."))


def _rows_calamine(source):
    from python_calamine import CalamineWorkbook
    workbook = CalamineWorkbook.from_object(source)
    try:
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return len(rows), iter(rows), None


def _rows_openpyxl(source):
    from openpyxl import load_workbook
    workbook = load_workbook(source, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    return sheet.max_row, sheet.iter_rows(values_only=True), workbook.close


def _reader():
    """python-calamine (Rust) reads a sheet ten times faster than openpyxl, which is the
    fallback where calamine is not installed. Both give Python values; _plain and _Cells
    even out the differences (calamine: "" for empty cells, floats for whole numbers)."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return _rows_openpyxl
    return _rows_calamine


# --- turning cells into schema input --------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:[ T]0{1,2}:0{1,2}(?::0{1,2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _plain(value) -> str | None:
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


class _Cells:
    """Per-column conversion of cell values to what the schemas take; each distinct value of
    a column is converted once. A conversion returns (value, None) or (None, message)."""

    def __init__(self):
        self._lookups = {}
        with force_locale("zh_CN"):
            zh = {kind: {str(text): code for code, text in LABELS[kind].items()}
                  for kind in LABELS}
        with force_locale("en"):
            en = {kind: {str(text).lower(): code for code, text in LABELS[kind].items()}
                  for kind in LABELS}
        for column in COLUMNS:
            if column.kind == "choice":
                table = {code.lower(): code for code in LABELS[column.labels]}
                table.update(en[column.labels])
                table.update(zh[column.labels])
                table.update(_EXTRA_LABELS.get(column.labels, {}))
                self._lookups[column.code] = table
        self._cache: dict[str, dict] = {column.code: {} for column in COLUMNS}

    def column(self, code: str):
        """(cache, convert) for one column: look a cell value up in the cache first."""
        column = COLUMN_BY_CODE[code]
        return self._cache[code], lambda value: self._convert(column, value)

    def _convert(self, column: Column, value):
        kind = column.kind
        if kind == "date" and isinstance(value, (date, datetime)):
            return (value.date() if isinstance(value, datetime) else value).isoformat(), None
        if kind == "id" and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and value >= 1e15:
            return None, _("Excel stored this ID number as a number and dropped its last "
                           "digits. Format the column as text and type the number again.")
        text = _plain(value)
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
        if kind == "flag":
            flag = _FLAG_WORDS.get(text.lower())
            if flag is None:
                return None, _("“%(value)s” is neither %(yes)s nor %(no)s.", value=text,
                               yes=_("Yes"), no=_("No"))
            return flag, None
        return text, None


# --- validation -----------------------------------------------------------------------

@dataclass(frozen=True)
class _GridRef:
    id: int
    community_id: int
    community_code: str
    institution_code: str
    county_code: str | None
    township_code: str | None
    archive_seq: int


@dataclass
class _Household:
    key: str
    first_row: int
    values: dict
    rows: list[int] = field(default_factory=list)
    grid: _GridRef | None = None
    data: dict | None = None


@dataclass
class _Plan:
    households: dict[str, _Household]
    residents: list[tuple[int, str, dict]]   # (row, household key, loaded data)
    communities: dict[int, int]              # community id -> residents to number


def _header(first, errors: list[RowError]) -> dict[str, int]:
    """{column code: index} from the first row, which may hold titles or codes."""
    recognise = {}
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            for column in COLUMNS:
                recognise[str(column.title).strip().lower()] = column.code
    for column in COLUMNS:
        recognise[column.code] = column.code
    positions: dict[str, int] = {}
    for index, value in enumerate(first):
        text = (_plain(value) or "").rstrip("*＊ ").strip().lower()
        if not text:
            continue
        code = recognise.get(text)
        letter = get_column_letter(index + 1)
        if code is None:
            errors.append(RowError(1, None, _(
                "Column %(letter)s “%(title)s” is not a column of the template.",
                letter=letter, title=_plain(value)), letter))
        elif code in positions:
            errors.append(RowError(1, code, _("This column appears twice."), letter))
        else:
            positions[code] = index
    for column in COLUMNS:
        if column.required and column.code not in positions:
            errors.append(RowError(1, column.code, _("The file has no such column; it is "
                                                     "required.")))
    return positions


def _is_code_row(values) -> bool:
    codes = {_plain(v) for v in values} - {None}
    return bool(codes) and codes <= set(COLUMN_BY_CODE)


def _grids_in_scope(scope: Scope) -> dict[str, list[_GridRef]]:
    rows = db.session.execute(
        select(Grid.code, Grid.id, Community.id, Community.code, Institution.code,
               Institution.county_code, Institution.township_code, Community.archive_seq)
        .join(Community, Grid.community_id == Community.id)
        .join(Institution, Community.institution_id == Institution.id)
        .where(scope.grid_filter(Grid.id)))
    grids: dict[str, list[_GridRef]] = defaultdict(list)
    for code, *rest in rows:
        grids[code.strip().lower()].append(_GridRef(*rest))
    return grids


def _existing_id_numbers(numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), _ID_QUERY_CHUNK):
        chunk = numbers[start:start + _ID_QUERY_CHUNK]
        found.update(db.session.scalars(select(Resident.id_number)
                                        .where(Resident.id_number.in_(chunk))))
    return found


def _validate(rows, total: int | None, scope: Scope, errors: list[RowError],
              progress: Progress | None) -> _Plan | None:
    first = next(rows, None)
    if first is None:
        raise _Rejected(_l("The sheet is empty. Download the template and fill it in."))
    positions = _header(first, errors)
    if errors:
        return None
    letters = {code: get_column_letter(index + 1) for code, index in positions.items()}

    def error(row, code, message):
        errors.append(RowError(row, code, str(message), letters.get(code)))

    if progress:
        progress("validate", 0, total)
    cells = _Cells()
    loader = RowLoader(ResidentBaseSchema())
    resident_columns = [(code, positions[code], *cells.column(code))
                        for code in RESIDENT_CODES if code in positions]
    household_columns = [(code, positions[code], *cells.column(code))
                         for code in HOUSEHOLD_CODES if code in positions]
    width = max(positions.values()) + 1
    households: dict[str, _Household] = {}
    residents: list[tuple[int, str, dict]] = []
    id_rows: dict[str, int] = {}
    row_number = 1
    for values in rows:
        row_number += 1
        if row_number == 2 and _is_code_row(values):
            continue
        if row_number > MAX_ROWS:
            raise _Rejected(_l("The file has more than %(n)s rows; split it into several files.",
                               n=MAX_ROWS))
        if progress and row_number % 2000 == 0:
            progress("validate", row_number, total)
        if len(values) < width:
            values = tuple(values) + (None,) * (width - len(values))
        raw, home, bad = {}, {}, set()
        for target, columns in ((raw, resident_columns), (home, household_columns)):
            for code, index, cache, convert in columns:
                value = values[index]
                if value is None or value == "":
                    continue
                # Each distinct value of a column is converted once (True == 1 as a key).
                outcome = None if value.__class__ is bool else cache.get(value)
                if outcome is None:
                    outcome = convert(value)
                    if value.__class__ is not bool:
                        cache[value] = outcome
                converted, problem = outcome
                if problem:
                    error(row_number, code, problem)
                    bad.add(code)
                elif converted is not None:
                    target[code] = converted
        if not raw and not home and not bad:
            continue  # a blank row
        data, problems = loader.load(raw)
        if problems:
            for code, messages in translate_errors(problems).items():
                if code in bad:
                    continue  # its cell was already refused (and then looked missing)
                for message in messages:
                    error(row_number, code if code in COLUMN_BY_CODE else None, message)
        key = home.get("household_key")
        if key is None:
            error(row_number, "household_key", _("Missing data for required field."))
            continue
        household = households.get(key)
        if household is None:
            household = households[key] = _Household(key, row_number, home)
        else:
            for code, value in home.items():
                if household.values.setdefault(code, value) != value:
                    error(row_number, code, _("Differs from row %(row)s, the first row of "
                                              "household %(key)s.", row=household.first_row,
                                              key=key))
        household.rows.append(row_number)
        if data is None:
            continue
        number = data.get("id_number")
        if number:
            first_row = id_rows.setdefault(number, row_number)
            if first_row != row_number:
                error(row_number, "id_number", _("The same ID number as row %(row)s.",
                                                 row=first_row))
                continue
        residents.append((row_number, key, data))
    if progress:
        progress("validate", row_number, total)
    if not households:
        errors.append(RowError(None, None, _("The file has no residents below its header.")))
        return None

    _check_households(households, scope, error)
    taken = _existing_id_numbers(sorted(id_rows))
    communities: dict[int, int] = defaultdict(int)
    for row, key, data in residents:
        if data.get("id_number") in taken:
            error(row, "id_number", _("Another resident already has this ID number."))
        grid = households[key].grid
        if grid is not None:
            communities[grid.community_id] += 1
    _check_archive_numbers(households, communities, error)
    return _Plan(households, residents, dict(communities))


def _check_households(households: dict[str, _Household], scope: Scope, error) -> None:
    grids = _grids_in_scope(scope)
    loader = RowLoader(HouseholdSchema())
    for household in households.values():
        values, row = household.values, household.first_row
        code = values.get("grid_code")
        if code is None:
            error(row, "grid_code", _("Missing data for required field."))
            continue
        matches = grids.get(code.strip().lower(), [])
        if values.get("community_code"):
            matches = [g for g in matches if g.community_code == values["community_code"]]
        if values.get("institution_code"):
            matches = [g for g in matches if g.institution_code == values["institution_code"]]
        if not matches:
            error(row, "grid_code", _("No grid with this code among the grids you may import "
                                      "into."))
            continue
        if len(matches) > 1:
            error(row, "grid_code", _("Several grids have this code; fill in the community "
                                      "code (and the institution code) too."))
            continue
        household.grid = matches[0]
        data, problems = loader.load({"grid_id": household.grid.id,
                                      "address": values.get("address"),
                                      "phone": values.get("household_phone")})
        for key, messages in translate_errors(problems).items():
            column = {"address": "address", "phone": "household_phone"}.get(key, "grid_code")
            for message in messages:
                error(row, column, message)
        household.data = data


def _check_archive_numbers(households: dict[str, _Household], communities: dict[int, int],
                           error) -> None:
    """Archive numbers are county + township + community codes + a sequence of 5 digits."""
    first_of = {}
    for household in households.values():
        if household.grid is not None:
            first_of.setdefault(household.grid.community_id, household)
    for community_id, count in communities.items():
        household = first_of[community_id]
        grid = household.grid
        try:
            rules.archive_number(grid.county_code, grid.township_code, grid.community_code, 1)
        except ValueError:
            error(household.first_row, "grid_code", _(
                "This grid's institution or community lacks the county, township or community "
                "code that archive numbers are made of; ask an administrator."))
            continue
        if grid.archive_seq + count > 99999:
            error(household.first_row, "grid_code", _(
                "The community of this grid has only %(left)s archive numbers left, and the "
                "file has %(count)s residents for it.", left=99999 - grid.archive_seq,
                count=count))


# --- writing --------------------------------------------------------------------------

_RESIDENT_DEFAULTS = {name: None for name in (
    "id_number", "phone", "relation_to_head", "ethnicity", "blood_type", "payment_type",
    "allergies", "past_history", "family_history", "disability", "status_date")} | {
    "residence_type": "registered", "archive_medium": "electronic", "pregnant": False,
    "severe_mental_illness": False, "disabled": False}


def _draw_archive_numbers(plan: _Plan) -> dict[int, tuple[tuple[str, str, str], int]]:
    """Lock each community's row once and move its sequence past this file's residents:
    {community id: ((county, township, community codes), last sequence before the file)}."""
    communities = list(db.session.scalars(
        select(Community).where(Community.id.in_(sorted(plan.communities)))
        .with_for_update().execution_options(populate_existing=True)))
    institutions = {i.id: i for i in db.session.scalars(select(Institution).where(
        Institution.id.in_(sorted({c.institution_id for c in communities}))))}
    drawn = {}
    for community in communities:
        count = plan.communities[community.id]
        if community.archive_seq + count > 99999:  # numbers were drawn since validation
            raise _Rejected(_l("The archive numbers of a community ran out while importing; "
                               "nothing was imported."))
        institution = institutions[community.institution_id]
        drawn[community.id] = ((institution.county_code, institution.township_code,
                                community.code), community.archive_seq)
        community.archive_seq += count
    db.session.flush()
    return drawn


def _reserve_ids(table, count: int) -> list[int]:
    """Ids for `count` new rows of `table`, known before inserting them, so that the rows
    go in with a plain executemany: RETURNING with rows in parameter order makes SQLAlchemy
    insert one row per statement on SQLite. PostgreSQL draws them from the table's sequence
    (safe beside concurrent inserts); SQLite numbers after the largest id, which is safe
    because this transaction already holds the database's write lock (it has updated the
    communities' archive sequences)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)"), {"table": table.name, "count": count}))
    start = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def _insert(table, rows: list[dict], progress: Progress | None, done: int, total: int) -> None:
    statement = insert(table)
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = rows[start:start + _INSERT_BATCH]
        db.session.execute(statement, batch)
        if progress:
            progress("write", done + start + len(batch), total)


@contextmanager
def _roomy_sqlite_cache():
    """SQLite's 2 MB page cache thrashes on the resident indexes that 100,000 rows with
    random keys (ID numbers, names, phones) touch all over; give this import 256 MB at most
    (used only as pages are read), then give the pooled connection its setting back."""
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = int(db.session.execute(text("PRAGMA cache_size")).scalar())
    db.session.execute(text("PRAGMA cache_size = -262144"))
    try:
        yield
    finally:
        db.session.execute(text(f"PRAGMA cache_size = {before}"))


def _write(plan: _Plan, day: date, progress: Progress | None) -> tuple[int, list[int]]:
    total = len(plan.households) + len(plan.residents)
    if progress:
        progress("write", 0, total)
    drawn = _draw_archive_numbers(plan)
    sequence = {community_id: seq for community_id, (_codes, seq) in drawn.items()}
    now = utcnow()
    first_name: dict[str, str] = {}
    head_name: dict[str, str] = {}
    for _row, key, data in plan.residents:
        first_name.setdefault(key, data["name"])
        if data.get("relation_to_head") == "head":
            head_name.setdefault(key, data["name"])
    keys = list(plan.households)
    household_ids = dict(zip(keys, _reserve_ids(Household.__table__, len(keys))))
    household_rows = [{"id": household_ids[key], "grid_id": h.grid.id,
                       "address": h.data["address"],
                       "head_name": head_name.get(key) or first_name.get(key),
                       "phone": h.data.get("phone"), "active": True, "created_at": now}
                      for key, h in ((k, plan.households[k]) for k in keys)]
    _insert(Household.__table__, household_rows, progress, 0, total)
    resident_ids = _reserve_ids(Resident.__table__, len(plan.residents))
    initials, archive_number = rules.name_initials, rules.archive_number
    resident_rows = []
    for resident_id, (_row, key, data) in zip(resident_ids, plan.residents):
        grid = plan.households[key].grid
        sequence[grid.community_id] += 1
        codes = drawn[grid.community_id][0]
        resident_rows.append({
            **_RESIDENT_DEFAULTS, **data, "id": resident_id, "household_id": household_ids[key],
            "grid_id": grid.id,
            "archive_no": archive_number(*codes, sequence[grid.community_id]),
            "name_initials": initials(data["name"]), "status": "active", "created_on": day,
            "created_at": now, "updated_at": now, "version": 1})
    _insert(Resident.__table__, resident_rows, progress, len(household_rows), total)
    return len(household_rows), resident_ids


# --- the use case ---------------------------------------------------------------------

@contextmanager
def _collector_paused():
    """An import keeps a few hundred thousand small objects alive until it is done, and
    Python's cycle collector would sweep them again and again (15 % of a 100,000-row
    import) though they hold no cycles; it resumes, and catches up, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_residents(source, *, filename: str, scope: Scope, day: date,
                     progress: Progress | None = None, dry_run: bool = False,
                     reader=None) -> ImportReport:
    """Validate a filled template and, if every row is right, write it all (flushed, not
    committed: the caller commits, or rolls back on an exception). `source` is a path or a
    binary file object; `scope` limits the grids; messages follow the current locale."""
    with _collector_paused():
        return _import(source, filename, scope, day, progress, dry_run, reader)


def _import(source, filename, scope, day, progress, dry_run, reader) -> ImportReport:
    report = ImportReport(filename=filename)
    errors: list[RowError] = []
    try:
        if progress:
            progress("read", 0, None)
        _check_archive(source)
        total, rows, close = (reader or _reader())(source)
    except _Rejected as exc:
        report.errors.append(exc.error)
        return report
    except Exception:  # noqa: BLE001  (a broken workbook: whatever the reader raises)
        report.errors.append(RowError(None, None, _(
            "The file could not be read as an Excel workbook. Open it in Excel or WPS, save "
            "it as .xlsx and try again.")))
        return report
    try:
        if progress:
            progress("read", total or 0, total)
        plan = _validate(iter(rows), total, scope, errors, progress)
    except _Rejected as exc:
        errors.append(exc.error)
        plan = None
    finally:
        if close:
            close()
    errors.sort(key=lambda e: (e.row or 0, _COLUMN_ORDER.get(e.column, -1)))
    report.errors = errors
    if plan is None or errors:
        return report
    report.households = sum(1 for h in plan.households.values() if h.rows)
    report.residents = len(plan.residents)
    if dry_run:
        return report
    try:
        with _roomy_sqlite_cache(), db.session.begin_nested():
            report.households, report.resident_ids = _write(plan, day, progress)
            audit("records.import", detail=(
                f"file={filename[:120]}; households={report.households}; "
                f"residents={len(report.resident_ids)}"))
            # Inside the savepoint: what subscribers write stands or falls with the import.
            residents_imported.send(None, resident_ids=report.resident_ids, day=day)
            db.session.flush()
    except _Rejected as exc:
        report.errors.append(exc.error)
        return report
    except IntegrityError:
        report.errors.append(RowError(None, None, _(
            "Someone registered one of these residents while the file was being imported; "
            "nothing was imported. Import the file again to see which.")))
        return report
    report.written = True
    return report


_COLUMN_ORDER = {column.code: index for index, column in enumerate(COLUMNS)}
