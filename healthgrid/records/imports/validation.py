"""Validating a whole sheet before anything is written: every row through the archive
schemas, households consistent across their rows, grids within the importer's scope, ID
numbers unique in the file and in the database, archive numbers left in each community."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from healthgrid.auth.scope import Scope
from healthgrid.extensions import db
from healthgrid.forms import translate_errors
from healthgrid.org.models import Community, Grid, Institution

from .. import rules
from ..models import Resident
from ..schemas import HouseholdSchema, ResidentBaseSchema
from .columns import COLUMN_BY_CODE, COLUMNS, HOUSEHOLD_CODES, RESIDENT_CODES
from .reading import Cells, plain
from .report import Progress, Rejected, RowError
from .rowloader import RowLoader

MAX_ROWS = 500_000
_ID_QUERY_CHUNK = 500


@dataclass(frozen=True)
class GridRef:
    id: int
    community_id: int
    community_code: str
    institution_code: str
    county_code: str | None
    township_code: str | None
    archive_seq: int


@dataclass
class HouseholdDraft:
    key: str
    first_row: int
    values: dict
    rows: list[int] = field(default_factory=list)
    grid: GridRef | None = None
    data: dict | None = None


@dataclass
class Plan:
    households: dict[str, HouseholdDraft]
    residents: list[tuple[int, str, dict]]   # (row, household key, loaded data)
    communities: dict[int, int]              # community id -> residents to number


def read_header(first, errors: list[RowError]) -> dict[str, int]:
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
        text = (plain(value) or "").rstrip("*＊ ").strip().lower()
        if not text:
            continue
        code = recognise.get(text)
        letter = get_column_letter(index + 1)
        if code is None:
            errors.append(RowError(1, None, _(
                "Column %(letter)s “%(title)s” is not a column of the template.",
                letter=letter, title=plain(value)), letter))
        elif code in positions:
            errors.append(RowError(1, code, _("This column appears twice."), letter))
        else:
            positions[code] = index
    for column in COLUMNS:
        if column.required and column.code not in positions:
            errors.append(RowError(1, column.code, _("The file has no such column; it is "
                                                     "required.")))
    return positions


def is_code_row(values) -> bool:
    codes = {plain(v) for v in values} - {None}
    return bool(codes) and codes <= set(COLUMN_BY_CODE)


def grids_in_scope(scope: Scope) -> dict[str, list[GridRef]]:
    rows = db.session.execute(
        select(Grid.code, Grid.id, Community.id, Community.code, Institution.code,
               Institution.county_code, Institution.township_code, Community.archive_seq)
        .join(Community, Grid.community_id == Community.id)
        .join(Institution, Community.institution_id == Institution.id)
        .where(scope.grid_filter(Grid.id)))
    grids: dict[str, list[GridRef]] = defaultdict(list)
    for code, *rest in rows:
        grids[code.strip().lower()].append(GridRef(*rest))
    return grids


def existing_id_numbers(numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), _ID_QUERY_CHUNK):
        chunk = numbers[start:start + _ID_QUERY_CHUNK]
        found.update(db.session.scalars(select(Resident.id_number)
                                        .where(Resident.id_number.in_(chunk))))
    return found


def validate(rows, total: int | None, scope: Scope, errors: list[RowError],
             progress: Progress | None) -> Plan | None:
    """Read the header, then every row; None (with `errors` filled) if the file is wrong."""
    first = next(rows, None)
    if first is None:
        raise Rejected(_l("The sheet is empty. Download the template and fill it in."))
    positions = read_header(first, errors)
    if errors:
        return None
    if progress:
        progress("validate", 0, total)
    sheet = _Sheet(positions, errors)
    row_number = 1
    for values in rows:
        row_number += 1
        if row_number == 2 and is_code_row(values):
            continue
        if row_number > MAX_ROWS:
            raise Rejected(_l("The file has more than %(n)s rows; split it into several files.",
                              n=MAX_ROWS))
        if progress and row_number % 2000 == 0:
            progress("validate", row_number, total)
        sheet.add_row(row_number, values)
    if progress:
        progress("validate", row_number, total)
    if not sheet.households:
        errors.append(RowError(None, None, _("The file has no residents below its header.")))
        return None
    return sheet.plan(scope)


class _Sheet:
    """The rows read so far: households by key, residents loaded, ID numbers seen."""

    def __init__(self, positions: dict[str, int], errors: list[RowError]):
        self.errors = errors
        self.letters = {code: get_column_letter(index + 1) for code, index in positions.items()}
        cells = Cells()
        self.loader = RowLoader(ResidentBaseSchema())
        self.resident_columns = [(code, positions[code], *cells.column(code))
                                 for code in RESIDENT_CODES if code in positions]
        self.household_columns = [(code, positions[code], *cells.column(code))
                                  for code in HOUSEHOLD_CODES if code in positions]
        self.width = max(positions.values()) + 1
        self.households: dict[str, HouseholdDraft] = {}
        self.residents: list[tuple[int, str, dict]] = []
        self.id_rows: dict[str, int] = {}

    def error(self, row, code, message) -> None:
        self.errors.append(RowError(row, code, str(message), self.letters.get(code)))

    def add_row(self, row_number: int, values) -> None:
        if len(values) < self.width:
            values = tuple(values) + (None,) * (self.width - len(values))
        bad: set[str] = set()
        raw = self._convert(row_number, values, self.resident_columns, bad)
        home = self._convert(row_number, values, self.household_columns, bad)
        if not raw and not home and not bad:
            return  # a blank row
        data, problems = self.loader.load(raw)
        if problems:
            for code, messages in translate_errors(problems).items():
                if code in bad:
                    continue  # its cell was already refused (and then looked missing)
                for message in messages:
                    self.error(row_number, code if code in COLUMN_BY_CODE else None, message)
        key = home.get("household_key")
        if key is None:
            self.error(row_number, "household_key", _("Missing data for required field."))
            return
        self._join_household(row_number, key, home)
        if data is not None and self._unique_id_number(row_number, data.get("id_number")):
            self.residents.append((row_number, key, data))

    def _convert(self, row_number: int, values, columns, bad: set[str]) -> dict:
        """The row's cells of these columns as schema input; refused cells are reported."""
        out = {}
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
                self.error(row_number, code, problem)
                bad.add(code)
            elif converted is not None:
                out[code] = converted
        return out

    def _join_household(self, row_number: int, key: str, home: dict) -> None:
        """Rows of one household must agree on its columns; the first row sets them."""
        household = self.households.get(key)
        if household is None:
            household = self.households[key] = HouseholdDraft(key, row_number, home)
        else:
            for code, value in home.items():
                if household.values.setdefault(code, value) != value:
                    self.error(row_number, code, _(
                        "Differs from row %(row)s, the first row of household %(key)s.",
                        row=household.first_row, key=key))
        household.rows.append(row_number)

    def _unique_id_number(self, row_number: int, number: str | None) -> bool:
        if not number:
            return True
        first_row = self.id_rows.setdefault(number, row_number)
        if first_row != row_number:
            self.error(row_number, "id_number", _("The same ID number as row %(row)s.",
                                                  row=first_row))
            return False
        return True

    def plan(self, scope: Scope) -> Plan:
        """What the file would write, once checked against the database."""
        check_households(self.households, scope, self.error)
        taken = existing_id_numbers(sorted(self.id_rows))
        communities: dict[int, int] = defaultdict(int)
        for row, key, data in self.residents:
            if data.get("id_number") in taken:
                self.error(row, "id_number", _("Another resident already has this ID number."))
            grid = self.households[key].grid
            if grid is not None:
                communities[grid.community_id] += 1
        check_archive_numbers(self.households, communities, self.error)
        return Plan(self.households, self.residents, dict(communities))


def check_households(households: dict[str, HouseholdDraft], scope: Scope, error) -> None:
    grids = grids_in_scope(scope)
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


def check_archive_numbers(households: dict[str, HouseholdDraft], communities: dict[int, int],
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
