"""The performance report as a PDF (WeasyPrint, Noto Sans CJK SC embedded).

A centre has hundreds of teams and the report gives each a page. WeasyPrint lays out a
table cell as dearly as a paragraph (about a quarter of a second per table page), so the
team pages are set as aligned lines of the monospaced Noto Sans Mono CJK SC instead: one
line per row, an order of magnitude faster, and the text still extracts as text."""
from __future__ import annotations

import unicodedata

from flask import current_app, render_template
from flask_babel import gettext as _
from weasyprint import HTML

from healthgrid.clock import now
from healthgrid.labels import label

from . import rules, services
from .views import PLAN_TARGETS, charts_for, trend_charts


def _width(text: str) -> int:
    """Columns a string takes in a CJK monospaced font (wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def text_table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Rows of text aligned in columns, with a rule under the header."""
    widths = [max(_width(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(_pad(str(c), w, i in right) for i, (c, w) in
                       enumerate(zip(headers, widths)))]
    lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    lines += ["  ".join(_pad(str(c), w, i in right) for i, (c, w) in enumerate(zip(row, widths)))
              for row in rows]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else _("no data")


def team_sheet(row: dict, weights: dict[str, float]) -> str:
    indicators = text_table(
        [_("Indicator"), _("Numerator"), _("Denominator"), _("Rate"), _("Target"), _("Weight")],
        [[label("indicator", code), str(v.numerator), str(v.denominator),
          _percent(v.value) + (" *" if v.met is False else "  "), f"{v.target * 100:g}%",
          f"{weights.get(code, 0):g}"] for code, v in row["values"].items()],
        right={1, 2, 3, 4, 5})
    workload = text_table(
        [_("Workload"), _("Quota"), _("Done"), _("Completion")],
        [[caption, str(row["quota"][item]), str(row["done"][item]),
          f"{100 * row['done'][item] / row['quota'][item]:.0f}%" if row["quota"][item] else "—"]
         for item, caption in (("followups", _("Required follow-ups")),
                               ("annual_checks", _("Annual checks of the 65+")),
                               ("contracts", _("Contracts / residents")))],
        right={1, 2, 3})
    return indicators + "\n" + _("* not met") + "\n\n" + workload


def ranking_sheet(teams: list[dict]) -> str:
    return text_table(
        [_("Rank"), _("Team"), _("Score"), _("Grade"), _("Follow-ups done / quota"),
         _("Annual checks done / quota")],
        [[str(row["rank"]), row["team"].name,
          f"{row['score']:.1f}" if row["score"] is not None else "—", row["grade"] or "—",
          f"{row['done']['followups']} / {row['quota']['followups']}",
          f"{row['done']['annual_checks']} / {row['quota']['annual_checks']}"]
         for row in teams],
        right={0, 2, 4, 5})


def render_report(result: services.Result) -> bytes:
    weights = services.weights_for(result.scope.institution)
    teams = services.team_performance(result, weights)
    for row in teams:
        row["sheet"] = team_sheet(row, weights)
    html = render_template(
        "kpi/report_pdf.html", result=result, teams=teams, weights=weights,
        ranking=ranking_sheet(teams),
        plan=PLAN_TARGETS, indicators=rules.INDICATORS, lower=rules.LOWER_IS_BETTER,
        charts=charts_for(result, PLAN_TARGETS + ("htn_control", "dm_control",
                                                  "elderly_mgmt")),
        trends=trend_charts(result), printed_at=now())
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
