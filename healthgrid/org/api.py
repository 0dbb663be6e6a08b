from sqlalchemy import select
from sqlalchemy.orm import selectinload

from healthgrid.apiutil import api_blueprint
from healthgrid.auth.scope import current_scope
from healthgrid.extensions import db

from .models import Grid, Institution, Team, TeamMembership
from .schemas import GridOutSchema, InstitutionOutSchema, TeamOutSchema

blp = api_blueprint("org_api", __name__, description="Institutions, grids and teams")


@blp.route("/institutions")
@blp.response(200, InstitutionOutSchema(many=True))
def institutions():
    """All institutions (referrals are addressed to them)."""
    return db.session.scalars(select(Institution).order_by(Institution.code)).all()


@blp.route("/grids")
@blp.response(200, GridOutSchema(many=True))
def grids():
    """The grids in the caller's scope."""
    scope = current_scope()
    return db.session.scalars(
        select(Grid).where(scope.grid_filter(Grid.id)).order_by(Grid.community_id, Grid.code)).all()


@blp.route("/teams")
@blp.response(200, TeamOutSchema(many=True))
def teams():
    """The teams in the caller's scope, with their members (past ones included)."""
    scope = current_scope()
    rows = db.session.scalars(
        select(Team).where(scope.team_filter(Team.id)).order_by(Team.id)
        .options(selectinload(Team.grids),
                 selectinload(Team.memberships).selectinload(TeamMembership.staff))).all()
    return [{
        "id": team.id, "name": team.name, "grid_ids": [g.id for g in team.grids],
        "members": [{"staff_id": m.staff_id, "name": m.staff.name, "role": m.role,
                     "start_date": m.start_date, "end_date": m.end_date}
                    for m in team.memberships],
    } for team in rows]
