"""Grid event use cases: report, act (the closed loop), who acts at which level, what waits.

Who acts at which level:
- grid: the doctors (team members) of the grid's team;
- community and centre: the managers of the centre the grid belongs to. The community
  committees have no accounts of their own, so the centre's managers act for them too;
- district: the administrators.
Handling feedback may also come from the grid's own team, at any level. Everyone else who
sees the event (its grid's team, the centre's managers) gets 403 for the other actions.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select

from healthgrid.domain import DomainError
from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.clock import utcnow
from healthgrid.extensions import db
from healthgrid.labels import label
from healthgrid.org.models import Grid

from . import photos, rules
from .models import GridEvent, GridEventPhoto, GridEventStep


class EventError(DomainError):
    """A user-caused problem in this domain (see healthgrid.domain)."""


NOTE_MESSAGES = {
    "escalate": _l("Give the reason for escalating."),
    "resolve": _l("Say what was done on the spot."),
    "handle": _l("Record the handling feedback."),
    "return": _l("Say why the handling goes back."),
}
ON_SPOT_MESSAGES = {
    409: _l("Only a general event, handled by the grid, is closed on the spot."),
    403: _l("Only the grid's team handles an event on the spot."),
}


def actor_name(user) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else user.username


def capacities(user, event: GridEvent, scope: Scope) -> frozenset[str]:
    """The levels at which the user acts on this event (see the module's docstring)."""
    if user is None:
        return frozenset()
    if user.role == "admin":
        return frozenset({"district"})
    if user.role == "manager" and scope.allows_grid(event.grid_id):
        return frozenset({"community", "centre"})
    if user.role == "doctor" and scope.allows_grid(event.grid_id):
        return frozenset({"grid"})
    return frozenset()


def state_of(event: GridEvent) -> rules.State:
    return rules.State(event.status, event.level, event.mode)


def allowed_actions(user, event: GridEvent, scope: Scope) -> list[str]:
    return rules.allowed_actions(state_of(event), capacities(user, event, scope))


def _step(event: GridEvent, action: str, from_status, user, note=None, deadline=None,
          assignee=None) -> GridEventStep:
    step = GridEventStep(event=event, action=action, from_status=from_status,
                         to_status=event.status, level=event.level,
                         user_id=getattr(user, "id", None), actor_name=actor_name(user),
                         note=note, deadline=deadline, assignee=assignee)
    db.session.add(step)
    return step


def _attach(event: GridEvent, step: GridEventStep, uploads, user) -> list[tuple[str, bytes]]:
    """Photo rows for the uploads; the files are written by photos.commit_with_files."""
    pending = []
    for upload in uploads:
        name = photos.new_name(upload)
        db.session.add(GridEventPhoto(event=event, step_id=step.id, stored_name=name,
                                      content_type=upload.content_type, size=len(upload.data),
                                      uploaded_by_id=getattr(user, "id", None)))
        pending.append((name, upload.data))
    return pending


def report(grid: Grid, data: dict, user, scope: Scope, day: date,
           uploads=()) -> tuple[GridEvent, list[tuple[str, bytes]]]:
    """A new event at the level its mode starts at; handled on the spot at once when the
    grid's team says what it did (general events only)."""
    mode = data["mode"]
    event = GridEvent(
        event_type=data["event_type"], grid_id=grid.id, place=data["place"],
        description=data["description"], mode=mode, urgency=data.get("urgency") or "routine",
        level=rules.start_level(mode), status="reported", reported_on=day,
        deadline=rules.initial_deadline(day, mode, data.get("urgency") or "routine"),
        reported_by_id=getattr(user, "id", None), reporter_name=actor_name(user))
    event.grid = grid
    db.session.add(event)
    step = _step(event, "report", None, user)
    db.session.flush()
    pending = _attach(event, step, uploads, user)
    audit("event.report", event, detail=f"type={event.event_type} mode={mode} grid={grid.id}")
    if data.get("handled_on_spot"):
        try:
            transition(event, "resolve", {"note": data["handled_on_spot"]}, user, scope, day)
        except EventError as exc:
            raise EventError("handled_on_spot", ON_SPOT_MESSAGES.get(exc.status, exc.message),
                             exc.status) from None
    db.session.flush()
    return event, pending


def transition(event: GridEvent, action: str, data: dict, user, scope: Scope, day: date,
               uploads=()) -> list[tuple[str, bytes]]:
    """Take one step of the loop, or EventError (409 out of order, 403 wrong level, 422
    something missing) with nothing changed."""
    note = (data.get("note") or "").strip() or None
    deadline, assignee = data.get("deadline"), (data.get("assignee") or "").strip() or None
    try:
        new = rules.next_state(state_of(event), action, capacities(user, event, scope),
                               note=note, deadline=deadline, assignee=assignee, today=day)
    except rules.TransitionRefused:
        raise EventError("action", _l(
            "This action is not allowed while the event is %(status)s at the %(level)s "
            "level.", status=label("event_status", event.status).lower(),
            level=label("event_level", event.level).lower()), 409)
    except rules.WrongLevel:
        raise EventError("action", _l(
            "This step is taken at the %(level)s level.",
            level=label("event_level", event.level).lower()), 403)
    except rules.MissingField as exc:
        if exc.field == "note":
            raise EventError("note", NOTE_MESSAGES.get(action, _l("Add a note.")))
        if exc.field == "assignee":
            raise EventError("assignee", _l("Name the person or unit who will handle it."))
        if exc.problem == "past":
            raise EventError("deadline", _l("The deadline cannot be in the past."))
        raise EventError("deadline", _l("Set the deadline for the handling."))
    old = event.status
    event.status, event.level = new.status, new.level
    if action == "accept" and event.accepted_at is None:
        event.accepted_at = utcnow()
    if action == "dispatch":
        event.assignee, event.deadline = assignee, deadline
    if action in ("handle", "resolve"):
        event.feedback = note
    if new.status == "closed":
        event.closed_on, event.closed_at = day, utcnow()
    step = _step(event, action, old, user, note=note,
                 deadline=deadline if action == "dispatch" else None,
                 assignee=assignee if action == "dispatch" else None)
    db.session.flush()
    pending = _attach(event, step, uploads, user)
    db.session.flush()
    audit(f"event.{action}", event, detail=f"{old}->{new.status} level={new.level}")
    return pending


# --- what a user sees ------------------------------------------------------------------------

def visible_filter(user, scope: Scope):
    """WHERE clause of the events a user may see: a grid team its grids', a manager all of
    the centre's grids', the district all; everything else answers 404."""
    if user.role == "admin":
        return GridEvent.id.is_not(None)
    if user.role in ("manager", "doctor"):
        return scope.grid_filter(GridEvent.grid_id)
    return false()


def my_levels(user) -> tuple[str, ...]:
    return {"admin": ("district",), "manager": ("community", "centre"),
            "doctor": ("grid",)}.get(user.role, ())


def waiting_counts(user, scope: Scope) -> dict[str, int]:
    """For the navigation: events reported or handled at the user's levels (to accept or to
    verify), and emergencies nobody has accepted yet (managers and the district)."""
    visible = visible_filter(user, scope)
    counts = {"to_act": db.session.scalar(select(func.count(GridEvent.id)).where(
        visible, GridEvent.level.in_(my_levels(user)),
        GridEvent.status.in_(("reported", "handled"))))}
    if user.role in ("manager", "admin"):
        counts["emergencies"] = db.session.scalar(select(func.count(GridEvent.id)).where(
            visible, GridEvent.mode == "emergency", GridEvent.status == "reported"))
    return counts


def pending_emergencies(user, scope: Scope, limit: int = 20) -> list[GridEvent]:
    """Emergencies not yet accepted, oldest first: the centre's dashboard shows them."""
    if user.role not in ("manager", "admin"):
        return []
    return list(db.session.scalars(select(GridEvent).where(
        visible_filter(user, scope), GridEvent.mode == "emergency",
        GridEvent.status == "reported").order_by(GridEvent.reported_at, GridEvent.id)
        .limit(limit)))
