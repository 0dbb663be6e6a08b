"""Dashboard, gap lists, team performance, weights and the PDF report."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.auth.services import audit
from healthgrid.charts import Bar, Chart, Series, TargetLine, bar_chart, line_chart
from healthgrid.clock import today
from healthgrid.downloads import xlsx_response
from healthgrid.extensions import db
from healthgrid.labels import label
from healthgrid.org.models import Community, Team

from . import exports, rules, services

bp = Blueprint("kpi", __name__, url_prefix="/kpi")
PLAN_TARGETS = ("grid_coverage", "staff_participation", "service_provision", "awareness",
                "satisfaction")


@bp.before_request
@login_required
@roles_required("admin", "manager", "doctor")
def _signed_in():
    """Managers track the centre; team members their own team."""


def _default_scope() -> str:
    if current_user.role == "manager" and current_user.institution_id:
        return f"institution:{current_user.institution_id}"
    scope = current_scope()
    if current_user.role == "doctor" and scope.team_ids:
        return f"team:{sorted(scope.team_ids)[0]}"
    first = db.session.scalar(select(Community.institution_id).order_by(Community.id))
    return f"institution:{first}" if first else "institution:0"


def _query() -> dict:
    scope = request.args.get("scope") or _default_scope()
    period_text = request.args.get("period") or str(today().year)
    try:
        period = rules.parse_period(period_text)
    except ValueError:
        flash(_("A period is a year (2026), a quarter (2026-Q3) or a month (2026-11)."), "error")
        period = rules.parse_period(str(today().year))
    as_of = None
    if request.args.get("as_of"):
        try:
            from datetime import date
            as_of = period.as_of(today(), date.fromisoformat(request.args["as_of"]))
        except ValueError:
            flash(_("as_of must lie within the period."), "error")
    return {"scope": scope, "period": period, "as_of": as_of or period.as_of(today())}


def _compute(with_trend: bool = False) -> services.Result:
    q = _query()
    scope = services.resolve_scope(q["scope"], current_scope())
    return services.compute(scope, q["period"], q["as_of"], today(), with_trend)


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
    from datetime import date
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
            [TargetLine(_("Satisfaction target"), 90),
             TargetLine(_("Awareness target"), 60, "#9333ea")], unit="%")))
    visits = [s for s in (series(_("Hypertension visits at target"), "htn_at_target",
                                 "htn_visits"),
                          series(_("Diabetes visits at target"), "dm_at_target", "dm_visits"))
              if s]
    if visits:
        charts.append(line_chart(Chart(_("Follow-up visits at target by month (%)"), visits,
                                       [TargetLine(_("Control target"), 60)], unit="%")))
    return charts


def _scope_choices():
    scope = current_scope()
    options = []
    if current_user.role in ("admin", "manager"):
        communities = db.session.scalars(select(Community).where(
            Community.institution_id == scope.institution_id) if scope.institution_id
            else select(Community)).all()
        institution_ids = sorted({c.institution_id for c in communities})
        options += [(f"institution:{i}", _("Whole centre")) for i in institution_ids]
        options += [(f"community:{c.id}", c.name) for c in communities]
    teams = db.session.scalars(select(Team).where(scope.team_filter(Team.id))
                               .order_by(Team.name)).all()
    options += [(f"team:{t.id}", t.name) for t in teams]
    return options


@bp.route("/")
def dashboard():
    result = _compute(with_trend=True)
    chart_code = request.args.get("chart")
    codes = list(PLAN_TARGETS) + ([chart_code] if chart_code in rules.BY_CODE else [])
    return render_template(
        "kpi/dashboard.html", result=result, plan=PLAN_TARGETS, scopes=_scope_choices(),
        charts=charts_for(result, codes), trends=trend_charts(result), chart_code=chart_code,
        indicators=rules.INDICATORS, lower=rules.LOWER_IS_BETTER,
        events=services.event_figures(result), quiet_grids_note=quiet_grids_note)


def quiet_grids_note(count: int) -> str:
    return _("%(n)d more grids had no event in the period and none open past its deadline.",
             n=count)


@bp.route("/gaps/<code>")
def gap(code: str):
    if code not in rules.BY_CODE:
        abort(404)
    result = _compute()
    page = max(1, request.args.get("page", 1, type=int))
    kind, rows, total = services.gap_rows(result, code, page, 50)
    audit("kpi.gaps", detail=f"code={code} scope={result.scope.key}")
    db.session.commit()
    return render_template("kpi/gap.html", result=result, code=code, kind=kind, rows=rows,
                           total=total, page=page, per_page=50, value=result.values[code])


@bp.route("/gaps/<code>.xlsx")
def gap_xlsx(code: str):
    if code not in rules.BY_CODE:
        abort(404)
    result = _compute()
    kind, rows, total = services.gap_rows(result, code, 1, 100000)
    audit("kpi.gaps_export", detail=f"code={code} scope={result.scope.key} rows={total}")
    db.session.commit()
    return xlsx_response(exports.gap_workbook(result, code, kind, rows), f"gaps-{code}.xlsx")


@bp.route("/export.xlsx")
def export_xlsx():
    result = _compute()
    audit("kpi.export", detail=f"scope={result.scope.key}")
    db.session.commit()
    return xlsx_response(exports.indicator_workbook(result), "indicators.xlsx")


@bp.route("/performance")
def performance():
    result = _compute()
    weights = services.weights_for(result.scope.institution)
    rows = services.team_performance(result, weights)
    return render_template("kpi/performance.html", result=result, rows=rows, weights=weights,
                           scopes=_scope_choices(),
                           can_edit=current_user.role in ("admin", "manager"))


@bp.post("/weights")
@roles_required("admin", "manager")
def weights():
    result = _compute()
    new, errors = {}, []
    for code in rules.DEFAULT_WEIGHTS:
        raw = request.form.get(f"w_{code}", "").strip()
        try:
            value = float(raw)
            if not 0 <= value <= 100:
                raise ValueError
            new[code] = value
        except ValueError:
            errors.append(label("indicator", code))
    if errors or not sum(new.values()):
        flash(_("Weights are numbers from 0 to 100, not all zero: %(names)s",
                names="、".join(errors) or "—"), "error")
    else:
        services.save_weights(result.scope.institution, new)
        db.session.commit()
        flash(_("Weights saved; scores are rescaled to 100."), "success")
    return redirect(url_for("kpi.performance", **request.args))


@bp.route("/report.pdf")
def report_pdf():
    from .report import render_report
    result = _compute(with_trend=True)
    pdf = render_report(result)
    audit("kpi.report", detail=f"scope={result.scope.key} period={result.period.label}")
    db.session.commit()
    name = f"performance-{result.scope.kind}-{result.scope.id}-{result.period.label}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
