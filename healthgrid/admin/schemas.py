"""Validation of the audit log filters."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from healthgrid.forms import MAX_ID

ARCHIVE_NO = re.compile(r"[0-9]{17}")
DIGITS = re.compile(r"[0-9]{1,10}")


class AuditSearchSchema(Schema):
    user = fields.String(load_default=None, validate=validate.Length(max=64))
    # The resident's number in the system, or their 17-digit archive number.
    resident = fields.String(load_default=None, validate=validate.Length(max=17))
    action = fields.String(load_default=None, validate=validate.Length(max=48))
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates("resident")
    def _resident(self, value: str, **_kw) -> None:
        if value is None:  # marshmallow 4 validates the load_default too
            return
        is_id = DIGITS.fullmatch(value) is not None and 0 < int(value) <= MAX_ID
        if not (is_id or ARCHIVE_NO.fullmatch(value)):
            raise ValidationError(_l("Enter the resident's number in the system or their "
                                     "17-digit archive number."))

    @validates_schema
    def _range(self, data: dict, **_kw) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_l("The end date is before the start date."), "date_to")
