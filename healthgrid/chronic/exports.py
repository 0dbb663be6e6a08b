"""The worklist as an Excel call list."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from healthgrid.labels import label


def worklist_workbook(team, overdue, due_soon, day: date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Call list")
    sheet.append([f"{team.name} · {_('Worklist')} · {day.isoformat()}"])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [_("Status"), _("Full name"), _("Phone"), _("Program"), _("Next due"),
               _("Days overdue"), _("Urgent referral")]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for state, items in ((_("Overdue"), overdue), (_("Due within 7 days"), due_soon)):
        for item in items:
            sheet.append([state, item.name, item.phone or "", label("program", item.program),
                          item.next_due_date, item.days_overdue,
                          _("Yes") if item.urgent else ""])
    for column, width in zip("ABCDEFG", (14, 12, 16, 22, 12, 10, 12)):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
