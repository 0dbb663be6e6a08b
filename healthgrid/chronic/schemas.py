"""Validation of enrollments, follow-up visits and elderly checks (pages and API alike)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from healthgrid.forms import Blankless, Id, Invalid
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from healthgrid.clock import today
from healthgrid.records.schemas import choice, text

from . import check_schemas, checkform, national, rules

SYMPTOMS = national.ALL_SYMPTOMS

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
            raise Invalid(_l("The date is in the future."), "enrolled_on")


class EnrollmentExitSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(rules.EXIT_REASONS))
    exited_on = fields.Date(load_default=today)


def _range_check(low: float, high: float):
    hint = "{:g}–{:g}".format(low, high)

    def check(value) -> None:
        if not low <= value <= high:
            raise Invalid(_l("Outside the plausible range (%(range)s).", range=hint))
    return check


def bounded(name: str, integer: bool = False, **kw):
    """An optional number within the national sheet's bounds for `name`."""
    bound = national.BOUNDS[name]
    kw["metadata"] = {"minimum": bound.low, "maximum": bound.high, **kw.get("metadata", {})}
    if integer:
        return fields.Integer(load_default=None, allow_none=True,
                              validate=_range_check(bound.low, bound.high), **kw)
    return fields.Float(load_default=None, allow_none=True, allow_nan=False,
                        validate=_range_check(bound.low, bound.high), **kw)


def measured(name: str, field_class=fields.Float, **kw):
    """An optional measurement; its plausible range (rules.SETTINGS.bounds, checked with the
    visit's other rules) is stated in the API's document."""
    bound = rules.SETTINGS.bounds[name]
    if field_class is fields.Float:
        kw.setdefault("allow_nan", False)
    return field_class(load_default=None, allow_none=True,
                       metadata={"minimum": bound.low, "maximum": bound.high}, **kw)


class LifestyleSchema(Blankless):
    """Lifestyle guidance, each item now and as the target (本次 / 下次目标)."""
    cigarettes = bounded("cigarettes", integer=True)
    cigarettes_target = bounded("cigarettes_target", integer=True)
    alcohol_liang = bounded("alcohol_liang")
    alcohol_liang_target = bounded("alcohol_liang_target")
    exercise_per_week = bounded("exercise_per_week", integer=True)
    exercise_minutes = bounded("exercise_minutes", integer=True)
    exercise_per_week_target = bounded("exercise_per_week_target", integer=True)
    exercise_minutes_target = bounded("exercise_minutes_target", integer=True)
    salt = choice(national.SALT)
    salt_target = choice(national.SALT)
    staple_grams = bounded("staple_grams", integer=True)
    staple_grams_target = bounded("staple_grams_target", integer=True)
    psychology = choice(national.LEVELS3)
    compliance = choice(national.LEVELS3)


class MedicineSchema(Blankless):
    """A row of the regimen: a name is required, a dose is more than nothing."""
    name = text(64, required=True)
    times_per_day = bounded("times_per_day", integer=True)
    dose = bounded("dose")
    unit = text(16)


class InsulinSchema(Blankless):
    kind = text(64)
    usage = text(200)


class FollowupSchema(Blankless):
    """A visit; the enrollment it belongs to decides what is required and from when."""
    visit_date = fields.Date(required=True)
    method = fields.String(load_default="clinic", validate=validate.OneOf(rules.METHODS))
    sbp = measured("sbp", fields.Integer)
    dbp = measured("dbp", fields.Integer)
    fpg = measured("fpg")
    heart_rate = measured("heart_rate", fields.Integer)
    temperature = measured("temperature")
    weight = measured("weight")
    height = measured("height")
    symptoms = fields.List(fields.String(validate=validate.OneOf(SYMPTOMS)), load_default=list)
    adverse_reaction = fields.Boolean(load_default=False)
    new_complication = fields.Boolean(load_default=False)
    pregnant_or_lactating = fields.Boolean(load_default=False)
    medication_adherence = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(
        ("regular", "intermittent", "none")))
    drugs = text(1000)
    note = text(2000)
    symptom_other = text(200)
    weight_target = bounded("weight_target")
    signs_other = text(200)
    lifestyle = fields.Nested(LifestyleSchema, load_default=dict)
    exam_note = text(500)
    adverse_reaction_detail = text(200)
    medicines = fields.List(fields.Nested(MedicineSchema), load_default=list,
                            validate=validate.Length(max=10))
    referral_reason = text(200)
    referral_to = text(200)
    hba1c = bounded("hba1c")
    hba1c_date = fields.Date(load_default=None, allow_none=True)
    hypoglycemia = choice(national.HYPOGLYCEMIA)
    foot_pulse = choice(national.FOOT_PULSE)
    insulin = fields.Nested(InsulinSchema, load_default=dict)

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
        errors.update(self._program_fields(data))
        visit_date = data.get("visit_date")
        if visit_date and visit_date > today():
            errors["visit_date"] = [_l("The visit date is in the future.")]
        elif visit_date and self.enrolled_on and visit_date < self.enrolled_on:
            errors["visit_date"] = [_l("The visit date is before the enrollment.")]
        if errors:
            raise ValidationError(errors)

    def _program_fields(self, data) -> dict:
        """Each program's sheet has its own symptoms and items: another's are refused."""
        if self.program not in national.PROGRAM_SYMPTOMS:
            return {}
        errors = {}
        own = national.PROGRAM_SYMPTOMS[self.program]
        if any(code not in own for code in data.get("symptoms") or ()):
            errors["symptoms"] = [_l("A symptom not on this program's list.")]
        if self.program != "diabetes":
            for name in national.DIABETES_ONLY:
                value = data.get(name)
                if any((value or {}).values()) if isinstance(value, dict) else value:
                    errors[name] = [_l("Recorded on diabetes visits only.")]
        foreign = [n for n in national.NOT_IN[self.program]
                   if (data.get("lifestyle") or {}).get(n) is not None]
        if foreign:
            errors["lifestyle"] = {n: [_l("Not on this program's sheet.")] for n in foreign}
        return errors


class SelfcareSchema(Schema):
    eating = fields.Integer(required=True, validate=validate.Range(0, 3))
    washing = fields.Integer(required=True, validate=validate.Range(0, 3))
    dressing = fields.Integer(required=True, validate=validate.Range(0, 3))
    toileting = fields.Integer(required=True, validate=validate.Range(0, 3))
    mobility = fields.Integer(required=True, validate=validate.Range(0, 3))


CheckListFields = Schema.from_dict(check_schemas.list_fields(), name="CheckListFields")


class CheckSchema(Blankless, check_schemas.CheckDetailFields, CheckListFields):
    """The annual check: the self-care assessment, BP, weight and glucose that the rules
    read, and every other field of the national form (chronic/checkform.py)."""
    check_date = fields.Date(required=True)
    selfcare = fields.Nested(SelfcareSchema, required=True)
    sbp = measured("sbp", fields.Integer)
    dbp = measured("dbp", fields.Integer)
    weight = measured("weight")
    height = measured("height")
    fpg = measured("fpg")
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


class MedicineOutSchema(Schema):
    name = fields.String()
    times_per_day = fields.Integer(allow_none=True)
    dose = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)


def _lifestyle(f) -> dict:
    return {name: getattr(f, name) for name in national.LIFESTYLE
            if name not in national.NOT_IN.get(f.enrollment.program, ())}


class FollowupDetailSchema(FollowupOutSchema):
    """A visit as recorded, every field of its sheet, with what was computed from it."""
    enrollment_id = fields.Integer()
    program = fields.Function(lambda f: f.enrollment.program)
    resident_id = fields.Function(lambda f: f.enrollment.resident_id)
    method = fields.String()
    sbp = fields.Integer(allow_none=True)
    dbp = fields.Integer(allow_none=True)
    fpg = fields.Float(allow_none=True)
    heart_rate = fields.Integer(allow_none=True)
    temperature = fields.Float(allow_none=True)
    weight = fields.Float(allow_none=True)
    weight_target = fields.Float(allow_none=True)
    height = fields.Float(allow_none=True)
    bmi = fields.Float(allow_none=True)
    bmi_target = fields.Float(allow_none=True)
    symptoms = fields.Function(lambda f: f.symptom_list)
    symptom_other = fields.String(allow_none=True)
    signs_other = fields.String(allow_none=True)
    adverse_reaction = fields.Boolean()
    adverse_reaction_detail = fields.String(allow_none=True)
    new_complication = fields.Boolean()
    pregnant_or_lactating = fields.Boolean()
    medication_adherence = fields.String(allow_none=True)
    lifestyle = fields.Function(_lifestyle)
    exam_note = fields.String(allow_none=True)
    medicines = fields.List(fields.Nested(MedicineOutSchema))
    drugs = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    referral_reason = fields.String(allow_none=True)
    referral_to = fields.String(allow_none=True)
    hba1c = fields.Float(allow_none=True)
    hba1c_date = fields.Date(allow_none=True)
    hypoglycemia = fields.String(allow_none=True)
    foot_pulse = fields.String(allow_none=True)
    insulin = fields.Function(lambda f: {"kind": f.insulin_kind, "usage": f.insulin_usage})
    recorded_by = fields.Function(lambda f: recorder_name(f.recorded_by))


def recorder_name(user) -> str | None:
    """The staff member's name when the account has one, else the account name."""
    if user is None:
        return None
    return user.staff.name if user.staff is not None else user.username


class CheckOutSchema(Schema):
    """A check as recorded: every field of the form, the computed score, level, BMI, flags
    and next due date, and who recorded it."""

    class Meta:
        # dump() adds the form's detail fields, so the document may not close the object.
        unknown = INCLUDE
    id = fields.Integer()
    enrollment_id = fields.Integer()
    check_date = fields.Date()
    selfcare = fields.Function(lambda c: {item: getattr(c, item)
                                          for item in rules.SELFCARE_ITEMS})
    selfcare_score = fields.Integer()
    selfcare_level = fields.String()
    sbp = fields.Integer(allow_none=True)
    dbp = fields.Integer(allow_none=True)
    weight = fields.Float(allow_none=True)
    height = fields.Float(allow_none=True)
    bmi = fields.Float(allow_none=True)
    fpg = fields.Float(allow_none=True)
    lab_results = fields.String(allow_none=True)
    guidance = fields.String(allow_none=True)
    next_due_date = fields.Date()
    flags = fields.Function(lambda c: c.flag_list)
    recorded_by = fields.Function(lambda c: recorder_name(c.recorded_by))

    def dump(self, obj, **kwargs):
        out = super().dump(obj, **kwargs)
        if kwargs.get("many") or self.many:
            return out
        out.update({name: (obj.details or {}).get(name) for name in checkform.detail_names()})
        out.update(check_schemas.rows_out(obj))
        return out


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
    team_id = fields.Integer()
    overdue = fields.List(fields.Nested(WorklistItemSchema))
    due_soon = fields.List(fields.Nested(WorklistItemSchema))
