"""Excel out: the import template, and residents exported with masked identifiers."""
from __future__ import annotations

from flask_babel import force_locale, gettext as _, lazy_gettext as _l

from healthgrid.auth.scope import Scope
from healthgrid.extensions import db
from healthgrid.labels import LABELS
from healthgrid.org.models import Community, Grid
from healthgrid.workbooks import Workbook

from . import rules, services
from .imports import COLUMNS, FIRST_DATA_ROW, header_text
from .models import Household, Resident

_TEMPLATE_ROWS = 10000  # rows with drop-down lists

_HELP = {
    "household_key": _l("Any text you choose; rows with the same key are one household."),
    "institution_code": _l("Only needed when two institutions have the same community and "
                           "grid codes."),
    "community_code": _l("Only needed when two communities have a grid of this code."),
    "grid_code": _l("The grid's code, as on the Grids page."),
    "address": _l("Fill it on the household's first row at least."),
    "household_phone": _l("Fill it on the household's first row at least."),
    "birth_date": _l("A date such as 1980-02-03."),
    "id_number": _l("18 characters, typed as text; checked against birth date and sex."),
    "phone": _l("Mobile (11 digits) or landline with area code, e.g. 010-12345678."),
    **{code: _l("Several allowed, separated by 、") for code in (
        "payment_types", "drug_allergies", "exposures", "disabilities")},
}


def _choices_text(column) -> str:
    if column.kind in ("choice", "choices"):
        return "、".join(str(text) for text in LABELS[column.labels].values())
    if column.kind == "flag":
        return "是、否"
    return ""


def template_workbook() -> Workbook:
    """The import template: row 1 the Chinese titles ("*": the column must be filled),
    row 2 the English field codes, drop-down lists for choices, text format for numbers
    that Excel would otherwise spoil (ID numbers, phones, codes); a second sheet explains."""
    with force_locale("zh_CN"):
        workbook = Workbook()
        sheet = workbook.sheet(_("Residents"))
        sheet.row([header_text(column) for column in COLUMNS], style="header",
                  notes=[str(_HELP[c.code]) if c.code in _HELP else None for c in COLUMNS])
        sheet.row([column.code for column in COLUMNS], style="muted")
        # Column styles: what is typed later keeps them (ID numbers stay 18 characters).
        sheet.columns(widths=[max(12, 2 * len(str(c.title)) + 4) for c in COLUMNS],
                      formats=["yyyy-mm-dd" if c.kind == "date" else "@" for c in COLUMNS])
        for index, column in enumerate(COLUMNS, start=1):
            choices = _choices_text(column)
            if choices and column.kind != "choices":  # several: typed, separated by 、
                sheet.choice_list(index, choices.split("、"), FIRST_DATA_ROW, _TEMPLATE_ROWS)
        sheet.freeze(FIRST_DATA_ROW)
        _help_sheet(workbook.sheet(_("How to fill in")))
    return workbook


def _help_sheet(sheet) -> None:
    sheet.row([_("One row per resident. Rows with the same household key form one "
                 "household (one household, one file). Data starts on row 3; keep rows 1 "
                 "and 2. A file with any error imports nothing: fix the rows the report "
                 "names and import the whole file again.")], style="wrap")
    sheet.row([])
    sheet.row([_("Column"), _("Code"), _("Required"), _("Allowed values"), _("Notes")],
              style="bold")
    for column in COLUMNS:
        sheet.row([str(column.title), column.code, _("Yes") if column.required else "",
                   _choices_text(column), str(_HELP.get(column.code, ""))])
    sheet.columns(widths=(18, 22, 8, 60, 60))


def write_template(target) -> None:
    template_workbook().save(target)


# --- export ---------------------------------------------------------------------------

def _export_columns():
    return [_("Archive no."), _("Full name"), _("Sex"), _("Birth date"), _("ID number"),
            _("Phone"), _("Community"), _("Grid"), _("Household address"),
            _("Relation to head"), _("Residence type"), _("Status"), _("Archive medium"),
            _("Archive created"), *(str(c.title) for c in _PROFILE_COLUMNS)]


# The personal basic information columns of the import sheet, exported the same way.
_PROFILE_COLUMNS = [c for c in COLUMNS if c.code in (
    "workplace", "contact_name", "rh", "education", "occupation", "marital_status",
    "payment_types", "drug_allergies", "exposures", "hereditary", "disabilities", "kitchen",
    "fuel", "water", "toilet", "livestock")]


def _profile_cells(values, labels) -> list:
    cells = []
    for column, value in zip(_PROFILE_COLUMNS, values):
        if value is None or column.labels is None:
            cells.append(value)
        else:
            table = labels[column.labels]
            cells.append("、".join(table.get(code, code) for code in value.split(",") if code))
    return cells


def export_residents(scope: Scope, q: str, grid_id: int | None, target) -> int:
    """Write the residents a search finds (within `scope`) to `target` as .xlsx, ID numbers
    and phones masked; headers and labels in the current language. Returns the count."""
    query = services.search_query(scope, q, grid_id)
    statement = (query.with_only_columns(
        Resident.archive_no, Resident.name, Resident.sex, Resident.birth_date,
        Resident.id_number, Resident.phone, Community.name, Grid.name, Household.address,
        Resident.relation_to_head, Resident.residence_type, Resident.status,
        Resident.archive_medium, Resident.created_on,
        *(getattr(Resident, c.code) for c in _PROFILE_COLUMNS))
        .join_from(Resident, Household, Household.id == Resident.household_id)
        .join_from(Resident, Grid, Grid.id == Resident.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .order_by(Resident.archive_no)
        .execution_options(yield_per=2000))
    workbook = Workbook(streaming=True)
    sheet = workbook.sheet(_("Residents"))
    sheet.columns(widths=(20, 10, 6, 12, 20, 14, 16, 16, 30, 10, 10, 8, 8, 12)
                  + (14,) * len(_PROFILE_COLUMNS))
    sheet.freeze(2)
    sheet.row(_export_columns(), style="bold")
    labels = {kind: {code: str(text) for code, text in LABELS[kind].items()}
              for kind in ("sex", "relation", "residence_type", "status", "archive_medium",
                           *(c.labels for c in _PROFILE_COLUMNS if c.labels))}
    count = 0
    for (archive_no, name, sex, birth, id_number, phone, community, grid, address, relation,
         residence, status, medium, created, *profile) in db.session.execute(statement):
        sheet.row([
            archive_no, name, labels["sex"].get(sex, sex), birth,
            rules.mask_id_number(id_number), rules.mask_phone(phone),
            community, grid, address,
            labels["relation"].get(relation, relation) if relation else None,
            labels["residence_type"].get(residence, residence),
            labels["status"].get(status, status),
            labels["archive_medium"].get(medium, medium), created,
            *_profile_cells(profile, labels)])
        count += 1
    workbook.save(target)
    return count

