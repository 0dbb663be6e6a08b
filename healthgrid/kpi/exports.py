"""Indicator values and gap lists as Excel workbooks."""
from __future__ import annotations

from flask import Response
from flask_babel import gettext as _, lazy_gettext as _l

from healthgrid.downloads import pdf_response, xlsx_response
from healthgrid.labels import LABELS, label
from healthgrid.workbooks import Workbook

from . import rules, services

GAP_COLUMNS = {
    "residents": [("name", _l("Full name")), ("sex", _l("Sex")), ("birth_date", _l("Birth date")),
                  ("phone", _l("Phone")), ("grid_name", _l("Grid")), ("team_name", _l("Team"))],
    "patients": [("name", _l("Full name")), ("phone", _l("Phone")), ("grid_name", _l("Grid")),
                 ("team_name", _l("Team")), ("last_visit", _l("Last visit")), ("visits", _l("Visits")),
                 ("required", _l("Visits required")), ("due_date", _l("Due date")),
                 ("last_sbp", _l("Latest systolic BP")), ("last_dbp", _l("Latest diastolic BP")),
                 ("last_fpg", _l("Latest fasting glucose"))],
    "grids": [("grid_name", _l("Grid")), ("team_name", _l("Team")), ("population", _l("Population")),
              ("archived", _l("Archived")), ("missing", _l("Missing")), ("households", _l("Households"))],
    "responses": [("date", _l("Date")), ("grid_name", _l("Grid")), ("channel", _l("Channel")),
                  ("satisfaction", _l("Rating (1–5)")), ("comment", _l("Comment"))],
    "referrals": [("name", _l("Full name")), ("referred_on", _l("Received")),
                  ("visit_due_date", _l("Visit due")), ("visited_on", _l("Visited")),
                  ("grid_name", _l("Grid")), ("team_name", _l("Team"))],
    "staff": [("name", _l("Full name")), ("title", _l("Title")), ("phone", _l("Phone"))],
    "services": [("team_name", _l("Team")), ("item", _l("Service item"))],
}


def _row(code: str, value: rules.Value, name: str = "") -> list:
    return ([name] if name else []) + [
        label("indicator", code), value.numerator, value.denominator,
        round(value.value * 100, 1) if value.value is not None else None,
        rules.BY_CODE[code].target * 100,
        "" if value.met is None else (_("Yes") if value.met else _("No"))]


def indicator_workbook(result: services.Result) -> bytes:
    book = Workbook()
    sheet = book.sheet(_("Indicators"))
    sheet.row([f"{result.scope.name} · {result.period.label} · "
               f"{_('as of %(d)s', d=result.as_of.isoformat())}"])
    headers = [_("Indicator"), _("Numerator"), _("Denominator"), _("Rate (%)"),
               _("Target (%)"), _("Met")]
    sheet.row(headers, style="bold")
    for code, value in result.values.items():
        sheet.row(_row(code, value))
    grids = book.sheet(_("By grid"))
    grids.row([_("Grid")] + headers, style="bold")
    for grid in result.scope.grids:
        for code, value in services.values_for_grids(result, [grid.id]).items():
            grids.row(_row(code, value, grid.name))
    return book.save()


def gap_workbook(result: services.Result, code: str, kind: str, rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.sheet(_("Gap"))
    sheet.row([f"{label('indicator', code)} · {result.scope.name} · {result.period.label}"])
    # Only the columns this indicator's rows carry (a control gap has readings, not counts).
    columns = [c for c in GAP_COLUMNS[kind] if not rows or any(c[0] in row for row in rows)]
    sheet.row([str(title) for _key, title in columns], style="bold")
    for row in rows:
        values = []
        for key, _title in columns:
            value = row.get(key)
            if key == "sex":
                value = label("sex", value)
            elif key == "item":
                value = label("service_item", value)
            values.append(value)
        sheet.row(values)
    return book.save()


def _scope_ascii(result: services.Result) -> str:
    return f"{result.scope.kind}-{result.scope.id}-{result.period.label}"


def indicator_download(result: services.Result) -> Response:
    return xlsx_response(
        indicator_workbook(result),
        _l("indicators-%(scope)s-%(period)s.xlsx", scope=result.scope.name,
           period=result.period.label),
        fallback=f"indicators-{_scope_ascii(result)}.xlsx")


def gap_download(result: services.Result, code: str, kind: str, rows: list[dict]) -> Response:
    return xlsx_response(
        gap_workbook(result, code, kind, rows),
        _l("gaps-%(indicator)s-%(scope)s-%(period)s.xlsx", indicator=LABELS["indicator"][code],
           scope=result.scope.name, period=result.period.label),
        fallback=f"gaps-{code}-{_scope_ascii(result)}.xlsx")


def report_download(result: services.Result, pdf: bytes) -> Response:
    """The performance report (page and API) as an attachment."""
    return pdf_response(
        pdf, _l("performance-report-%(scope)s-%(period)s.pdf", scope=result.scope.name,
                period=result.period.label),
        fallback=f"performance-{_scope_ascii(result)}.pdf")
