"""Validation of event input (report form, API, transitions) and what an event shows of
itself."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate, validates

from healthgrid.clock import iso_utc, today
from healthgrid.forms import Blankless, Id, Invalid
from healthgrid.records.schemas import choice, text

from . import rules

class EventReportSchema(Blankless):
    """A team member's report from the spot."""
    event_type = choice(rules.TYPES, required=True)
    grid_id = Id(required=True)
    place = text(200, required=True)
    description = text(4000, required=True)
    mode = choice(rules.MODES, required=True)
    urgency = choice(rules.URGENCIES, default="routine")
    handled_on_spot = text(4000, metadata={
        "description": "What the grid did on the spot: closes a general event at once "
                       "(grid team members only)."})


class EventTransitionSchema(Blankless):
    action = choice(rules.ACTIONS, required=True)
    note = text(4000, metadata={"description": "Reason (escalate, return), what was done "
                                               "(resolve, handle), or a remark."})
    deadline = fields.Date(load_default=None, allow_none=True,
                           metadata={"description": "Handling deadline (dispatch)."})
    assignee = text(120, metadata={"description": "Person or unit that handles (dispatch)."})

    @validates("deadline")
    def _within_a_year(self, value, **_kw):
        if value is not None and value > today() + timedelta(days=366):
            raise Invalid(_l("The deadline is more than a year away."))


class EventQuerySchema(Schema):
    """The list's filters. An empty one is refused in the API, as its document says; the
    list page drops its form's empty fields first (clean_form)."""
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(rules.STATUSES))
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(rules.LEVELS))
    event_type = fields.String(load_default=None, allow_none=True,
                               validate=validate.OneOf(rules.TYPES))
    mode = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(rules.MODES))
    grid_id = Id(load_default=None, allow_none=True)
    overdue = fields.Boolean(load_default=False,
                             metadata={"description": "Only open events past their deadline."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# --- output --------------------------------------------------------------------------------

class EventStepSchema(Schema):
    action = fields.String()
    # "from" is a keyword: the attribute names are mapped explicitly.
    from_ = fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = fields.String(attribute="to_status")
    level = fields.String()
    by = fields.String(attribute="actor_name", allow_none=True)
    at = fields.Function(lambda s: iso_utc(s.at))
    note = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    assignee = fields.String(allow_none=True)


class EventPhotoSchema(Schema):
    id = fields.Integer()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.Function(lambda p: iso_utc(p.uploaded_at))
    url = fields.Function(lambda p: url_for("events.photo", event_id=p.event_id,
                                            photo_id=p.id),
                          metadata={"description": "The photo's page address (signed-in "
                                                   "session)."})


class EventSummarySchema(Schema):
    id = fields.Integer()
    event_type = fields.String()
    grid_id = fields.Integer()
    grid_name = fields.Function(lambda e: e.grid.name)
    place = fields.String()
    mode = fields.String()
    urgency = fields.String()
    level = fields.String()
    status = fields.String()
    deadline = fields.Date(allow_none=True)
    overdue = fields.Function(lambda e: rules.is_overdue(e.status, e.deadline, today()))
    assignee = fields.String(allow_none=True)
    reported_on = fields.Date()
    closed_on = fields.Date(allow_none=True)


class EventOutSchema(EventSummarySchema):
    """One event with its whole timeline and its photos."""
    description = fields.String()
    feedback = fields.String(allow_none=True)
    reporter = fields.String(attribute="reporter_name", allow_none=True)
    reported_at = fields.Function(lambda e: iso_utc(e.reported_at))
    accepted_at = fields.Function(lambda e: iso_utc(e.accepted_at), allow_none=True)
    closed_at = fields.Function(lambda e: iso_utc(e.closed_at), allow_none=True)
    history = fields.List(fields.Nested(EventStepSchema), attribute="steps")
    photos = fields.List(fields.Nested(EventPhotoSchema))


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
