"""Survey results as an Excel workbook: by team, by grid, and the comments. No resident is
named: a response's resident link stays in the database."""
from __future__ import annotations

from flask_babel import gettext as _

from healthgrid.workbooks import Workbook

from . import rules
from .schemas import channel_label
from .services import Results


def _percent(value: float | None):
    return round(value * 100, 1) if value is not None else None


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
    teams = book.sheet(_("By team"))
    teams.row([title])
    teams.row([_("Team")] + _count_headers(), style="bold")
    for entry in result.teams:
        teams.row([entry.team.name if entry.team else _("No team")] + _counts(entry.tally))
    teams.row([_("Total")] + _counts(result.total))

    grids = book.sheet(_("By grid"))
    grids.row([title])
    grids.row([_("Community"), _("Grid"), _("Team")] + _count_headers()
              + [_("Score %(score)s", score=s) for s in rules.SCALE], style="bold")
    for entry in result.teams:
        for row in entry.grids:
            grids.row([row.grid.community.name, row.grid.name,
                       entry.team.name if entry.team else ""] + _counts(row.tally)
                      + [row.tally.scores.get(s, 0) for s in rules.SCALE])

    comments = book.sheet(_("Comments"))
    comments.row([title])
    comments.row([_("Date"), _("Grid"), _("Channel"), _("Satisfaction"), _("Comment")],
                 style="bold")
    names = result.grid_names
    for response in result.comments:
        comments.row([response.date, names.get(response.grid_id, ""),
                      channel_label(response.channel), response.satisfaction,
                      response.comment])
    return book.save()
