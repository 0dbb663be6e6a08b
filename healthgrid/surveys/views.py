"""Staff survey pages: quick entry at the door or by phone, results with comments and Excel,
the grids' survey links and QR codes, and the teams' contact cards."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404, get_team_or_404
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.downloads import file_response, pdf_response, xlsx_response
from healthgrid.extensions import db
from healthgrid.forms import MAX_ID, clean_form, load_form
from healthgrid.kpi.rules import BY_CODE, parse_period
from healthgrid.org.models import Team
from healthgrid.records.models import Resident
from healthgrid.records.services import get_resident_or_404, search_query

from . import cards, exports, services
from .models import SurveyResponse
from .public import survey_url
from .rules import SETTINGS
from .schemas import SCALE_LABELS, StaffEntrySchema, channel_label

bp = Blueprint("surveys", __name__, url_prefix="/surveys")
ENTRY_FIELDS = ["grid_id", "date", "channel", "resident_id", "aware", "knows_doctor",
                "satisfaction", "comment"]

@bp.before_request
@login_required
@roles_required("admin", "manager", "doctor")
def _team_and_centre_only():
    """Survey pages are for team members and the centre."""


def _id(raw) -> int | None:
    """An id from a form or query string, or None when it cannot name anything."""
    raw = str(raw or "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None


def _grid_choices(grids) -> list[tuple[int, str]]:
    return [(g.id, f"{g.community.name} · {g.name}") for g in grids]


def _recorded_today(grid_id: int | None) -> int:
    if not grid_id:
        return 0
    return db.session.scalar(select(func.count(SurveyResponse.id)).where(
        SurveyResponse.grid_id == grid_id, SurveyResponse.date == today(),
        SurveyResponse.recorded_by_id == current_user.id)) or 0


def _resident_matches(form: dict) -> list:
    """Residents of the chosen grid whose name (or initials, phone…) starts with the text."""
    q = form.get("resident_q", "")
    grid_id = _id(form.get("grid_id"))
    if not q or grid_id is None:
        return []
    query = search_query(current_scope(), q, grid_id).where(Resident.status == "active")
    return list(db.session.scalars(query.order_by(Resident.name, Resident.id).limit(10)))


@bp.route("/", methods=["GET", "POST"])
def entry():
    """One household's answers; after saving, the form is back for the next one with the
    grid, channel and date kept."""
    grids = services.grids_in_scope(current_scope())
    errors, status, matches, resident = {}, 200, [], None
    if request.method == "POST":
        form = clean_form(request.form, ENTRY_FIELDS + ["resident_q"])
        if _id(form.get("grid_id")):
            get_grid_or_404(_id(form["grid_id"]))
        if _id(form.get("resident_id")):
            resident = get_resident_or_404(_id(form["resident_id"]))
        if "find" in request.form:
            matches = _resident_matches(form)
            if not matches:
                errors = {"resident_q": [_("No resident of this grid matches.")]}
        else:
            data, errors = load_form(StaffEntrySchema(), form)
            status = 422
            if data is not None:
                grid = get_grid_or_404(data["grid_id"])
                try:
                    services.record_response(grid, data, current_user.id, resident)
                except services.SurveyError as exc:
                    db.session.rollback()
                    errors = exc.as_errors()
                else:
                    db.session.commit()
                    flash(_("Saved. Ready for the next household."), "success")
                    keep = {"grid_id": grid.id, "channel": data["channel"]}
                    if data["date"] != today():
                        keep["date"] = data["date"].isoformat()
                    return redirect(url_for(".entry", **keep), code=303)
    else:
        wanted = _id(request.args.get("grid_id"))
        default_grid = wanted if wanted and current_scope().allows_grid(wanted) else (
            grids[0].id if len(grids) == 1 else None)
        form = {"grid_id": str(default_grid or ""),
                "channel": request.args.get("channel") if request.args.get("channel") in
                ("door", "phone") else "door",
                "date": request.args.get("date") or today().isoformat()}
    return render_template(
        "surveys/entry.html", form=form, errors=errors, grids=_grid_choices(grids),
        matches=matches, resident=resident, scale_labels=SCALE_LABELS,
        comment_max=SETTINGS.comment_max, today=today(),
        recorded_today=_recorded_today(_id(form.get("grid_id"))),
    ), (status if errors else 200)


# --- results ----------------------------------------------------------------------------

def _results_request(comment_limit: int | None):
    period_text = request.args.get("period") or str(today().year)
    try:
        period = parse_period(period_text)
    except ValueError:
        flash(_("A period is a year (2026), a quarter (2026-Q3) or a month (2026-11)."),
              "error")
        period = parse_period(str(today().year))
    raw_team = request.args.get("team_id")
    team_id = _id(raw_team)
    if raw_team and (team_id is None or not current_scope().allows_team(team_id)):
        abort(404)
    grids = services.grids_in_scope(current_scope(), team_id=team_id)
    return services.results(grids, period, period.as_of(today()), comment_limit), team_id


def _team_choices() -> list[tuple[int, str]]:
    scope = current_scope()
    return [(t.id, t.name) for t in db.session.scalars(
        select(Team).where(scope.team_filter(Team.id)).order_by(Team.name))]


@bp.route("/results")
def results():
    result, team_id = _results_request(comment_limit=200)
    return render_template("surveys/results.html", result=result, team_id=team_id,
                           teams=_team_choices(), channel_label=channel_label,
                           targets={code: BY_CODE[code].target
                                    for code in ("awareness", "satisfaction")})


@bp.route("/results.xlsx")
def results_xlsx():
    result, team_id = _results_request(comment_limit=None)
    audit("survey.export", detail=f"period={result.period.label} team={team_id or ''}")
    db.session.commit()
    return xlsx_response(exports.results_workbook(result),
                         _l("survey-results-%(period)s.xlsx", period=result.period.label))


# --- links, QR codes and contact cards --------------------------------------------------

@bp.route("/links")
def links():
    """Each grid's public survey link and QR code, and each team's contact card."""
    scope = current_scope()
    grids = services.grids_in_scope(scope)
    rows = [{"grid": g, "url": survey_url(g.id),
             "card": g.team_id is not None and scope.allows_team(g.team_id)} for g in grids]
    return render_template("surveys/links.html", rows=rows)


@bp.route("/qr/<int:grid_id>.svg", defaults={"fmt": "svg"})
@bp.route("/qr/<int:grid_id>.png", defaults={"fmt": "png"})
def qr(grid_id: int, fmt: str):
    grid = get_grid_or_404(grid_id)
    url = survey_url(grid.id)
    data, mimetype = (cards.qr_svg(url), "image/svg+xml") if fmt == "svg" else (
        cards.qr_png(url), "image/png")
    return file_response(data, mimetype, _l("survey-qr-code-%(grid)s.%(ext)s", grid=grid.name,
                                            ext=fmt),
                         fallback=f"survey-qr-grid-{grid.id}.{fmt}",
                         inline=not request.args.get("download"))


@bp.route("/cards/<int:team_id>.pdf")
def card(team_id: int):
    """The team's contact card: one page per grid it serves, each with that grid's QR."""
    team = get_team_or_404(team_id)
    pdf = cards.card_pdf(team, today())
    audit("survey.card", team)
    db.session.commit()
    return pdf_response(pdf, _l("contact-card-%(team)s.pdf", team=team.name),
                        fallback=f"contact-card-team-{team.id}.pdf", inline=True)
