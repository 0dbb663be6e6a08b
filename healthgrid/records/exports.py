"""Excel out: the import template, and residents exported with masked identifiers."""
from __future__ import annotations

from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from healthgrid.auth.scope import Scope
from healthgrid.extensions import db
from healthgrid.labels import LABELS
from healthgrid.org.models import Community, Grid

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
}


def _choices_text(column) -> str:
    if column.kind == "choice":
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
        sheet = workbook.active
        sheet.title = _("Residents")
        bold, muted = Font(bold=True), Font(italic=True, color="808080")
        fill = PatternFill("solid", fgColor="EEF2F5")
        for index, column in enumerate(COLUMNS, start=1):
            letter = get_column_letter(index)
            title = sheet.cell(row=1, column=index, value=header_text(column))
            title.font, title.fill = bold, fill
            if column.code in _HELP:
                title.comment = Comment(str(_HELP[column.code]), "HealthGrid")
            sheet.cell(row=2, column=index, value=column.code).font = muted
            sheet.column_dimensions[letter].width = max(12, 2 * len(str(column.title)) + 4)
            # A column style: what is typed later keeps it (ID numbers stay 18 characters).
            sheet.column_dimensions[letter].number_format = \
                "yyyy-mm-dd" if column.kind == "date" else "@"
            choices = _choices_text(column)
            if choices:
                rule = DataValidation(type="list", formula1='"' + choices.replace("、", ",") + '"',
                                      allow_blank=True, errorStyle="warning")
                rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + _TEMPLATE_ROWS - 1}")
                sheet.add_data_validation(rule)
        sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
        _help_sheet(workbook.create_sheet(_("How to fill in")))
    return workbook


def _help_sheet(sheet) -> None:
    sheet.append([_("One row per resident. Rows with the same household key form one "
                    "household (one household, one file). Data starts on row 3; keep rows 1 "
                    "and 2. A file with any error imports nothing: fix the rows the report "
                    "names and import the whole file again.")])
    sheet.append([])
    sheet.append([_("Column"), _("Code"), _("Required"), _("Allowed values"), _("Notes")])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        sheet.append([str(column.title), column.code, _("Yes") if column.required else "",
                      _choices_text(column), str(_HELP.get(column.code, ""))])
    for letter, width in zip("ABCDE", (18, 22, 8, 60, 60)):
        sheet.column_dimensions[letter].width = width
    sheet["A1"].alignment = Alignment(wrap_text=True)


def write_template(target) -> None:
    template_workbook().save(target)


# --- export ---------------------------------------------------------------------------

def _export_columns():
    return [_("Archive no."), _("Full name"), _("Sex"), _("Birth date"), _("ID number"),
            _("Phone"), _("Community"), _("Grid"), _("Household address"),
            _("Relation to head"), _("Residence type"), _("Status"), _("Archive medium"),
            _("Archive created")]


def _text_cell(sheet, value):
    """A cell that stays text: openpyxl would make "=..." a formula (formula injection)."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def export_residents(scope: Scope, q: str, grid_id: int | None, target) -> int:
    """Write the residents a search finds (within `scope`) to `target` as .xlsx, ID numbers
    and phones masked; headers and labels in the current language. Returns the count."""
    query = services.search_query(scope, q, grid_id)
    statement = (query.with_only_columns(
        Resident.archive_no, Resident.name, Resident.sex, Resident.birth_date,
        Resident.id_number, Resident.phone, Community.name, Grid.name, Household.address,
        Resident.relation_to_head, Resident.residence_type, Resident.status,
        Resident.archive_medium, Resident.created_on)
        .join_from(Resident, Household, Household.id == Resident.household_id)
        .join_from(Resident, Grid, Grid.id == Resident.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .order_by(Resident.archive_no)
        .execution_options(yield_per=2000))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Residents"))
    for letter, width in zip("ABCDEFGHIJKLMN", (20, 10, 6, 12, 20, 14, 16, 16, 30, 10, 10, 8, 8,
                                                12)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in _export_columns():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    labels = {kind: {code: str(text) for code, text in LABELS[kind].items()}
              for kind in ("sex", "relation", "residence_type", "status", "archive_medium")}
    count = 0
    for (archive_no, name, sex, birth, id_number, phone, community, grid, address, relation,
         residence, status, medium, created) in db.session.execute(statement):
        sheet.append([
            archive_no, _text_cell(sheet, name), labels["sex"].get(sex, sex), birth,
            rules.mask_id_number(id_number), rules.mask_phone(phone),
            _text_cell(sheet, community), _text_cell(sheet, grid), _text_cell(sheet, address),
            labels["relation"].get(relation, relation) if relation else None,
            labels["residence_type"].get(residence, residence),
            labels["status"].get(status, status),
            labels["archive_medium"].get(medium, medium), created])
        count += 1
    workbook.save(target)
    return count

