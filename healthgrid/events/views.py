"""Grid event pages: the list (overdue events stand out), the report form for a phone with
photos, the event with its timeline and the steps the user may take, and its photos."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.clock import today
from healthgrid.downloads import content_disposition
from healthgrid.extensions import db
from healthgrid.forms import clean_form, load_form
from healthgrid.hooks import nav_counter
from healthgrid.labels import choices, label

from . import photos, rules, services
from .access import EVENT_ROLES, get_event_or_404, grids_for_reporting, page_of, start_report
from .models import GridEvent, GridEventPhoto
from .schemas import EventQuerySchema, EventReportSchema, EventTransitionSchema
from .services import EventError

bp = Blueprint("events", __name__, url_prefix="/events")
reporting_roles = roles_required(*EVENT_ROLES)


@bp.before_request
@login_required
@reporting_roles
def _signed_in_only():
    """Grid teams, the centre's managers and the district; what each sees is decided per
    event (404 outside the scope)."""


@bp.app_context_processor
def _template_helpers():
    return {"pending_emergencies": _pending_emergencies,
            "waiting_events": waiting_events}


# Events waiting at the user's level, and emergencies not yet accepted (managers, district).
waiting_events = nav_counter("events", services.waiting_counts, EVENT_ROLES)


def _pending_emergencies() -> list[GridEvent]:
    if not current_user.is_authenticated:
        return []
    return services.pending_emergencies(current_user, current_scope())


# --- pages ------------------------------------------------------------------------------------

DEFAULT_QUERY = {"page": 1, "per_page": 50, "overdue": False}


@bp.route("/")
def index():
    params, errors = load_form(EventQuerySchema(), clean_form(request.args))
    if params is None:
        params = dict(DEFAULT_QUERY)
    items, total = page_of(params)
    return render_template(
        "events/index.html", items=items, total=total, params=params, errors=errors,
        day=today(), grids=[(g.id, g.name) for g in grids_for_reporting()],
        statuses=choices("event_status"), levels=choices("event_level"),
        types=choices("event_type"), modes=choices("event_mode"),
        my_levels=services.my_levels(current_user))


def _report_page(form: dict, errors: dict, status: int = 200):
    grids = grids_for_reporting()
    return render_template(
        "events/new.html", form=form, errors=errors, grids=[(g.id, g.name) for g in grids],
        types=choices("event_type"), modes=choices("event_mode"),
        urgencies=choices("urgency"), settings=rules.SETTINGS,
        can_handle_on_spot=current_user.role == "doctor"), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Report an event from the spot (a phone): what, where, how to handle, photos."""
    if request.method == "GET":
        grids = grids_for_reporting()
        form = {"urgency": "routine", "mode": "general"}
        if len(grids) == 1:
            form["grid_id"] = str(grids[0].id)
        return _report_page(form, {})
    form = clean_form(request.form)
    data, errors = load_form(EventReportSchema(), form)
    if data is None:
        return _report_page(form, errors, 422)
    try:
        uploads = photos.check_uploads(request.files.getlist("photos"), 0)
    except photos.PhotoRejected as exc:
        return _report_page(form, {"photos": [str(exc.message)]}, 422)
    try:
        event, pending = start_report(data, uploads)
    except EventError as exc:
        db.session.rollback()
        return _report_page(form, exc.as_errors(), exc.status)
    photos.commit_with_files(pending)
    if event.status == "closed":
        flash(_("The event is logged as handled on the spot."), "success")
    else:
        flash(_("Event reported to the %(level)s level.",
                level=label("event_level", event.level)), "success")
    return redirect(url_for("events.detail", event_id=event.id))


def _detail_page(event: GridEvent, status: int = 200, errors: dict | None = None,
                 form: dict | None = None):
    scope = current_scope()
    actions = services.allowed_actions(current_user, event, scope)
    return render_template(
        "events/detail.html", event=event, actions=actions, errors=errors or {},
        form=form or {}, day=today(), settings=rules.SETTINGS,
        overdue=rules.is_overdue(event.status, event.deadline, today())), status


@bp.route("/<int:event_id>")
def detail(event_id: int):
    return _detail_page(get_event_or_404(event_id))


@bp.post("/<int:event_id>/transitions")
def act(event_id: int):
    event = get_event_or_404(event_id)
    form = clean_form(request.form)
    data, errors = load_form(EventTransitionSchema(), form)
    if data is None:
        flash(_("Please correct the marked fields; nothing was saved."), "error")
        return _detail_page(event, 422, errors, form)
    try:
        uploads = photos.check_uploads(request.files.getlist("photos"), len(event.photos))
        pending = services.transition(event, data["action"], data, current_user,
                                      current_scope(), today(), uploads)
    except photos.PhotoRejected as exc:
        flash(str(exc.message), "error")
        return _detail_page(event, 422, {"photos": [str(exc.message)]}, form)
    except EventError as exc:
        db.session.rollback()
        db.session.refresh(event)
        flash(str(exc.message), "error")
        return _detail_page(event, exc.status, exc.as_errors(), form)
    photos.commit_with_files(pending)
    flash(_("%(action)s: the event is now %(status)s (%(level)s level).",
            action=label("event_action", data["action"]),
            status=label("event_status", event.status),
            level=label("event_level", event.level)), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/<int:event_id>/photos/<int:photo_id>")
def photo(event_id: int, photo_id: int):
    """A photo of an event the user may see; served from the instance folder."""
    event = get_event_or_404(event_id)
    item = db.session.get(GridEventPhoto, photo_id)
    if item is None or item.event_id != event.id:
        abort(404)
    try:
        path = photos.path_of(item.stored_name)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, conditional=False)
    response.headers["Content-Disposition"] = content_disposition(
        _l("event-%(event)s-photo-%(photo)s.%(ext)s", event=event.id, photo=item.id,
           ext=path.suffix[1:]), inline=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response
