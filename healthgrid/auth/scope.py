"""What a user may see. Every query of residents and their records goes through here.

- admin: everything
- manager: the grids of their institution's communities
- doctor: the grids of the teams they are an active member of
- referral_desk: no grids; only referrals addressed to their institution
"""
from __future__ import annotations

from datetime import date

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import false, select

from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Team, TeamMembership


class Scope:
    def __init__(self, grid_ids: frozenset[int] | None, team_ids: frozenset[int] | None,
                 institution_id: int | None, role: str):
        self.grid_ids = grid_ids          # None: all grids
        self.team_ids = team_ids          # None: all teams
        self.institution_id = institution_id
        self.role = role

    @property
    def is_all(self) -> bool:
        return self.grid_ids is None

    def allows_grid(self, grid_id: int | None) -> bool:
        return grid_id is not None and (self.grid_ids is None or grid_id in self.grid_ids)

    def allows_team(self, team_id: int | None) -> bool:
        return team_id is not None and (self.team_ids is None or team_id in self.team_ids)

    def grid_filter(self, column):
        """A WHERE clause limiting `column` (a grid id column) to this scope."""
        if self.grid_ids is None:
            return column.is_not(None)
        return column.in_(sorted(self.grid_ids)) if self.grid_ids else false()

    def team_filter(self, column):
        if self.team_ids is None:
            return column.is_not(None)
        return column.in_(sorted(self.team_ids)) if self.team_ids else false()


def active_team_ids_of_staff(staff_id: int | None, day: date) -> frozenset[int]:
    if staff_id is None:
        return frozenset()
    rows = db.session.scalars(select(TeamMembership.team_id).where(
        TeamMembership.staff_id == staff_id,
        TeamMembership.start_date <= day,
        (TeamMembership.end_date.is_(None)) | (TeamMembership.end_date >= day)))
    return frozenset(rows)


def scope_for(user, day: date | None = None) -> Scope:
    day = day or today()
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(frozenset(), frozenset(), None, "anonymous")
    if user.role == "admin":
        return Scope(None, None, None, "admin")
    if user.role == "manager":
        grid_ids = frozenset(db.session.scalars(
            select(Grid.id).join(Community).where(Community.institution_id == user.institution_id)))
        team_ids = frozenset(db.session.scalars(
            select(Team.id).where(Team.institution_id == user.institution_id)))
        return Scope(grid_ids, team_ids, user.institution_id, "manager")
    if user.role == "doctor":
        team_ids = active_team_ids_of_staff(user.staff_id, day)
        grid_ids = frozenset(db.session.scalars(
            select(Grid.id).where(Grid.team_id.in_(sorted(team_ids))))) if team_ids else frozenset()
        return Scope(grid_ids, team_ids, user.institution_id, "doctor")
    return Scope(frozenset(), frozenset(), user.institution_id, user.role)


def current_scope() -> Scope:
    """The signed-in user's scope, computed once per request."""
    if has_request_context():
        if "_scope" not in g:
            g._scope = scope_for(current_user)
        return g._scope
    return scope_for(None)


def get_in_scope_or_404(model, object_id: int, grid_id_of):
    """Load an object and 404 unless its grid lies in the caller's scope. A referral desk
    never reads what belongs to grids: 403, whatever the object."""
    if current_scope().role == "referral_desk":
        abort(403)
    obj = db.session.get(model, object_id)
    if obj is None or not current_scope().allows_grid(grid_id_of(obj)):
        abort(404)
    return obj


def get_grid_or_404(grid_id: int) -> Grid:
    return get_in_scope_or_404(Grid, grid_id, lambda grid: grid.id)


def get_team_or_404(team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or not current_scope().allows_team(team.id):
        abort(404)
    return team
