from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate, validates

from healthgrid.forms import Invalid

from . import rules


class KpiQuerySchema(Schema):
    scope = fields.String(required=True, validate=validate.Regexp(
        r"^(institution|community|grid|team):\d+$",
        error=_l("Scope is kind:id, kind one of institution, community, grid, team.")))
    period = fields.String(required=True)
    as_of = fields.Date(load_default=None, allow_none=True)

    @validates("period")
    def _period(self, value, **_kw):
        try:
            rules.parse_period(value)
        except ValueError:
            raise Invalid(_l("A period is a year (2026), a quarter (2026-Q3) or a month "
                                     "(2026-11)."))


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
