"""What the event pages and API share: who may use them, loading events within the
caller's scope, and reporting an event on behalf of the signed-in user."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid

from . import services
from .models import GridEvent

EVENT_ROLES = ("admin", "manager", "doctor")


def get_event_or_404(event_id: int) -> GridEvent:
    """An event the user may see; any other answers 404, as if absent."""
    event = db.session.scalar(select(GridEvent).where(
        GridEvent.id == event_id, services.visible_filter(current_user, current_scope())))
    if event is None:
        abort(404)
    return event


def visible_events(params: dict):
    query = select(GridEvent).where(services.visible_filter(current_user, current_scope()))
    for name in ("status", "level", "event_type", "mode", "grid_id"):
        if params.get(name) is not None:
            query = query.where(getattr(GridEvent, name) == params[name])
    if params.get("overdue"):
        query = query.where(GridEvent.status != "closed", GridEvent.deadline < today())
    return query


def page_of(params: dict) -> tuple[list[GridEvent], int]:
    query = visible_events(params)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(
        query.options(selectinload(GridEvent.grid))
        .order_by(GridEvent.reported_at.desc(), GridEvent.id.desc())
        .offset((params["page"] - 1) * params["per_page"]).limit(params["per_page"])))
    return items, total


def grids_for_reporting() -> list[Grid]:
    scope = current_scope()
    return list(db.session.scalars(select(Grid).join(Community).where(
        scope.grid_filter(Grid.id)).order_by(Community.code, Grid.code)))


def start_report(data: dict, uploads=()):
    """A report of a grid in the caller's scope (404 otherwise); pages and API share it."""
    grid = get_grid_or_404(data["grid_id"])
    return services.report(grid, data, current_user, current_scope(), today(), uploads)
