"""Survey use cases: record an answer (staff or public), tally results. Flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from healthgrid.domain import DomainError
from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.extensions import db
from healthgrid.kpi.rules import Period
from healthgrid.org.models import Community, Grid, Team, TeamMembership

from . import rules
from .models import PublicSurveyMark, SurveyResponse

ANSWER_FIELDS = ("aware", "knows_doctor", "satisfaction", "comment")


class SurveyError(DomainError):
    """A user-caused problem with one field; nothing is written."""


def record_response(grid: Grid, data: dict, user_id: int | None, resident=None) -> SurveyResponse:
    """A team member's response (door, phone, or a paper QR answer typed in). The caller has
    checked that grid and resident lie in the user's scope."""
    if resident is not None and resident.grid_id != grid.id:
        raise SurveyError("resident_id", _l("This resident does not live in the chosen grid."))
    response = SurveyResponse(
        grid_id=grid.id, date=data["date"], channel=data["channel"],
        resident_id=resident.id if resident is not None else None,
        recorded_by_id=user_id, **{k: data.get(k) for k in ANSWER_FIELDS})
    db.session.add(response)
    db.session.flush()
    audit("survey.record", response, resident_id=response.resident_id,
          detail=f"grid={grid.id} channel={response.channel}")
    return response


# --- the public page --------------------------------------------------------------------

def answered_today(device_id: str | None, grid_id: int, day: date) -> bool:
    if not device_id:
        return False
    mark = rules.device_mark(device_id, grid_id, day)
    return db.session.scalar(select(PublicSurveyMark.id).where(
        PublicSurveyMark.device_hash == mark)) is not None


def record_public_answer(grid: Grid, device_id: str, data: dict, day: date
                         ) -> SurveyResponse | None:
    """A resident's anonymous answer, channel "qr"; None (and nothing written) when this
    device already answered this grid's survey today. The unique mark decides, so two
    simultaneous submissions cannot both pass. Not audited: the audit trail would keep the
    resident's address (IP), which an anonymous survey must not."""
    mark = PublicSurveyMark(device_hash=rules.device_mark(device_id, grid.id, day),
                            grid_id=grid.id, date=day)
    try:
        with db.session.begin_nested():
            db.session.add(mark)
            db.session.flush()
    except IntegrityError:
        return None
    response = SurveyResponse(grid_id=grid.id, date=day, channel="qr", resident_id=None,
                              recorded_by_id=None, **{k: data.get(k) for k in ANSWER_FIELDS})
    db.session.add(response)
    db.session.flush()
    return response


def forget_marks_before(day: date) -> int:
    """Marks only matter on their own day; old ones can go."""
    from sqlalchemy import delete
    result = db.session.execute(delete(PublicSurveyMark).where(PublicSurveyMark.date < day))
    return result.rowcount or 0


# --- results ----------------------------------------------------------------------------

@dataclass
class GridResult:
    grid: Grid
    tally: rules.Tally


@dataclass
class TeamResult:
    team: Team | None           # None: grids without a team
    grids: list[GridResult]

    @property
    def tally(self) -> rules.Tally:
        return sum((g.tally for g in self.grids), rules.Tally())


@dataclass
class Results:
    period: Period
    as_of: date
    teams: list[TeamResult]
    comments: list = field(default_factory=list)
    comment_total: int = 0

    @property
    def grids(self) -> list[GridResult]:
        return [g for t in self.teams for g in t.grids]

    @property
    def grid_names(self) -> dict[int, str]:
        return {row.grid.id: row.grid.name for row in self.grids}

    @property
    def total(self) -> rules.Tally:
        return sum((t.tally for t in self.teams), rules.Tally())


def grids_in_scope(scope: Scope, team_id: int | None = None, grid_id: int | None = None
                   ) -> list[Grid]:
    query = (select(Grid).join(Community).where(scope.grid_filter(Grid.id))
             .options(selectinload(Grid.community), selectinload(Grid.team))
             .order_by(Community.code, Grid.code))
    if team_id is not None:
        query = query.where(Grid.team_id == team_id)
    if grid_id is not None:
        query = query.where(Grid.id == grid_id)
    return list(db.session.scalars(query))


def responses_query(grid_ids: list[int], start: date, end: date):
    return select(SurveyResponse).where(SurveyResponse.grid_id.in_(grid_ids),
                                        SurveyResponse.date.between(start, end))


def results(grids: list[Grid], period: Period, as_of: date,
            comment_limit: int | None = 200) -> Results:
    """Counts per grid, grouped by the team serving each grid, over [period start, as_of]."""
    tallies = {g.id: rules.Tally() for g in grids}
    ids = sorted(tallies)
    if ids:
        rows = db.session.execute(
            select(SurveyResponse.grid_id, SurveyResponse.aware, SurveyResponse.knows_doctor,
                   SurveyResponse.satisfaction, func.count())
            .where(SurveyResponse.grid_id.in_(ids),
                   SurveyResponse.date.between(period.start, as_of))
            .group_by(SurveyResponse.grid_id, SurveyResponse.aware,
                      SurveyResponse.knows_doctor, SurveyResponse.satisfaction))
        for grid_id, aware, knows, satisfaction, count in rows:
            tallies[grid_id].add_answer(aware, knows, satisfaction, count)
    by_team: dict[int | None, TeamResult] = {}
    for grid in grids:
        entry = by_team.setdefault(grid.team_id, TeamResult(grid.team, []))
        entry.grids.append(GridResult(grid, tallies[grid.id]))
    teams = sorted(by_team.values(), key=lambda t: (t.team is None, t.team.name if t.team else ""))
    out = Results(period, as_of, teams)
    if ids:
        commented = (responses_query(ids, period.start, as_of)
                     .where(SurveyResponse.comment.is_not(None), SurveyResponse.comment != ""))
        out.comment_total = db.session.scalar(
            select(func.count()).select_from(commented.subquery()))
        query = commented.order_by(SurveyResponse.date.desc(), SurveyResponse.id.desc())
        if comment_limit is not None:
            query = query.limit(comment_limit)
        out.comments = list(db.session.scalars(query))
    return out


# --- the public "find my team" page -----------------------------------------------------

@dataclass
class PublicMember:
    name: str
    role: str
    phone: str | None


def active_members(team: Team, day: date) -> list[PublicMember]:
    """Members a resident may call: active on `day`, active staff; the "3" first."""
    order = {role: i for i, role in enumerate(("gp", "nurse", "public_health", "specialist",
                                               "other"))}
    rows = db.session.scalars(
        select(TeamMembership).where(TeamMembership.team_id == team.id)
        .options(selectinload(TeamMembership.staff))).all()
    members = [m for m in rows if m.active_on(day) and m.staff.active]
    members.sort(key=lambda m: (order.get(m.role, 9), m.start_date, m.staff.name))
    return [PublicMember(m.staff.name, m.role, m.staff.phone) for m in members]


def _like_escaped(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_grids(query_text: str, limit: int = 20) -> list[Grid]:
    """Grids whose streets, name or community name contain the words a resident typed."""
    pattern = _like_escaped(query_text.strip())
    return list(db.session.scalars(
        select(Grid).join(Community)
        .where(Grid.streets.like(pattern, escape="\\") | Grid.name.like(pattern, escape="\\")
               | Community.name.like(pattern, escape="\\"))
        .options(selectinload(Grid.community))
        .order_by(Community.code, Grid.code).limit(limit)))
