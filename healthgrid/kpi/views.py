"""Dashboard, gap lists, team performance, weights and the PDF report."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.labels import label
from healthgrid.org.models import Community, Team

from . import access, exports, rules, services
from .charts import charts_for, quiet_grids_note, trend_charts

bp = Blueprint("kpi", __name__, url_prefix="/kpi")


@bp.before_request
@login_required
@roles_required("admin", "manager", "doctor")
def _signed_in():
    """Managers track the centre; team members their own team."""


def _query() -> dict:
    """The scope, period and as-of day asked for; what is wrong is said and the default used."""
    scope = request.args.get("scope") or access.default_scope()
    as_of_text = request.args.get("as_of")
    try:
        as_of = date.fromisoformat(as_of_text) if as_of_text else None
    except ValueError:
        flash(str(access.AS_OF_HELP), "error")
        as_of = None
    try:
        period, day = access.period_and_day(request.args.get("period") or str(today().year),
                                            as_of)
    except DomainError as exc:
        flash(str(exc.message), "error")
        period, day = access.period_and_day(
            str(today().year) if exc.field == "period" else request.args["period"], None)
    return {"scope": scope, "period": period, "as_of": day}


def _compute(with_trend: bool = False) -> services.Result:
    q = _query()
    return access.compute_for(q["scope"], q["period"], q["as_of"], with_trend)


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
    codes = list(rules.PLAN_TARGETS) + ([chart_code] if chart_code in rules.BY_CODE else [])
    return render_template(
        "kpi/dashboard.html", result=result, plan=rules.PLAN_TARGETS, scopes=_scope_choices(),
        charts=charts_for(result, codes), trends=trend_charts(result), chart_code=chart_code,
        indicators=rules.INDICATORS, lower=rules.LOWER_IS_BETTER,
        events=services.event_figures(result), quiet_grids_note=quiet_grids_note)


@bp.route("/gaps/<code>")
def gap(code: str):
    if code not in rules.BY_CODE:
        abort(404)
    result = _compute()
    page = max(1, request.args.get("page", 1, type=int))
    kind, rows, total = services.gap_rows(result, code, page, 50)
    audit("kpi.gaps", detail=f"code={code} scope={result.scope.key}")
    db.session.commit()
    from healthgrid.surveys.schemas import SCALE_LABELS
    return render_template("kpi/gap.html", result=result, code=code, kind=kind, rows=rows,
                           total=total, page=page, per_page=50, value=result.values[code],
                           scale=SCALE_LABELS)


@bp.route("/gaps/<code>.xlsx")
def gap_xlsx(code: str):
    if code not in rules.BY_CODE:
        abort(404)
    result = _compute()
    kind, rows, total = services.gap_rows(result, code, 1, 100000)
    audit("kpi.gaps_export", detail=f"code={code} scope={result.scope.key} rows={total}")
    db.session.commit()
    return exports.gap_download(result, code, kind, rows)


@bp.route("/export.xlsx")
def export_xlsx():
    result = _compute()
    audit("kpi.export", detail=f"scope={result.scope.key}")
    db.session.commit()
    return exports.indicator_download(result)


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
    return exports.report_download(result, pdf)
