"""The performance report as a PDF (WeasyPrint, Noto Sans CJK SC embedded)."""
from __future__ import annotations

from flask import current_app, render_template
from weasyprint import HTML

from healthgrid.clock import now

from . import rules, services
from .views import PLAN_TARGETS, charts_for, trend_charts


def render_report(result: services.Result) -> bytes:
    weights = services.weights_for(result.scope.institution)
    teams = services.team_performance(result, weights)
    html = render_template(
        "kpi/report_pdf.html", result=result, teams=teams, weights=weights,
        plan=PLAN_TARGETS, indicators=rules.INDICATORS, lower=rules.LOWER_IS_BETTER,
        charts=charts_for(result, PLAN_TARGETS + ("htn_control", "dm_control",
                                                  "elderly_mgmt")),
        trends=trend_charts(result), printed_at=now())
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
