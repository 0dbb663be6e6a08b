"""Validation of organisation input (pages and API alike)."""
from flask_babel import lazy_gettext as _l
from healthgrid.forms import Id, Invalid
from marshmallow import Schema, fields, validate, validates_schema

from .models import COMMUNITY_KINDS, GRID_KINDS, INSTITUTION_KINDS, MEMBER_ROLES
from .rules import community_code_error

CODE_MESSAGES = {
    "code_three_digits": _l("The code must be exactly three digits."),
    "code_range_neighborhood": _l("Neighbourhood committees use codes 001–099."),
    "code_range_village": _l("Village committees use codes 101–199."),
}

name_field = fields.String(required=True, validate=validate.Length(min=1, max=120))


class InstitutionSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9-]{2,32}$", error=_l("2–32 letters, digits or dashes.")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(INSTITUTION_KINDS))
    county_code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{6}$", error=_l("The county code has six digits.")))
    township_code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{3}$", error=_l("The township code has three digits.")))
    address = fields.String(load_default=None, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=32))

    @validates_schema
    def _centre_codes(self, data, **_kw):
        if data.get("kind") == "health_center" and not (
                data.get("county_code") and data.get("township_code")):
            raise Invalid(
                _l("A health centre needs its county and township codes (archive numbers use them)."),
                "county_code")


class InstitutionOutSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class CommunitySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(COMMUNITY_KINDS))

    @validates_schema
    def _code_fits_kind(self, data, **_kw):
        problem = community_code_error(data.get("kind", ""), data.get("code", ""))
        if problem and data.get("kind") in COMMUNITY_KINDS:
            raise Invalid(CODE_MESSAGES[problem], "code")


class GridSchema(Schema):
    community_id = Id(required=True)
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9-]{1,16}$", error=_l("1–16 letters, digits or dashes.")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(GRID_KINDS))
    population = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    households = fields.Integer(required=True, validate=validate.Range(min=0, max=50000))
    streets = fields.String(load_default=None, validate=validate.Length(max=500))
    team_id = Id(load_default=None, allow_none=True)


class StaffSchema(Schema):
    institution_id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    is_medical = fields.Boolean(load_default=False)
    title = fields.String(load_default=None, validate=validate.Length(max=64))
    phone = fields.String(load_default=None, validate=validate.Regexp(
        r"^[0-9+\- ]{5,20}$", error=_l("Digits, spaces, + or - only (5–20).")))
    active = fields.Boolean(load_default=True)


class TeamSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    service_hours = fields.String(load_default=None, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=32))


class MembershipSchema(Schema):
    staff_id = Id(required=True)
    role = fields.String(required=True, validate=validate.OneOf(MEMBER_ROLES))
    start_date = fields.Date(required=True)
    end_date = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _ordered(self, data, **_kw):
        if data.get("end_date") and data.get("start_date") and data["end_date"] < data["start_date"]:
            raise Invalid(_l("The end date is before the start date."), "end_date")


class EndMembershipSchema(Schema):
    end_date = fields.Date(required=True)


class GridOutSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    community_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    population = fields.Integer()
    households = fields.Integer()


class MemberOutSchema(Schema):
    staff_id = fields.Integer()
    name = fields.String()
    role = fields.String()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)


class TeamOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    grid_ids = fields.List(fields.Integer())
    members = fields.List(fields.Nested(MemberOutSchema))
