"""Bridges HTML forms and marshmallow schemas, the one place input is validated."""
from __future__ import annotations

from flask import flash, request
from flask_babel import LazyString, gettext, lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from .domain import DomainError
from .extensions import db

MAX_ID = 2 ** 31 - 1  # the databases' INTEGER: larger numbers name nothing

# Marshmallow's own messages, listed so that the catalogs carry their translations.
_MARSHMALLOW_MESSAGES = (
    _l("Missing data for required field."), _l("Field may not be null."),
    _l("Not a valid integer."), _l("Not a valid number."), _l("Not a valid date."),
    _l("Not a valid string."), _l("Not a valid boolean."), _l("Unknown field."),
    _l("Must be one of: {choices}."), _l("Not a valid email address."),
    _l("Invalid input type."), _l("Invalid value."),
)


def clean_form(form, fields: list[str] | None = None, lists: tuple[str, ...] = ()) -> dict:
    """Form fields as a dict: stripped, empty strings dropped (so optional means absent)."""
    out = {}
    for key in form.keys():
        if key == "csrf_token" or (fields is not None and key not in fields):
            continue
        if key in lists:
            values = [v.strip() for v in form.getlist(key) if v.strip()]
            if values:
                out[key] = values
            continue
        value = form.get(key, "").strip()
        if value != "":
            out[key] = value
    return out


def translate_errors(errors):
    """Marshmallow error messages in the user's language (msgids are the English texts);
    every field maps to a list of messages."""
    if isinstance(errors, dict):
        return {key: value if isinstance(value, (list, dict)) else [value]
                for key, value in ((k, translate_errors(v)) for k, v in errors.items())}
    if isinstance(errors, list):
        return [translate_errors(value) for value in errors]
    if isinstance(errors, str):
        if errors.startswith("Must be one of:"):
            return gettext("Not one of the allowed choices.")
        return gettext(errors)
    if isinstance(errors, LazyString):
        return str(errors)
    return errors


def load_form(schema: Schema, data: dict) -> tuple[dict | None, dict]:
    """(validated data, {}) or (None, translated errors per field).

    A page's form also sends what is not data: the name and value of the button pressed
    ("Save" or "Save and add another"), hidden helpers. They are left out rather than
    refused as unknown fields, which the page has no place to show (the API, loading its
    schemas itself, still refuses them)."""
    try:
        return schema.load(data, unknown=EXCLUDE), {}
    except ValidationError as exc:
        return None, translate_errors(exc.messages)


def error_line(errors: dict) -> str:
    """Every field's messages in one line, for a flash on the page a small form returns to
    (it has no form to show them beside the fields)."""
    return " ".join(m for ms in errors.values() for m in ms)


def post_small_form(schema: Schema, use_case, done: str) -> None:
    """A small form posted from a page that the request then redirects back to: its errors,
    the use case's refusal (a DomainError) or `done` are flashed there, and the change is
    committed only when the use case went through."""
    data, errors = load_form(schema, clean_form(request.form))
    if data is None:
        flash(error_line(errors), "error")
        return
    try:
        use_case(data)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(done, "success")


class Blankless(Schema):
    """A schema for which an empty field is an absent one: forms send "" for a field left
    empty, imports for an empty cell."""

    @pre_load
    def _blank_is_absent(self, data, **_kw):
        if not isinstance(data, dict):
            return data  # marshmallow answers "Invalid input type"
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}


class Id(fields.Integer):
    """The id of a stored object: a positive 32-bit integer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # 1.5 or true must not quietly become object 1: only whole numbers (or their text).
        if isinstance(value, (float, bool)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
