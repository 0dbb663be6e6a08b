"""Survey results as an Excel workbook: by team, by grid, and the comments. No resident is
named: a response's resident link stays in the database."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import rules
from .schemas import channel_label
from .services import Results


def _percent(value: float | None):
    return round(value * 100, 1) if value is not None else None


def _header(sheet, values: list[str]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _counts(tally: rules.Tally) -> list:
    return [tally.responses, tally.aware, _percent(tally.awareness), tally.knows_answered,
            tally.knows_doctor, _percent(tally.knows_doctor_rate), tally.rated, tally.satisfied,
            _percent(tally.satisfaction)]


def _count_headers() -> list[str]:
    return [_("Responses"), _("Aware"), _("Awareness (%)"), _("Answered about the doctor"),
            _("Know their doctor"), _("Know their doctor (%)"), _("Rated"), _("Satisfied"),
            _("Satisfaction (%)")]


def results_workbook(result: Results) -> bytes:
    book = Workbook()
    title = (f"{_('Survey results')} · {result.period.label} ({result.period.start.isoformat()}"
             f" – {result.as_of.isoformat()})")
    teams = book.active
    teams.title = _("By team")
    teams.append([title])
    _header(teams, [_("Team")] + _count_headers())
    for entry in result.teams:
        teams.append([entry.team.name if entry.team else _("No team")] + _counts(entry.tally))
    teams.append([_("Total")] + _counts(result.total))

    grids = book.create_sheet(_("By grid"))
    grids.append([title])
    _header(grids, [_("Community"), _("Grid"), _("Team")] + _count_headers()
            + [_("Score %(score)s", score=s) for s in rules.SCALE])
    for entry in result.teams:
        for row in entry.grids:
            grids.append([row.grid.community.name, row.grid.name,
                          entry.team.name if entry.team else ""] + _counts(row.tally)
                         + [row.tally.scores.get(s, 0) for s in rules.SCALE])

    comments = book.create_sheet(_("Comments"))
    comments.append([title])
    _header(comments, [_("Date"), _("Grid"), _("Channel"), _("Satisfaction"), _("Comment")])
    names = result.grid_names
    for response in result.comments:
        comments.append([response.date, names.get(response.grid_id, ""),
                         channel_label(response.channel), response.satisfaction,
                         response.comment])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
