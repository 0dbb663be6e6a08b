from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import abort

from healthgrid.apiutil import api_blueprint, committed
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.kpi.rules import parse_period
from healthgrid.records.services import get_resident_or_404

from . import services
from .models import SurveyResponse
from .schemas import (ResponsePageSchema, ResponseQuerySchema, SurveyResponseOutSchema,
                      SurveyResponseSchema)

blp = api_blueprint("surveys_api", __name__, description="Awareness and satisfaction surveys")
team_roles = roles_required("admin", "manager", "doctor")
PERIOD_MESSAGE = _l("A period is a year (2026), a quarter (2026-Q3) or a month (2026-11).")


@blp.route("/survey-responses", methods=["POST"])
@team_roles
@blp.arguments(SurveyResponseSchema)
@blp.response(201, SurveyResponseOutSchema)
def create_response(data):
    """Record one survey response for a grid in the caller's scope (404 otherwise). A named
    resident must be in scope (404) and live in that grid (422)."""
    grid = get_grid_or_404(data["grid_id"])
    resident = get_resident_or_404(data["resident_id"]) if data.get("resident_id") else None
    with committed():
        response = services.record_response(grid, data, current_user.id, resident)
    return response


@blp.route("/survey-responses", methods=["GET"])
@team_roles
@blp.arguments(ResponseQuerySchema, location="query")
@blp.response(200, ResponsePageSchema)
def list_responses(params):
    """The responses of a period (default: this year) in the caller's scope, optionally of
    one grid or team, newest first."""
    try:
        period = parse_period(params.get("period") or str(today().year))
    except ValueError:
        abort(422, errors={"period": [PERIOD_MESSAGE]})
    scope = current_scope()
    if params.get("grid_id") is not None:
        get_grid_or_404(params["grid_id"])
    if params.get("team_id") is not None and not scope.allows_team(params["team_id"]):
        abort(404)
    grids = services.grids_in_scope(scope, team_id=params.get("team_id"),
                                    grid_id=params.get("grid_id"))
    as_of = period.as_of(today())
    items = list(db.session.scalars(
        services.responses_query([g.id for g in grids], period.start, as_of)
        .order_by(SurveyResponse.date.desc(), SurveyResponse.id.desc())))
    return {"period": {"label": period.label, "start": period.start.isoformat(),
                       "end": period.end.isoformat(), "as_of": as_of.isoformat()},
            "total": len(items), "items": items}
