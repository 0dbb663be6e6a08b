from flask_login import current_user

from healthgrid.apiutil import api_blueprint, committed, guard
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.clock import today

from . import services
from .access import EVENT_ROLES, get_event_or_404, page_of, start_report
from .schemas import EventOutSchema, EventPageSchema, EventQuerySchema, EventReportSchema, \
    EventTransitionSchema

blp = api_blueprint("events_api", __name__,
                    description="Grid events: health supervision and public-health events")

guard("event_id", get_event_or_404)
event_roles = roles_required(*EVENT_ROLES)



@blp.route("/events", methods=["POST"])
@event_roles
@blp.arguments(EventReportSchema)
@blp.response(201, EventOutSchema)
@blp.alt_response(404, description="The grid is outside the caller's scope")
@blp.alt_response(403, description="Only the grid's team handles an event on the spot")
@blp.alt_response(409, description="Only a general event is handled on the spot")
def report_event(data):
    """Report an event of a grid in the caller's scope. It starts at the level of its mode:
    general → grid, coordination → community, emergency and approval → centre (an
    emergency shows on the centre's dashboard until accepted). `handled_on_spot` closes a
    general event at once with what the grid's team did. Photos are added on the pages."""
    with committed():
        event, _pending = start_report(data)
    return event


@blp.route("/events", methods=["GET"])
@event_roles
@blp.arguments(EventQuerySchema, location="query")
@blp.response(200, EventPageSchema)
def list_events(params):
    """The events the caller may see (a grid team its grids', a manager the centre's, the
    district all), newest first; `overdue=true` keeps open events past their deadline."""
    items, total = page_of(params)
    return {"items": items, "total": total, "page": params["page"],
            "per_page": params["per_page"]}


@blp.route("/events/<int:event_id>", methods=["GET"])
@event_roles
@blp.response(200, EventOutSchema)
def get_event(event_id: int):
    """The event with its full timeline (who, when, action, status, level, note) and its
    photos."""
    return get_event_or_404(event_id)


@blp.route("/events/<int:event_id>/transitions", methods=["POST"])
@event_roles
@blp.arguments(EventTransitionSchema)
@blp.response(200, EventOutSchema)
@blp.alt_response(409, description="The action is out of order; nothing changed")
@blp.alt_response(403, description="The step is taken at another level")
def transition(data, event_id: int):
    """One step of the closed loop, by the actors of the event's level (grid: its team;
    community and centre: the centre's managers; district: administrators):
    accept (reported → accepted); escalate with a `note` (reported/accepted → reported one
    level up); resolve with a `note` (a general event at the grid: reported → closed);
    dispatch with `assignee` and `deadline` (accepted → dispatched); handle with the
    feedback `note` (dispatched → handled; the grid's team may record it too); close
    (handled → closed); return with a `note` (handled → dispatched)."""
    event = get_event_or_404(event_id)
    with committed():
        services.transition(event, data["action"], data, current_user, current_scope(),
                            today())
    return event
