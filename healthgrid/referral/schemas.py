"""Validation of referral input (pages and API alike) and what a referral shows of itself.

A referral shows only what the referral needs: the patient's name, sex, age and a masked
ID number, and the referral's own fields; never the archive behind it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import (Schema, fields, post_load, pre_load,
                         validate, validates)
from stdnum.cn import ric

from healthgrid.clock import iso_utc, today
from healthgrid.forms import Blankless, Id, Invalid
from healthgrid.records import rules as archive_rules
from healthgrid.records.schemas import ID_MESSAGES, Phone, choice, id_number_field, text

from . import rules


class _ReferralBase(Blankless):
    to_institution_id = Id(required=True)
    department = text(64)
    urgency = choice(rules.URGENCIES, default="routine")
    reason = text(4000, required=True)
    contact_doctor = text(64)
    contact_phone = Phone(load_default=None, allow_none=True)


class UpReferralSchema(_ReferralBase):
    """上转: the community doctor's referral to a hospital."""
    resident_id = Id(required=True)
    initial_impression = text(2000)
    past_history = text(4000)
    treatment = text(4000)
    followup_id = Id(load_default=None, allow_none=True)


class DownReferralSchema(_ReferralBase):
    """下转/回转: the hospital sends a patient back, named by ID number."""
    id_number = id_number_field()
    patient_name = text(64, required=True)
    patient_sex = choice(("male", "female"))
    patient_birth_date = fields.Date(load_default=None, allow_none=True)
    diagnosis = text(2000)
    inpatient_no = text(32)
    key_results = text(4000)
    treatment = text(4000)
    treatment_advice = text(4000)
    rehab_advice = text(4000)
    # Only an administrator names the sending hospital; a referral desk sends from its own.
    from_institution_id = Id(load_default=None, allow_none=True)

    @validates("id_number")
    def _id_number_valid(self, value, **_kw):
        id_number = archive_rules.normalize_id_number(value)
        if not id_number:
            return
        problem = archive_rules.id_number_problem(id_number, None, None)
        if problem:
            raise Invalid(ID_MESSAGES[problem])

    @validates("patient_birth_date")
    def _birth_date_plausible(self, value, **_kw):
        if value is not None and value > today():
            raise Invalid(_l("The birth date is in the future."))

    @post_load
    def _from_id_number(self, data, **_kw):
        """Sex and birth date are written in the ID number: fill them in when not given."""
        data["id_number"] = archive_rules.normalize_id_number(data.get("id_number"))
        if data["id_number"]:
            if not data.get("patient_birth_date"):
                data["patient_birth_date"] = ric.get_birth_date(data["id_number"])
            if not data.get("patient_sex"):
                data["patient_sex"] = "male" if int(data["id_number"][16]) % 2 else "female"
        return data


DIRECTION_SCHEMAS = {"up": UpReferralSchema, "down": DownReferralSchema}


class ReferralCreateSchema(UpReferralSchema, DownReferralSchema):
    """The API's one entry: {"direction": "up"|"down", ...}; the rest is checked by the
    direction's own schema, which refuses the other direction's fields."""
    # The document shows one schema per direction, told apart by `direction` (apidoc.py).
    ONE_OF_BY = ("direction", DIRECTION_SCHEMAS)
    direction = choice(rules.DIRECTIONS, required=True)
    # Required by one direction only: the direction's own schema insists.
    resident_id = Id(load_default=None, allow_none=True)
    patient_name = text(64)

    @pre_load
    def _only_this_direction(self, data, **_kw):
        """Fields that only the other direction uses are left to its schema (which refuses
        them), not validated here as if they were this direction's."""
        direction = data.get("direction") if isinstance(data, dict) else None
        if not isinstance(direction, str) or direction not in DIRECTION_SCHEMAS:
            return data  # the direction field itself says what is wrong with it
        schema = DIRECTION_SCHEMAS[direction]
        keep = set(schema._declared_fields) | {"direction"}
        return {k: v for k, v in data.items() if k in keep or k not in self._declared_fields}

    def _from_id_number(self, data, **_kw):
        """Not a hook here: the direction's own schema fills in sex and birth date."""
        return data

    @post_load(pass_original=True)
    def _by_direction(self, data, original, **_kw):
        # The other direction's fields are refused, as the direction's schema in the
        # document has no place for them.
        schema = DIRECTION_SCHEMAS[data["direction"]]()
        payload = {k: v for k, v in original.items() if k != "direction"}
        loaded = schema.load(payload)
        loaded["direction"] = data["direction"]
        return loaded


class TransitionSchema(Blankless):
    action = choice(rules.ACTIONS, required=True)
    note = text(4000)


class AssignSchema(Schema):
    team_id = Id(required=True)


class ReferralQuerySchema(Schema):
    """The list's filters. An empty one is refused in the API, as its document says; the
    list page drops its form's empty fields first (clean_form)."""
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(rules.STATUSES))
    direction = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(rules.DIRECTIONS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


# --- output --------------------------------------------------------------------------------

def patient_age(referral) -> int | None:
    if referral.patient_birth_date is None:
        return None
    return archive_rules.age_on(referral.patient_birth_date, referral.referred_on)


class ReferralEventSchema(Schema):
    # "from" is a keyword: the attribute names are mapped explicitly.
    from_ = fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = fields.String(attribute="to_status")
    action = fields.String()
    by = fields.String(attribute="username", allow_none=True)
    at = fields.Function(lambda e: iso_utc(e.at))
    note = fields.String(allow_none=True)


class ReferralSummarySchema(Schema):
    id = fields.Integer()
    direction = fields.String()
    status = fields.String()
    urgency = fields.String()
    patient_name = fields.String()
    patient_sex = fields.String(allow_none=True)
    patient_age = fields.Function(patient_age, allow_none=True)
    from_institution_id = fields.Integer()
    to_institution_id = fields.Integer()
    department = fields.String(allow_none=True)
    assigned_team_id = fields.Integer(allow_none=True)
    referred_on = fields.Date()
    visit_due_date = fields.Date(allow_none=True)


class ReferralOutSchema(ReferralSummarySchema):
    """One referral with its whole history. Of the patient only what the referral needs."""
    resident_id = fields.Integer(allow_none=True)
    patient_birth_date = fields.Date(allow_none=True)
    id_number = fields.Function(lambda r: archive_rules.mask_id_number(r.id_number),
                                allow_none=True)
    from_institution = fields.Function(lambda r: r.from_institution.name)
    to_institution = fields.Function(lambda r: r.to_institution.name)
    from_team_id = fields.Integer(allow_none=True)
    reason = fields.String()
    initial_impression = fields.String(allow_none=True)
    past_history = fields.String(allow_none=True)
    treatment = fields.String(allow_none=True)
    diagnosis = fields.String(allow_none=True)
    inpatient_no = fields.String(allow_none=True)
    key_results = fields.String(allow_none=True)
    treatment_advice = fields.String(allow_none=True)
    rehab_advice = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    contact_doctor = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    followup_id = fields.Integer(allow_none=True)
    visited_on = fields.Date(allow_none=True)
    created_at = fields.Function(lambda r: iso_utc(r.created_at))
    history = fields.List(fields.Nested(ReferralEventSchema), attribute="events")


class ReferralPageSchema(Schema):
    items = fields.List(fields.Nested(ReferralSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
