"""The two pages a resident opens without an account: a grid's survey (from the QR code on
the contact card) and "find my team".

Neither reads a resident's data. The survey is reached only through a signed per-grid link
(a forged or altered one is 404), takes one answer per device per day and grid (a signed
long-lived device cookie; the server keeps only a hash of device, grid and day), its POST is
rate-limited per address, and CSRF-protected like every form."""
from __future__ import annotations

import re
import secrets

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from healthgrid.clock import today
from healthgrid.extensions import db, limiter
from healthgrid.forms import clean_form, load_form
from healthgrid.org.models import Community, Grid, Institution

from . import services
from .rules import SETTINGS
from .schemas import SCALE_LABELS, AnswerSchema

bp = Blueprint("surveys_public", __name__)

DEVICE_COOKIE = "hg_survey_device"
_DEVICE_ID = re.compile(r"[0-9a-f]{32}")


# --- signed links -----------------------------------------------------------------------

def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def grid_token(grid_id: int) -> str:
    """The grid's survey token. It never expires; changing SECRET_KEY retires every link."""
    return _serializer(SETTINGS.token_salt).dumps({"g": grid_id})


def grid_from_token(token: str) -> Grid | None:
    try:
        payload = _serializer(SETTINGS.token_salt).loads(token)
    except BadSignature:
        return None
    grid_id = payload.get("g") if isinstance(payload, dict) else None
    if not isinstance(grid_id, int) or isinstance(grid_id, bool):
        return None
    return db.session.get(Grid, grid_id)


def survey_url(grid_id: int, base_url: str | None = None) -> str:
    """The address printed under the grid's QR code. SURVEY_BASE_URL (or `base_url`) names
    the address residents reach the server at, when staff use another (an intranet one)."""
    base = base_url or current_app.config.get("SURVEY_BASE_URL")
    token = grid_token(grid_id)
    if base:
        return f"{base.rstrip('/')}/s/{token}"
    return url_for("surveys_public.survey", token=token, _external=True)


# --- the device cookie ------------------------------------------------------------------

def _device_id() -> str | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer(SETTINGS.device_salt).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and _DEVICE_ID.fullmatch(value) else None


def _keep_device(response, device_id: str):
    response.set_cookie(DEVICE_COOKIE, _serializer(SETTINGS.device_salt).dumps(device_id),
                        max_age=SETTINGS.device_cookie_days * 86400, httponly=True,
                        samesite="Lax", secure=request.is_secure,
                        path=f"{request.script_root}/s/")  # sent to the survey pages only
    return response


def _survey_limit() -> str:
    return current_app.config.get("SURVEY_RATE_LIMIT") or SETTINGS.public_rate_limit


# --- pages ------------------------------------------------------------------------------

@bp.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(_survey_limit, methods=["POST"])
def survey(token: str):
    grid = grid_from_token(token)
    if grid is None:
        abort(404)
    day = today()
    device_id = _device_id()
    new_device = device_id is None
    if new_device:
        device_id = secrets.token_hex(16)
    form, errors, status, refused = {}, {}, 200, False
    answered = services.answered_today(device_id, grid.id, day)
    if request.method == "POST":
        if answered:
            refused, status = True, 409
        else:
            form = clean_form(request.form, ["aware", "knows_doctor", "satisfaction", "comment"])
            data, errors = load_form(AnswerSchema(), form)
            status = 422
            if data is not None:
                if services.record_public_answer(grid, device_id, data, day) is None:
                    db.session.rollback()
                    answered, refused, status = True, True, 409
                else:
                    db.session.commit()
                    flash(_("Thank you! Your answer has been recorded."), "success")
                    response = redirect(url_for(".survey", token=token), code=303)
                    return _keep_device(response, device_id) if new_device else response
    response = current_app.make_response((render_template(
        "surveys/public_survey.html", grid=grid, team=grid.team, form=form, errors=errors,
        answered=answered, refused=refused, scale_labels=SCALE_LABELS,
        comment_max=SETTINGS.comment_max), status))
    return _keep_device(response, device_id) if new_device else response


@bp.route("/team")
def find_team():
    """A resident picks community and grid (or searches a street) and sees the grid's team:
    active members' names, roles and work phones, service hours, the team's phone."""
    day = today()
    q = (request.args.get("q") or "").strip()[:50]
    grid = _get(Grid, request.args.get("grid_id"))
    community = grid.community if grid else _get(Community, request.args.get("community_id"))
    communities = db.session.execute(
        select(Community, Institution.name).join(Institution)
        .order_by(Institution.name, Community.code)).all()
    matches = services.find_grids(q) if q else None
    team = grid.team if grid else None
    members = services.active_members(team, day) if team else []
    if team is not None and not members:
        team = None  # a team with nobody active on it serves no one
    return render_template(
        "surveys/find_team.html", q=q, communities=communities, community=community,
        grids=list(db.session.scalars(select(Grid).where(Grid.community_id == community.id)
                                      .options(selectinload(Grid.team))
                                      .order_by(Grid.code))) if community else [],
        grid=grid, team=team, members=members, matches=matches)


def _get(model, raw: str | None):
    return db.session.get(model, int(raw)) if raw and raw.isdigit() and len(raw) < 10 else None
