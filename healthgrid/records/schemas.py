"""Validation of archive input: the same schemas serve pages, the API and Excel imports."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from healthgrid.forms import Blankless, Id, Invalid
from marshmallow import (missing, Schema, fields, post_load, pre_load, validate,
                         validates, validates_schema)

from healthgrid.clock import today

from . import profile, rules

ID_MESSAGES = {
    "id_format": _l("An ID number has 17 digits and a final digit or X."),
    "id_checksum": _l("The check character is wrong: the ID number has a typing error."),
    "id_birth_invalid": _l("The birth date inside the ID number is not a real date."),
    "id_area_unknown": _l("The first six digits are not a known area code."),
    "id_birth_mismatch": _l("The ID number encodes another birth date than the one entered."),
    "id_sex_mismatch": _l("The ID number encodes the other sex than the one entered."),
}

_CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
# What the OpenAPI document says a text may hold (JSON Schema patterns; Python's reading of
# \s and \S is str.strip()'s): no control characters, and a required text not only blanks.
TEXT_PATTERN = f"^[^{_CONTROL_CHARS}]*$"
REQUIRED_TEXT_PATTERN = f"^[^{_CONTROL_CHARS}]*[^\\s{_CONTROL_CHARS}][^{_CONTROL_CHARS}]*$"


def _plain_text(required: bool):
    def check(value: str) -> None:
        if _CONTROL.search(value):
            raise Invalid(_l("Contains invisible control characters."))
        if required and not value.strip():
            raise Invalid(_l("Missing data for required field."))
    return check


def text(max_length: int, required: bool = False, **kw):
    """Free text of at most `max_length` characters, without control characters."""
    validators = [validate.Length(max=max_length, error=_l("At most {max} characters.")),
                  _plain_text(required)]
    kw["metadata"] = {"pattern": REQUIRED_TEXT_PATTERN if required else TEXT_PATTERN,
                      **({"minLength": 1} if required else {}), **kw.get("metadata", {})}
    if required:
        return fields.String(required=True, validate=validators, **kw)
    return fields.String(load_default=None, allow_none=True, validate=validators, **kw)


def choice(options, required: bool = False, default=None):
    if required:
        return fields.String(required=True, validate=validate.OneOf(options))
    return fields.String(load_default=default, allow_none=default is None,
                         validate=validate.OneOf(options))


class Phone(fields.String):
    """A mobile or landline number; spaces are left out, and a blank one is none."""
    # rules.MOBILE and rules.LANDLINE, around them the blanks that are stripped.
    PATTERN = r"^\s*(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})?\s*$"

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"pattern": self.PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().replace(" ", "")
        if value == "" and self.allow_none:
            return None
        if not rules.phone_ok(value):
            raise Invalid(_l("A mobile number has 11 digits starting with 1; a landline "
                             "starts with its area code, e.g. 010-12345678."))
        return value


# What an ID number may look like (normalize_id_number: blanks left out, x as X); its check
# character and area code are checked beyond this.
ID_NUMBER_PATTERN = r"^[ ]*([0-9][ ]*){17}[0-9Xx][ ]*$|^\s*$"


def id_number_field(**kwargs) -> fields.String:
    return fields.String(load_default=None, allow_none=True,
                         metadata={"pattern": ID_NUMBER_PATTERN}, **kwargs)


class HouseholdSchema(Schema):
    grid_id = Id(required=True)
    address = text(200, required=True)
    head_name = text(64)
    phone = Phone(load_default=None, allow_none=True)


_CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")


class Codes(fields.Field):
    """Several codes of one list: a JSON list (or a form's or workbook's text separated by
    commas or 、) in, the comma-joined codes out to the model, None when empty."""

    def __init__(self, codes, **kwargs):
        super().__init__(allow_none=True, **kwargs)
        self.codes = codes

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            items = _CODE_SEPARATORS.split(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = value
        else:
            raise Invalid(_l("Not a valid list."))
        items = list(dict.fromkeys(item.strip() for item in items if item.strip()))
        if any(item not in self.codes for item in items):
            raise Invalid(_l("Not one of the allowed choices."))
        if profile.none_mixed(items):
            raise Invalid(_l("“None” cannot be chosen with another choice."))
        return ",".join(items) or None

    def _serialize(self, value, attr, obj, **kwargs):
        return profile.split_codes(value) if value else None


def _not_future(value) -> None:
    if value is not None and value > today():
        raise Invalid(_l("The date is in the future."))


class DiseaseRowSchema(Blankless):
    """A past disease with its diagnosis month (the first of the month stands for it)."""
    code = choice(profile.DISEASES, required=True)
    detail = text(100)
    diagnosed_on = fields.Date(load_default=None, allow_none=True, validate=_not_future)


class EventRowSchema(Blankless):
    """An operation, injury or transfusion: what (or why) and when."""
    name = text(100, required=True)
    date = fields.Date(load_default=None, allow_none=True, validate=_not_future)


class FamilySchema(Schema):
    """Each relative's diseases (codes of the past-disease list); a relative left out is not
    recorded, ["none"] says there is none."""
    father = Codes(profile.DISEASES)
    mother = Codes(profile.DISEASES)
    siblings = Codes(profile.DISEASES)
    children = Codes(profile.DISEASES)


def _profile_fields() -> dict:
    """The personal basic information fields: absent means unchanged (an edit of the short
    form leaves them alone); null clears one to "not recorded"."""
    out = {name: fields.String(allow_none=True, validate=validate.OneOf(codes))
           for name, (codes, _kind) in profile.SINGLE.items()}
    out.update({name: Codes(codes) for name, (codes, _kind) in profile.MULTI.items()})
    for name, length in profile.TEXT.items():
        out[name] = text(length)
        out[name].load_default = missing
    out["contact_phone"] = Phone(allow_none=True)
    out["past_diseases"] = fields.List(fields.Nested(DiseaseRowSchema), allow_none=True,
                                       validate=validate.Length(max=20))
    for name in profile.EVENT_FIELDS:
        out[name] = fields.List(fields.Nested(EventRowSchema), allow_none=True,
                                      validate=validate.Length(max=20))
    out["family_history_codes"] = fields.Nested(FamilySchema, allow_none=True)
    return out


ProfileFields = Schema.from_dict(_profile_fields(), name="ProfileFields")


class ResidentBaseSchema(Blankless, ProfileFields):
    """The archive's basic information table (个人基本信息表)."""
    name = text(64, required=True)
    sex = choice(("male", "female"), required=True)
    birth_date = fields.Date(required=True)
    id_number = id_number_field()
    phone = Phone(load_default=None, allow_none=True)
    relation_to_head = choice(rules.RELATIONS)
    residence_type = choice(rules.RESIDENCE_TYPES, default="registered")
    blood_type = choice(rules.BLOOD_TYPES)
    payment_type = choice(rules.PAYMENT_TYPES)
    allergies = text(500)
    past_history = text(2000)
    family_history = text(2000)
    disability = text(64)
    pregnant = fields.Boolean(load_default=False)
    severe_mental_illness = fields.Boolean(load_default=False)
    disabled = fields.Boolean(load_default=False)
    archive_medium = choice(rules.ARCHIVE_MEDIA, default="electronic")
    ethnicity = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(profile.ETHNICITIES))

    @pre_load
    def _from_the_id_number(self, data, **_kw):
        """A sex or birth date left blank is the one a valid ID number encodes."""
        if not isinstance(data, dict):
            return data
        facts = rules.id_number_facts(data.get("id_number"))
        if facts is None:
            return data
        birth, sex = facts
        data = dict(data)
        if not str(data.get("birth_date") or "").strip():
            data["birth_date"] = birth.isoformat()
        if not str(data.get("sex") or "").strip():
            data["sex"] = sex
        return data

    @validates("birth_date")
    def _birth_date_plausible(self, value, **_kw):
        if value > today():
            raise Invalid(_l("The birth date is in the future."))
        if value.year < 1890:
            raise Invalid(_l("The birth date is too far in the past."))

    @validates_schema
    def _id_number_matches(self, data, **_kw):
        id_number = rules.normalize_id_number(data.get("id_number"))
        if not id_number:
            return
        problem = rules.id_number_problem(id_number, data.get("birth_date"), data.get("sex"))
        if problem:
            raise Invalid(ID_MESSAGES[problem], "id_number")
        if data.get("pregnant") and data.get("sex") == "male":
            raise Invalid(_l("Only a woman can be marked pregnant."), "pregnant")

    @post_load
    def _normalize(self, data, **_kw):
        data["id_number"] = rules.normalize_id_number(data.get("id_number"))
        return data


class ResidentCreateSchema(ResidentBaseSchema):
    household_id = Id(required=True)


class ResidentUpdateSchema(ResidentBaseSchema):
    version = Id(required=True)


class ResidentPatchSchema(ResidentBaseSchema):
    """PATCH: every field optional but the version."""
    version = Id(required=True)

    def __init__(self, *args, **kwargs):
        optional = tuple(name for name in self._declared_fields if name != "version")
        super().__init__(*args, partial=optional, **kwargs)

    @post_load
    def _normalize(self, data, **_kw):
        if "id_number" in data:
            data["id_number"] = rules.normalize_id_number(data["id_number"])
        return data


class ExitSchema(Schema):
    status = choice(rules.EXIT_STATUSES, required=True)
    status_date = fields.Date(required=True)
    version = Id(required=True)

    @validates("status_date")
    def _not_future(self, value, **_kw):
        if value > today():
            raise Invalid(_l("The date is in the future."))


class ContractSchema(Schema):
    team_id = Id(required=True)
    start_date = fields.Date(required=True)


class SearchSchema(Schema):
    q = fields.String(load_default="", validate=[validate.Length(max=64), _plain_text(False)],
                      metadata={"pattern": TEXT_PATTERN})
    grid_id = Id(load_default=None, allow_none=True)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class HouseholdOutSchema(Schema):
    id = fields.Integer()
    grid_id = fields.Integer()
    address = fields.String()
    head_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class ResidentListItemSchema(Schema):
    """What lists show: identifiers masked."""
    id = fields.Integer()
    archive_no = fields.String()
    name = fields.String()
    sex = fields.String()
    birth_date = fields.Date()
    id_number = fields.Function(lambda r: rules.mask_id_number(r.id_number))
    phone = fields.Function(lambda r: rules.mask_phone(r.phone))
    household_id = fields.Integer()
    grid_id = fields.Integer()
    status = fields.String()


class ResidentPageSchema(Schema):
    items = fields.List(fields.Nested(ResidentListItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ResidentFullSchema(Schema):
    """The full archive (audited): identifiers in clear."""
    id = fields.Integer()
    archive_no = fields.String()
    household_id = Id()
    grid_id = Id()
    name = fields.String()
    sex = fields.String()
    birth_date = fields.Date()
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    relation_to_head = fields.String(allow_none=True)
    residence_type = fields.String()
    ethnicity = fields.String(allow_none=True)
    blood_type = fields.String(allow_none=True)
    payment_type = fields.String(allow_none=True)
    allergies = fields.String(allow_none=True)
    past_history = fields.String(allow_none=True)
    family_history = fields.String(allow_none=True)
    disability = fields.String(allow_none=True)
    pregnant = fields.Boolean()
    severe_mental_illness = fields.Boolean()
    disabled = fields.Boolean()
    archive_medium = fields.String()
    status = fields.String()
    status_date = fields.Date(allow_none=True)
    created_on = fields.Date()
    version = Id()
    key_populations = fields.List(fields.String())


def _profile_out() -> dict:
    from .history import FIELDS, as_dict
    out = {name: fields.String(allow_none=True) for name in (*profile.SINGLE, *profile.TEXT)}
    out["contact_phone"] = fields.String(allow_none=True)
    out.update({name: Codes(codes) for name, (codes, _k) in profile.MULTI.items()})
    out.update({name: fields.Function(lambda r, name=name: as_dict(r)[name])
                for name in FIELDS})
    return out


ResidentFullSchema = Schema.from_dict(
    {**ResidentFullSchema._declared_fields, **_profile_out()}, name="ResidentFullSchema")
