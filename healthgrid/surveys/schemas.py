"""Validation of survey answers: the staff form, the API and the public page alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate, validates

from healthgrid.clock import today
from healthgrid.forms import Blankless, Id, Invalid
from healthgrid.kpi.schemas import period_field
from healthgrid.records.schemas import text

from . import rules

_SCALE_MESSAGE = _l("Satisfaction is a score from 1 to 5.")

# Display names of the codes (labels.py holds those of the other domains).
CHANNEL_LABELS = {"door": _l("Door to door"), "phone": _l("By phone"), "qr": _l("QR code")}
SCALE_LABELS = {1: _l("Very dissatisfied"), 2: _l("Dissatisfied"), 3: _l("Neutral"),
                4: _l("Satisfied"), 5: _l("Very satisfied")}


def channel_label(code: str | None) -> str:
    return str(CHANNEL_LABELS.get(code, code or ""))


class Score(fields.Integer):
    """An integer as JSON or form text; 3.5 is not silently cut to 3."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class AnswerSchema(Blankless):
    """The questions themselves, as a resident answers them on the public page."""
    aware = fields.Boolean(required=True)
    knows_doctor = fields.Boolean(load_default=None, allow_none=True)
    satisfaction = Score(load_default=None, allow_none=True,
                         validate=validate.Range(min=1, max=5, error=_SCALE_MESSAGE))
    comment = text(rules.SETTINGS.comment_max)


class SurveyResponseSchema(AnswerSchema):
    """A response recorded by a team member (API): grid, day and channel too."""
    grid_id = Id(required=True)
    date = fields.Date(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(rules.CHANNELS))
    resident_id = Id(load_default=None, allow_none=True)

    @validates("date")
    def _not_in_the_future(self, value, **_kw):
        if value > today():
            raise Invalid(_l("The date is in the future."))


class StaffEntrySchema(SurveyResponseSchema):
    """The door-to-door / phone form: QR answers come only from the public page."""
    channel = fields.String(required=True, validate=validate.OneOf(rules.STAFF_CHANNELS))


class ResponseQuerySchema(Schema):
    grid_id = Id(load_default=None, allow_none=True)
    team_id = Id(load_default=None, allow_none=True)
    period = period_field(load_default=None, allow_none=True,
                          metadata={"description": "2026, 2026-Q3 or 2026-11 (default: "
                                                   "this year)"})


class SurveyResponseOutSchema(Schema):
    id = fields.Integer()
    grid_id = fields.Integer()
    date = fields.Date()
    channel = fields.String()
    resident_id = fields.Integer(allow_none=True)
    aware = fields.Boolean()
    knows_doctor = fields.Boolean(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)


class ResponsePageSchema(Schema):
    period = fields.Dict()
    total = fields.Integer()
    items = fields.List(fields.Nested(SurveyResponseOutSchema))
