"""Bridges HTML forms and marshmallow schemas, the one place input is validated."""
from __future__ import annotations

from apispec.ext.marshmallow.field_converter import DEFAULT_FIELD_MAPPING
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
    _l("Invalid input type."), _l("Invalid value."), _l("Not a valid list."),
)


class Invalid(ValidationError):
    """A ValidationError whose message stays one message. Marshmallow takes any message
    that is not a str for a list of messages; a lazy translation is not a str, so a field
    validator raising one had its text split into characters, one "message" each."""

    def __init__(self, message, *args, **kwargs):
        if isinstance(message, LazyString):
            message = [message]
        super().__init__(message, *args, **kwargs)


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


# The JSON type each kind of field takes, as the OpenAPI document states it (apispec reads
# the same table), and the message for a value of another type.
_TYPE_MESSAGES = {
    "string": "Not a valid string.", "integer": "Not a valid integer.",
    "number": "Not a valid number.", "boolean": "Not a valid boolean.",
    "array": "Not a valid list.", "object": "Invalid input type.",
}
_TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def json_type(field: fields.Field) -> str | None:
    if isinstance(field, fields.Nested):
        return "array" if field.many else "object"
    if field.metadata.get("type") in _TYPE_CHECKS:
        return field.metadata["type"]  # a Raw field that the document gives a type
    for cls in type(field).__mro__:
        if cls in DEFAULT_FIELD_MAPPING:
            return DEFAULT_FIELD_MAPPING[cls][0]
    return None


def _field_problem(field: fields.Field, value):
    """Why a JSON value cannot be this field's (a message, or a dict/list of them for the
    inside of an object or list), or None. null is left to the field (allow_none)."""
    if value is None:
        return None
    kind = json_type(field)
    if kind is not None and not _TYPE_CHECKS[kind](value):
        return [_TYPE_MESSAGES[kind]]  # translated with the others (errors.py)
    if isinstance(field, fields.Nested):
        items = value if field.many else [value]
        problems = {i: p for i, p in enumerate(wrong_types(field.schema, item)
                                               for item in items) if p}
        return (problems or None) if field.many else problems.get(0)
    if isinstance(field, fields.List):
        problems = {i: p for i, p in enumerate(_field_problem(field.inner, item)
                                               for item in value) if p}
        return problems or None
    if kind == "string" and value.strip() == "":
        # A form's empty field means "absent" (Blankless); in JSON a blank string is a value,
        # which only a field that takes "" as it is (free text) may receive.
        try:
            field.deserialize(value)
        except ValidationError as exc:
            return exc.messages
    return None


def wrong_types(schema: Schema, data) -> dict:
    """JSON values whose type is not the one the schema's field takes, per field (with the
    field's data key), checked before the schema's own hooks see them: so that `{}` where a
    text is expected is a 422 with a field message, never a hook's TypeError, and so that
    0 is not taken for false. Used for JSON bodies, where every type can be sent."""
    if not isinstance(data, dict):
        return {}  # marshmallow answers "Invalid input type" for the whole body
    problems = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if key in data:
            problem = _field_problem(field, data[key])
            if problem:
                problems[key] = problem
    return problems
