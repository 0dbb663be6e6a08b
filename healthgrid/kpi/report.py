"""The performance report as a PDF: cover, indicators against targets, grid events, charts,
team ranking and a page per team (the layout and why it is fpdf2: pdf.py).

A centre has hundreds of teams. Laying out a table cell with fpdf2 costs about as much as a
paragraph, so the long tables (grid events, ranking, the teams) are drawn directly in the
indicator table's style (pdf.Report.grid): a text operator and its rules a cell. The teams
follow one another, each kept whole on a page."""
from __future__ import annotations

from flask_babel import gettext as _
from fpdf.fonts import FontFace

from healthgrid.clock import now
from healthgrid.labels import label

from . import pdf, rules, services
from .charts import charts_for, quiet_grids_note, trend_charts

OK, BAD = (6, 118, 71), (180, 35, 24)
TEAM_TABLE = (8, 1.55)  # font size and row height of a team's tables: two teams a page


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - pdf.columns(text))
    return gap + text if right else text + gap


def text_table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Rows of text aligned in columns, with a rule under the header."""
    widths = [max(pdf.columns(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  ".join(_pad(str(c), w, i in right) for i, (c, w) in
                       enumerate(zip(headers, widths)))]
    lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    lines += ["  ".join(_pad(str(c), w, i in right) for i, (c, w) in enumerate(zip(row, widths)))
              for row in rows]
    return "\n".join(lines)


def event_table(result: services.Result) -> tuple[list[str], list[list[str]], str]:
    """The grid events, per grid with something to show and in total: headings, rows, and
    the note on the grids left out."""
    rows, total = services.event_figures(result)
    listed = [row for row in rows if not row.quiet]
    headers = [_("Grid"), _("Events reported"), _("Closed"), _("Closed on time"),
               _("On-time rate"), _("Average days to close"), _("Open and overdue")]
    lines = [[row.name, str(row.reported), str(row.closed), str(row.on_time),
              f"{row.on_time_rate * 100:.1f}%" if row.on_time_rate is not None else "—",
              f"{row.average_days:.1f}" if row.average_days is not None else "—",
              str(row.overdue)] for row in listed + [total]]
    lines[-1][0] = _("Total")
    note = quiet_grids_note(len(rows) - len(listed)) if len(listed) < len(rows) else ""
    return headers, lines, note


def _percent(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else _("no data")


def team_tables(teams: list[dict], weights: dict[str, float]) -> list[tuple]:
    """Each team's indicators and workload as (headings, rows, marks) twice (captions
    translated once, not once a team). A rate that missed its target is marked in red."""
    names = {code: label("indicator", code) for code in rules.BY_CODE}
    headers = [_("Indicator"), _("Numerator"), _("Denominator"), _("Rate"), _("Target"),
               _("Weight")]
    work_headers = [_("Workload"), _("Quota"), _("Done"), _("Completion")]
    work_items = (("followups", _("Required follow-ups")),
                  ("annual_checks", _("Annual checks of the 65+")),
                  ("contracts", _("Contracts / residents")))
    tables = []
    for row in teams:
        values = list(row["values"].items())
        indicators = [[names[code], str(v.numerator), str(v.denominator), _percent(v.value),
                       f"{v.target * 100:g}%", f"{weights.get(code, 0):g}"]
                      for code, v in values]
        marks = [{3: BAD} if v.met is False else {} for _code, v in values]
        workload = [[caption, str(row["quota"][item]), str(row["done"][item]),
                     f"{100 * row['done'][item] / row['quota'][item]:.0f}%"
                     if row["quota"][item] else "—"] for item, caption in work_items]
        tables.append(((headers, indicators, marks), (work_headers, workload)))
    return tables


def ranking_table(teams: list[dict]) -> tuple[list[str], list[list[str]]]:
    return ([_("Rank"), _("Team"), _("Score"), _("Grade"), _("Follow-ups done / quota"),
             _("Annual checks done / quota")],
            [[str(row["rank"]), row["team"].name,
              f"{row['score']:.1f}" if row["score"] is not None else "—", row["grade"] or "—",
              f"{row['done']['followups']} / {row['quota']['followups']}",
              f"{row['done']['annual_checks']} / {row['quota']['annual_checks']}"]
             for row in teams])


def _indicator_rows(result: services.Result) -> list[tuple[str, list[str], bool | None]]:
    """Per indicator: its cells, whether it is a plan target, whether it met its target."""
    rows = []
    for indicator in rules.INDICATORS:
        v = result.values[indicator.code]
        sign = "≤" if indicator.code in rules.LOWER_IS_BETTER else "≥"
        met = "—" if v.met is None else _("Met") if v.met else _("Not met")
        rows.append((indicator.code in rules.PLAN_TARGETS,
                     [label("indicator", indicator.code), str(v.numerator), str(v.denominator),
                      _percent(v.value), f"{sign} {indicator.target * 100:g}%", met], v.met))
    return rows


def _team_pages(teams: list[dict], weights: dict[str, float]) -> list[tuple[str, str, tuple]]:
    """Per team: its heading, its grids and population, its tables."""
    grids, population = _("Grids"), _("Official population")
    return [(f"{row['team'].name} · " + _(
                "rank %(r)s, score %(s)s, grade %(g)s", r=row["rank"],
                s=row["score"] if row["score"] is not None else "—", g=row["grade"] or "—"),
             f"{grids}: {'、'.join(g.name for g in row['team'].grids)} · "
             f"{population} {row['population']}", tables)
            for row, tables in zip(teams, team_tables(teams, weights))]


def _words(table) -> str:
    return "".join(text for line in table for text in line)


def render_report(result: services.Result) -> bytes:
    scope, period = result.scope, result.period
    weights = services.weights_for(scope.institution)
    teams = services.team_performance(result, weights)
    # The centre's name once: a centre's own report has it as its scope too.
    cover = [scope.institution.name] + ([scope.name] if scope.name != scope.institution.name
                                        else []) + [
        _("Period %(label)s (%(start)s – %(end)s)", label=period.label, start=period.start,
          end=period.end), _("as of %(d)s", d=result.as_of)]
    printed = _("Printed %(t)s", t=now().strftime("%Y-%m-%d %H:%M"))
    headers = [_("Indicator"), _("Numerator"), _("Denominator"), _("Rate"), _("Target"),
               _("Met")]
    indicators = _indicator_rows(result)
    events_note = _("Events reported in the period; events closed in the period, those closed "
                    "by their deadline and the average days from report to closure; open events "
                    "past their deadline on %(d)s.", d=result.as_of)
    event_headers, events, quiet_note = event_table(result)
    charts = [str(chart) for chart in charts_for(result, rules.PLAN_TARGETS + (
        "htn_control", "dm_control", "elderly_mgmt")) + trend_charts(result)]
    rank_headers, ranking = ranking_table(teams)
    team_pages = _team_pages(teams, weights)
    missed_note = _("A rate in red missed its target.")
    titles = [_("Grid health services performance report"), _("Performance report"),
              _("Indicators against targets"), _("Grid events"), _("Charts"), _("Team ranking"),
              _("Teams")]
    everything = "".join([
        *titles, *cover, printed, *headers, events_note, _words([event_headers, *events]),
        quiet_note, *charts, _words([rank_headers, *ranking]), missed_note,
        *(text for _, cells, _ in indicators for text in cells),
        *(heading + grids for heading, grids, _tables in team_pages),
        *(_words([ind[0], *ind[1], work[0], *work[1]]) for _h, _g, (ind, work) in team_pages)])

    with pdf.report(everything, f"{scope.name} · {period.label}") as doc:
        doc.set_title(f"{titles[1]} · {scope.name} · {period.label}")
        doc.set_lang("zh-CN")
        doc.add_page()
        doc.set_y(78)
        doc.paragraph(titles[0], size=24, align="C", after=6)
        for line in cover:
            doc.paragraph(line, size=13, align="C")
        doc.paragraph(printed, size=13, muted=True, align="C")

        doc.add_page()
        doc.heading(titles[2])
        doc.set_font(pdf.SANS, "", 10)
        doc.set_draw_color(201, 210, 220)
        doc.set_line_width(0.2)
        with doc.table(col_widths=(40, 12, 12, 12, 12, 12), line_height=5.5, padding=(1.2, 2),
                       text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
                       headings_style=FontFace(emphasis="BOLD", fill_color=(238, 242, 245))
                       ) as table:
            table.row(headers)
            for plan, cells, met in indicators:
                row = table.row()
                for column, text in enumerate(cells):
                    color = (OK if met else BAD) if column == 5 and met is not None else None
                    row.cell(text, style=FontFace(
                        emphasis="BOLD" if (plan and column == 0) or (column == 5 and met is False)
                        else None, color=color))

        doc.heading(titles[3], keep=doc.grid_height(min(3, len(events))) + 10)
        doc.paragraph(events_note, muted=True)
        doc.grid(event_headers, events, (34, 14, 12, 14, 14, 16, 14), "LRRRRRR",
                 bold_rows={len(events) - 1})
        if quiet_note:
            doc.paragraph(quiet_note, muted=True)

        doc.heading(titles[4], keep=doc.chart_size(charts[0])[1] if charts else 0)
        for chart in charts:
            doc.chart(chart)

        doc.add_page()
        doc.heading(titles[5])
        doc.grid(rank_headers, ranking, (9, 52, 11, 9, 24, 24), "RLRLRR")

        # The teams follow one another, each kept whole on a page (two or three a page).
        doc.heading(titles[6], keep=0)
        doc.paragraph(missed_note, muted=True)
        for heading, grids, ((ind_headers, ind_rows, marks), (work_headers, work_rows)) \
                in team_pages:
            doc.heading(heading, keep=doc.grid_height(len(ind_rows), *TEAM_TABLE) +
                        doc.grid_height(len(work_rows), *TEAM_TABLE) + 8)
            doc.paragraph(grids, muted=True)
            doc.grid(ind_headers, ind_rows, (44, 13, 13, 13, 11, 10), "LRRRRR", marks=marks,
                     size=TEAM_TABLE[0], leading=TEAM_TABLE[1])
            doc.grid(work_headers, work_rows, (44, 19, 19, 19), "LRRR", size=TEAM_TABLE[0],
                     leading=TEAM_TABLE[1])
        return doc.output()
