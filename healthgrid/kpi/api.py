from flask import abort as http_abort
from flask_login import current_user
from flask_smorest import abort

from healthgrid.apiutil import api_blueprint
from healthgrid.auth.loading import roles_required
from healthgrid.auth.services import audit
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.labels import label

from . import access, exports, rules, services
from .schemas import (GapPageSchema, GapQuerySchema, KpiOutSchema, KpiQuerySchema,
                      PerformanceOutSchema)

blp = api_blueprint("kpi_api", __name__, description="Indicators, performance and reports")
kpi_roles = roles_required("admin", "manager", "doctor")


def compute_for(params: dict, with_trend: bool = False) -> services.Result:
    """Resolve scope and period (404 outside the caller's scope), then count."""
    try:
        period, as_of = access.period_and_day(params["period"], params.get("as_of"))
    except DomainError as exc:
        abort(422, errors=exc.as_errors())
    return access.compute_for(params["scope"], period, as_of, with_trend)


def indicator_rows(values: dict[str, rules.Value]) -> list[dict]:
    return [{"code": code, "name": label("indicator", code), "numerator": v.numerator,
             "denominator": v.denominator, "value": v.value, "target": v.target, "met": v.met}
            for code, v in values.items()]


@blp.route("/kpi")
@kpi_roles
@blp.arguments(KpiQuerySchema, location="query")
@blp.response(200, KpiOutSchema)
def kpi(params):
    """Every indicator of RULES.md §6 for a scope and period, computed live."""
    result = compute_for(params)
    return {"scope": result.scope.key,
            "period": {"start": result.period.start, "end": result.period.end},
            "as_of": result.as_of, "indicators": indicator_rows(result.values)}


@blp.route("/kpi/<code>/gaps")
@kpi_roles
@blp.arguments(GapQuerySchema, location="query")
@blp.response(200, GapPageSchema)
def gaps(params, code: str):
    """Residents (or records) in the denominator but not the numerator, paged."""
    if code not in rules.BY_CODE:
        http_abort(404)
    result = compute_for(params)
    kind, rows, total = services.gap_rows(result, code, params["page"], params["per_page"])
    audit("kpi.gaps", detail=f"code={code} scope={result.scope.key} rows={len(rows)}")
    db.session.commit()
    return {"code": code, "kind": kind, "items": [_jsonable(r) for r in rows], "total": total,
            "page": params["page"], "per_page": params["per_page"]}


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@blp.route("/performance")
@kpi_roles
@blp.arguments(KpiQuerySchema, location="query")
@blp.response(200, PerformanceOutSchema)
def performance(params):
    """Teams ranked by score out of 100 (RULES.md §7), with their indicators."""
    result = compute_for(params)
    rows = services.team_performance(result, services.weights_for(result.scope.institution))
    return {"teams": [{"team_id": row["team_id"], "name": row["team"].name,
                       "score": row["score"], "grade": row["grade"], "rank": row["rank"],
                       "indicators": indicator_rows(row["values"])} for row in rows]}


@blp.route("/reports/performance.pdf")
@kpi_roles
@blp.arguments(KpiQuerySchema, location="query")
@blp.response(200, description="The performance report as a PDF",
              content_type="application/pdf")
def performance_pdf(params):
    """The performance report (cover, indicators, charts, ranking, a page per team)."""
    from .report import render_report
    result = compute_for(params, with_trend=True)
    pdf = render_report(result)
    audit("kpi.report", detail=f"scope={result.scope.key} period={result.period.label} "
                               f"by={current_user.username}")
    db.session.commit()
    return exports.report_download(result, pdf)


