from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from . import rules

PERIOD_MESSAGE = _l("A period is a year (2026), a quarter (2026-Q3) or a month (2026-11).")


def period_field(**kwargs) -> fields.String:
    """A period in a query: its pattern is all parse_period takes, stated in the document."""
    return fields.String(validate=validate.Regexp(rules.PERIOD_PATTERN, error=PERIOD_MESSAGE),
                         **kwargs)


def scope_field(**kwargs) -> fields.String:
    return fields.String(validate=validate.Regexp(rules.SCOPE_PATTERN, error=_l(
        "Scope is kind:id, kind one of institution, community, grid, team.")), **kwargs)


class KpiQuerySchema(Schema):
    scope = scope_field(required=True)
    period = period_field(required=True)
    as_of = fields.Date(load_default=None, allow_none=True)


class GapQuerySchema(KpiQuerySchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PeriodOutSchema(Schema):
    start = fields.Date()
    end = fields.Date()


class IndicatorOutSchema(Schema):
    code = fields.String()
    name = fields.String()
    numerator = fields.Integer()
    denominator = fields.Integer()
    value = fields.Float(allow_none=True)
    target = fields.Float()
    met = fields.Boolean(allow_none=True)


class KpiOutSchema(Schema):
    scope = fields.String()
    period = fields.Nested(PeriodOutSchema)
    as_of = fields.Date()
    indicators = fields.List(fields.Nested(IndicatorOutSchema))


class TeamScoreOutSchema(Schema):
    team_id = fields.Integer()
    name = fields.String()
    score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    rank = fields.Integer()
    indicators = fields.List(fields.Nested(IndicatorOutSchema))


class PerformanceOutSchema(Schema):
    teams = fields.List(fields.Nested(TeamScoreOutSchema))


class GapPageSchema(Schema):
    code = fields.String()
    kind = fields.String()
    items = fields.List(fields.Dict())
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
