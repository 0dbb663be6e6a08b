"""Validation of the annual check form's fields (chronic/checkform.py) and its lists."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from healthgrid.forms import Blankless, Invalid
from healthgrid.labels import LABELS
from healthgrid.records.schemas import choice, text

from . import checkform

FINDINGS = ("normal", "abnormal")


def _range(low: float, high: float):
    hint = "{:g}–{:g}".format(low, high)

    def check(value) -> None:
        if not low <= value <= high:
            raise Invalid(_l("Outside the plausible range (%(range)s).", range=hint))
    return check


def _several(kind: str):
    codes = tuple(LABELS[kind])

    def check(values) -> None:
        if "none" in values and len(values) > 1:
            raise Invalid(_l("“None” cannot be chosen with another choice."))
    return fields.List(fields.String(validate=validate.OneOf(codes)), load_default=None,
                       allow_none=True, validate=check)


def _field(item: checkform.Item) -> dict:
    if item.kind == "num":
        return {item.name: fields.Float(load_default=None, allow_none=True, allow_nan=False,
                                        validate=_range(item.low, item.high))}
    if item.kind == "int":
        return {item.name: fields.Integer(load_default=None, allow_none=True,
                                          validate=_range(item.low, item.high))}
    if item.kind == "choice":
        return {item.name: choice(tuple(LABELS[item.choices]))}
    if item.kind == "multi":
        return {item.name: _several(item.choices)}
    if item.kind in ("finding", "problem"):
        return {item.name: choice(FINDINGS), f"{item.name}_detail": text(200)}
    return {item.name: text(300)}


def _detail_fields() -> dict:
    out = {}
    for item in checkform.ITEMS.values():
        out.update(_field(item))
    return out


CheckDetailFields = Schema.from_dict(_detail_fields(), name="CheckDetailFields")


class CheckMedicineSchema(Blankless):
    name = text(100, required=True)
    usage = text(64)
    dose = text(32)
    duration = text(32)
    adherence = choice(("regular", "intermittent", "none"))


class CheckStaySchema(Blankless):
    kind = choice(("hospital", "sickbed"), default="hospital")
    admitted = fields.Date(load_default=None, allow_none=True)
    discharged = fields.Date(load_default=None, allow_none=True)
    reason = text(100, required=True)
    institution = text(100)
    record_no = text(32)


class CheckVaccinationSchema(Blankless):
    name = text(100, required=True)
    date = fields.Date(load_default=None, allow_none=True)
    place = text(100)


def list_fields() -> dict:
    return {
        "medicines": fields.List(fields.Nested(CheckMedicineSchema), load_default=list,
                                 validate=validate.Length(max=20)),
        "stays": fields.List(fields.Nested(CheckStaySchema), load_default=list,
                             validate=validate.Length(max=20)),
        "vaccinations": fields.List(fields.Nested(CheckVaccinationSchema), load_default=list,
                                    validate=validate.Length(max=20)),
    }


def rows_out(check) -> dict:
    """The check's lists in the API's shape."""
    def iso(day):
        return day.isoformat() if day else None
    return {
        "medicines": [{"name": r.name, "usage": r.usage, "dose": r.dose,
                       "duration": r.duration, "adherence": r.adherence}
                      for r in check.rows_of("medicine")],
        "stays": [{"kind": r.kind, "admitted": iso(r.start_date),
                   "discharged": iso(r.end_date), "reason": r.name,
                   "institution": r.institution, "record_no": r.record_no}
                  for r in check.rows if r.kind in ("hospital", "sickbed")],
        "vaccinations": [{"name": r.name, "date": iso(r.start_date), "place": r.institution}
                         for r in check.rows_of("vaccination")],
    }
