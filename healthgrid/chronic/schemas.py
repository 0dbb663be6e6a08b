"""Validation of enrollments, follow-up visits and elderly checks (pages and API alike)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from healthgrid.forms import Blankless, Id
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from healthgrid.clock import today
from healthgrid.records.schemas import text

from . import rules

OTHER_SYMPTOMS = ("dizziness", "headache", "numbness", "edema", "other")
SYMPTOMS = tuple(dict.fromkeys(rules.HTN_URGENT_SYMPTOMS + rules.DM_URGENT_SYMPTOMS
                               + OTHER_SYMPTOMS))

PROBLEM_MESSAGES = {
    "out_of_range": _l("Outside the plausible range."),
    "bp_pair": _l("Enter both systolic and diastolic pressure."),
    "sbp_not_above_dbp": _l("The diastolic pressure must be below the systolic."),
    "bp_required": _l("A hypertension visit needs the blood pressure."),
    "fpg_required": _l("A diabetes visit needs the fasting glucose."),
}


def _bounds_hint(name: str) -> str:
    bound = rules.SETTINGS.bounds[name]
    return f"{bound.low:g}–{bound.high:g}"


class EnrollmentCreateSchema(Blankless):
    program = fields.String(required=True, validate=validate.OneOf(rules.PROGRAMS))
    enrolled_on = fields.Date(load_default=today)

    @validates_schema
    def _not_future(self, data, **_kw):
        if data.get("enrolled_on") and data["enrolled_on"] > today():
            raise ValidationError(_l("The date is in the future."), "enrolled_on")


class EnrollmentExitSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(rules.EXIT_REASONS))
    exited_on = fields.Date(load_default=today)


class FollowupSchema(Blankless):
    """A visit; the enrollment it belongs to decides what is required and from when."""
    visit_date = fields.Date(required=True)
    method = fields.String(load_default="clinic", validate=validate.OneOf(rules.METHODS))
    sbp = fields.Integer(load_default=None, allow_none=True)
    dbp = fields.Integer(load_default=None, allow_none=True)
    fpg = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    heart_rate = fields.Integer(load_default=None, allow_none=True)
    temperature = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    weight = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    height = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    symptoms = fields.List(fields.String(validate=validate.OneOf(SYMPTOMS)), load_default=list)
    adverse_reaction = fields.Boolean(load_default=False)
    new_complication = fields.Boolean(load_default=False)
    pregnant_or_lactating = fields.Boolean(load_default=False)
    medication_adherence = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        ("regular", "intermittent", "none")))
    drugs = text(1000)
    note = text(2000)

    def __init__(self, *args, program: str | None = None, enrolled_on: date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.program, self.enrolled_on = program, enrolled_on

    @validates_schema
    def _clinical_sense(self, data, **_kw):
        errors = {name: [PROBLEM_MESSAGES[key] if key != "out_of_range" else
                         _l("Outside the plausible range (%(range)s).",
                            range=_bounds_hint(name))]
                  for name, key in rules.input_problems(data, self.program).items()}
        visit_date = data.get("visit_date")
        if visit_date and visit_date > today():
            errors["visit_date"] = [_l("The visit date is in the future.")]
        elif visit_date and self.enrolled_on and visit_date < self.enrolled_on:
            errors["visit_date"] = [_l("The visit date is before the enrollment.")]
        if errors:
            raise ValidationError(errors)


class SelfcareSchema(Schema):
    eating = fields.Integer(required=True, validate=validate.Range(0, 3))
    washing = fields.Integer(required=True, validate=validate.Range(0, 3))
    dressing = fields.Integer(required=True, validate=validate.Range(0, 3))
    toileting = fields.Integer(required=True, validate=validate.Range(0, 3))
    mobility = fields.Integer(required=True, validate=validate.Range(0, 3))


class CheckSchema(Blankless):
    check_date = fields.Date(required=True)
    selfcare = fields.Nested(SelfcareSchema, required=True)
    sbp = fields.Integer(load_default=None, allow_none=True)
    dbp = fields.Integer(load_default=None, allow_none=True)
    weight = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    height = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    fpg = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    lab_results = text(2000)
    guidance = text(2000)

    def __init__(self, *args, enrolled_on: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolled_on = enrolled_on

    @validates_schema
    def _clinical_sense(self, data, **_kw):
        errors = {name: [PROBLEM_MESSAGES[key]]
                  for name, key in rules.input_problems(data, "elderly").items()}
        check_date = data.get("check_date")
        if check_date and check_date > today():
            errors["check_date"] = [_l("The date is in the future.")]
        elif check_date and self.enrolled_on and check_date < self.enrolled_on:
            errors["check_date"] = [_l("The check date is before the enrollment.")]
        if errors:
            raise ValidationError(errors)


class EnrollmentOutSchema(Schema):
    id = fields.Integer()
    program = fields.String()
    status = fields.String()
    enrolled_on = fields.Date()
    next_due_date = fields.Date(allow_none=True)
    exit_reason = fields.String(allow_none=True)


class FollowupOutSchema(Schema):
    id = fields.Integer()
    visit_date = fields.Date()
    classification = fields.String()
    at_target = fields.Boolean()
    referral = fields.String()
    reasons = fields.Function(lambda f: f.reason_list)
    next_due_date = fields.Date()


class CheckOutSchema(Schema):
    id = fields.Integer()
    check_date = fields.Date()
    selfcare_score = fields.Integer()
    selfcare_level = fields.String()
    next_due_date = fields.Date()
    flags = fields.Function(lambda c: c.flag_list)


class WorklistQuerySchema(Schema):
    team_id = Id(load_default=None, allow_none=True)
    as_of = fields.Date(load_default=None, allow_none=True)
    program = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(rules.PROGRAMS))
    grid_id = Id(load_default=None, allow_none=True)


class WorklistItemSchema(Schema):
    enrollment_id = fields.Integer()
    resident_id = fields.Integer()
    name = fields.String()
    program = fields.String()
    next_due_date = fields.Date()
    days_overdue = fields.Integer()
    urgent = fields.Boolean()


class WorklistSchema(Schema):
    as_of = fields.Date()
    overdue = fields.List(fields.Nested(WorklistItemSchema))
    due_soon = fields.List(fields.Nested(WorklistItemSchema))
