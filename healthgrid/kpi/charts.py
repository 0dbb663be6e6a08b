"""The KPI charts, drawn the same way on the dashboard and in the PDF report: each indicator
by community or grid against its target, and the monthly trends."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from healthgrid.charts import Bar, Chart, Series, TargetLine, bar_chart, line_chart
from healthgrid.labels import label

from . import rules, services


def _percent_target(code: str) -> float:
    return round(100 * rules.BY_CODE[code].target, 1)


def _breakdown(result: services.Result) -> tuple[str, list[tuple[str, list[int]]]]:
    """The level below the scope, for charts: communities of a centre, grids otherwise."""
    communities = {}
    for grid in result.scope.grids:
        communities.setdefault(grid.community.name, []).append(grid.id)
    if result.scope.kind == "institution" and len(communities) > 1:
        return _("by community"), list(communities.items())
    return _("by grid"), [(g.name, [g.id]) for g in result.scope.grids]


def charts_for(result: services.Result, codes) -> list:
    level, groups = _breakdown(result)
    per_group = [(name, services.values_for_grids(result, ids)) for name, ids in groups]
    charts = []
    for code in codes:
        if code not in rules.GRID_CODES or len(per_group) < 2:
            continue
        bars = [Bar(name, values[code].value) for name, values in per_group]
        charts.append(bar_chart(f"{label('indicator', code)} · {level}", bars,
                                rules.BY_CODE[code].target,
                                lower_is_better=code in rules.LOWER_IS_BETTER))
    return charts


def trend_charts(result: services.Result) -> list:
    frame = result.trend
    if frame.empty or len(frame) < 2:
        return []
    months = [date.fromisoformat(m + "-01") for m in frame.index]

    def series(name, num, den):
        if num not in frame or den not in frame:
            return None
        points = [(d, round(100 * n / t, 1)) for d, n, t in zip(months, frame[num], frame[den])
                  if t]
        return Series(name, points) if points else None

    charts = []
    survey = [s for s in (series(_("Awareness"), "aware", "responses"),
                          series(_("Satisfaction"), "satisfied", "rated")) if s]
    if survey:
        charts.append(line_chart(Chart(
            _("Survey results by month (%)"), survey,
            [TargetLine(_("Satisfaction target"), _percent_target("satisfaction")),
             TargetLine(_("Awareness target"), _percent_target("awareness"),
                        "#9333ea")], unit="%")))
    # Visits, not patients: the control rates above count each patient's latest visit, so
    # the chart says what it counts lest its lower figures seem to contradict them.
    visits = [s for s in (series(_("Hypertension: share of visits"), "htn_at_target",
                                 "htn_visits"),
                          series(_("Diabetes: share of visits"), "dm_at_target", "dm_visits"))
              if s]
    if visits:
        charts.append(line_chart(Chart(_("Visits at target by month (%), counted by visits: "
                                         "unlike the control rate (each patient's latest)"),
                                       visits,
                                       [TargetLine(_("Control target"),
                                                  _percent_target("htn_control"))], unit="%")))
    return charts


def quiet_grids_note(count: int) -> str:
    return _("%(n)d more grids had no event in the period and none open past its deadline.",
             n=count)
