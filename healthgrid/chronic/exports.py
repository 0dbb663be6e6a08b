"""The worklist as an Excel call list."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from healthgrid.labels import label
from healthgrid.workbooks import Workbook


def worklist_workbook(team, overdue, due_soon, day: date) -> bytes:
    book = Workbook()
    sheet = book.sheet(_("Call list"))
    sheet.row([f"{team.name} · {_('Worklist')} · {day.isoformat()}"], style="title")
    headers = [_("Status"), _("Full name"), _("Phone"), _("Program"), _("Next due"),
               _("Days overdue"), _("Urgent referral")]
    sheet.row(headers, style="bold")
    for state, items in ((_("Overdue"), overdue), (_("Due within 7 days"), due_soon)):
        for item in items:
            sheet.row([state, item.name, item.phone or "", label("program", item.program),
                       item.next_due_date, item.days_overdue, _("Yes") if item.urgent else ""])
    sheet.columns(widths=(14, 12, 16, 22, 12, 10, 12))
    return book.save()
