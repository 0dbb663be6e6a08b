"""Organisation use cases. They flush; the request commits."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from healthgrid.domain import DomainError
from healthgrid.auth.services import audit
from healthgrid.extensions import db

from . import rules
from .models import Community, Grid, Institution, Staff, Team, TeamMembership


class OrgConflict(DomainError):
    """A change that clashes with existing data."""


def members_of(team: Team) -> list[rules.Member]:
    return [rules.Member(m.role, m.start_date, m.end_date) for m in team.memberships]


def missing_roles(team: Team, day: date) -> list[str]:
    return rules.missing_core_roles(members_of(team), day)


def active_members(team: Team, day: date) -> list[TeamMembership]:
    return [m for m in team.memberships if m.active_on(day)]


def grid_has_active_team(grid: Grid, day: date) -> bool:
    """The grid coverage test: an assigned team with at least one active member."""
    return grid.team is not None and bool(active_members(grid.team, day))


def _apply(obj, data: dict) -> None:
    for key, value in data.items():
        setattr(obj, key, value)


def save_institution(data: dict, institution: Institution | None = None) -> Institution:
    clash = db.session.scalar(select(Institution.id).where(Institution.code == data["code"]))
    if clash and (institution is None or clash != institution.id):
        raise OrgConflict("code", _l("Another institution already has this code."))
    institution = institution or Institution()
    _apply(institution, data)
    db.session.add(institution)
    db.session.flush()
    audit("institution.save", institution)
    return institution


def save_community(institution: Institution, data: dict,
                   community: Community | None = None) -> Community:
    clash = db.session.scalar(select(Community.id).where(
        Community.institution_id == institution.id, Community.code == data["code"]))
    if clash and (community is None or clash != community.id):
        raise OrgConflict("code", _l("Another community of this institution has this code."))
    if community is not None and community.code != data["code"] and community.archive_seq:
        # Archive numbers embed the community code; changing it would orphan them.
        raise OrgConflict("code", _l("Archives were numbered with this code; it cannot change."))
    community = community or Community(institution_id=institution.id)
    _apply(community, data)
    db.session.add(community)
    db.session.flush()
    audit("community.save", community)
    return community


def save_grid(community: Community, data: dict, grid: Grid | None = None) -> Grid:
    data = dict(data)
    data.pop("community_id", None)
    clash = db.session.scalar(select(Grid.id).where(
        Grid.community_id == community.id, Grid.code == data["code"]))
    if clash and (grid is None or clash != grid.id):
        raise OrgConflict("code", _l("Another grid of this community has this code."))
    team_id = data.get("team_id")
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.institution_id != community.institution_id:
            raise OrgConflict("team_id", _l("Choose a team of this institution."))
    grid = grid or Grid(community_id=community.id)
    _apply(grid, data)
    db.session.add(grid)
    db.session.flush()
    audit("grid.save", grid, detail=f"team={team_id}")
    return grid


def save_staff(data: dict, staff: Staff | None = None) -> Staff:
    if db.session.get(Institution, data["institution_id"]) is None:
        raise OrgConflict("institution_id", _l("Choose an existing institution."))
    staff = staff or Staff()
    _apply(staff, data)
    db.session.add(staff)
    db.session.flush()
    audit("staff.save", staff)
    return staff


def save_team(institution: Institution, data: dict, team: Team | None = None) -> Team:
    team = team or Team(institution_id=institution.id)
    _apply(team, data)
    db.session.add(team)
    db.session.flush()
    audit("team.save", team)
    return team


def add_member(team: Team, data: dict) -> TeamMembership:
    staff = db.session.get(Staff, data["staff_id"])
    if staff is None or not staff.active:
        raise OrgConflict("staff_id", _l("Choose an active staff member."))
    overlapping = db.session.scalar(select(func.count(TeamMembership.id)).where(
        TeamMembership.team_id == team.id, TeamMembership.staff_id == staff.id,
        (TeamMembership.end_date.is_(None)) | (TeamMembership.end_date >= data["start_date"])))
    if overlapping:
        raise OrgConflict("staff_id", _l("This person is already a member of the team."))
    membership = TeamMembership(team_id=team.id, **data)
    db.session.add(membership)
    db.session.flush()
    db.session.refresh(team)
    audit("team.member_add", team, detail=f"staff={staff.id} role={data['role']}")
    return membership


def end_member(membership: TeamMembership, end_date: date) -> None:
    if end_date < membership.start_date:
        raise OrgConflict("end_date", _l("The end date is before the start date."))
    membership.end_date = end_date
    db.session.flush()
    audit("team.member_end", membership.team, detail=f"membership={membership.id}")
