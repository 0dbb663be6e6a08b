"""Household locations from an Excel sheet (first sheet, a header row, then one household a
row): household number, longitude, latitude. All rows are saved, or none: each bad row is
named with its field and reason."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape

from healthgrid.clock import utcnow
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.records.imports.reading import check_archive, plain, reader
from healthgrid.records.imports.report import Rejected
from healthgrid.records.models import Household

from . import rules, services
from .models import HouseholdLocation
from .spatial import SRID

# Header spellings, lower-cased (input, not text shown to anyone).
HEADERS = {
    "household_id": ("household_id", "household", "家庭编号", "户编号", "家庭id", "户号"),
    "lng": ("lng", "lon", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
}
NO_HOUSEHOLD = _l("no household of yours has this number")
MISSING_COLUMNS = _l("The first row must name the columns household_id (家庭编号), lng (经度) "
                     "and lat (纬度).")


@dataclass
class RowProblem:
    row: int
    field: str
    message: str


class LocationImportError(DomainError):
    def __init__(self, problems: list[RowProblem]):
        super().__init__("rows", _l("Some rows are wrong; nothing was saved."))
        self.problems = problems


def _columns(header) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        name = (plain(cell) or "").lower()
        for field, spellings in HEADERS.items():
            if name in spellings and field not in found:
                found[field] = index
    if len(found) < len(HEADERS):
        raise DomainError("file", MISSING_COLUMNS)
    return found


def read_rows(source) -> list[tuple[int, dict]]:
    """(row number, {household_id, lng, lat} as text) for each non-empty row."""
    try:
        check_archive(source)
        _count, rows, close = reader()(source)
    except Rejected as exc:
        raise DomainError("file", exc.error.message) from None
    try:
        header = next(rows, None)
        if header is None:
            raise DomainError("file", MISSING_COLUMNS)
        columns = _columns(header)
        out = []
        for number, row in enumerate(rows, start=2):
            values = {f: plain(row[i]) if i < len(row) else None for f, i in columns.items()}
            if any(values.values()):
                out.append((number, values))
        return out
    finally:
        if close:
            close()


def import_locations(source, allows_grid) -> int:
    """Check every row, then save them all and locate them in the grids."""
    problems: list[RowProblem] = []
    valid: list[tuple[Household, float, float]] = []
    extents: dict[int, rules.Extent | None] = {}
    for number, values in read_rows(source):
        raw_id = values["household_id"] or ""
        household = db.session.get(Household, int(raw_id)) \
            if raw_id.isdigit() and len(raw_id) < 10 else None
        if household is None or not allows_grid(household.grid_id):
            problems.append(RowProblem(number, "household_id", str(NO_HOUSEHOLD)))
            continue
        try:
            lng, lat = float(values["lng"] or "x"), float(values["lat"] or "x")
        except ValueError:
            field = "lng" if not _is_number(values["lng"]) else "lat"
            problems.append(RowProblem(number, field, str(services.REASON_TEXT["not_number"])))
            continue
        institution = services.institution_id_of(household.grid)
        if institution not in extents:
            extents[institution] = services.extent(institution)
        problem = rules.location_problem(lng, lat, extents[institution])
        if problem:
            problems.append(RowProblem(number, problem[0],
                                       str(services.REASON_TEXT[problem[1]])))
            continue
        valid.append((household, lng, lat))
    if problems:
        raise LocationImportError(problems)
    for household, lng, lat in valid:
        row = db.session.get(HouseholdLocation, household.id) or HouseholdLocation(
            household_id=household.id)
        row.lng, row.lat, row.source, row.located_at = lng, lat, "import", utcnow()
        row.geom = from_shape(rules.point(lng, lat), srid=SRID)
        db.session.add(row)
    db.session.flush()
    for institution in extents:
        services.relocate(institution)
    return len(valid)


def _is_number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True
