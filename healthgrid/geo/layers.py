"""What the map draws, as GeoJSON FeatureCollections: the grids of a scope coloured by an
indicator, the outlines of their communities, a grid's located households, and its open
events.

Indicator values come from the KPI services (kpi.services.compute for the scope, then
per grid as the dashboard counts them); team-level indicators colour each grid with its
team's value, the centre-level one (staff participation) every grid with the centre's."""
from __future__ import annotations

import json
from datetime import date

import shapely
from sqlalchemy import func, select

from healthgrid.chronic.models import Enrollment
from healthgrid.chronic.rules import due_state
from healthgrid.events.models import GridEvent
from healthgrid.events.rules import OPEN_STATUSES
from healthgrid.extensions import db
from healthgrid.kpi import rules as kpi_rules
from healthgrid.kpi import services as kpi
from healthgrid.org.models import Community, Grid
from healthgrid.records.models import Household, Resident

from . import rules, services
from .models import GridBoundary, HouseholdLocation


def _values_by_grid(result: kpi.Result, code: str) -> dict[int, kpi_rules.Value]:
    indicator = kpi_rules.BY_CODE[code]
    grids = result.scope.grids
    if indicator.level == "institution":
        value = result.values[code]
        return {g.id: value for g in grids}
    if indicator.level == "team":
        by_team = {row["team_id"]: row["values"][code] for row in kpi.team_performance(result)}
        return {g.id: by_team[g.team_id] for g in grids if g.team_id in by_team}
    return {g.id: kpi.values_for_grids(result, [g.id])[code] for g in grids}


def grids_collection(result: kpi.Result, code: str) -> dict:
    """One feature per grid of the scope that has a boundary."""
    grids = {g.id: g for g in result.scope.grids}
    values = _values_by_grid(result, code)
    lower = code in kpi_rules.LOWER_IS_BETTER
    target = kpi_rules.BY_CODE[code].target
    teams = {t.id: t.name for t in result.scope.teams}
    communities = dict(db.session.execute(
        select(Community.id, Community.name)
        .where(Community.id.in_({g.community_id for g in grids.values()}))).all())
    rows = db.session.execute(select(GridBoundary.grid_id, GridBoundary.outline)
                              .where(GridBoundary.grid_id.in_(list(grids)))).all()
    features = []
    for grid_id, outline in sorted(rows):
        grid = grids[grid_id]
        value = values.get(grid_id)
        number = value.value if value is not None else None
        shade = rules.shade(number, target, higher_is_better=not lower)
        features.append({
            "type": "Feature", "id": grid_id,
            "geometry": json.loads(outline),
            "properties": {
                "grid_id": grid_id, "code": grid.code, "name": grid.name,
                "community": communities.get(grid.community_id),
                "team": teams.get(grid.team_id), "population": grid.population,
                "value": None if number is None else round(number, 4),
                "numerator": value.numerator if value is not None else None,
                "denominator": value.denominator if value is not None else None,
                "target": target, "met": value.met if value is not None else None,
                "colour": shade.colour,
            }})
    return {"type": "FeatureCollection", "features": features,
            "indicator": code, "period": result.period.label, "as_of": result.as_of.isoformat(),
            "target": target, "lower_is_better": lower}


def communities_collection(grids: list[Grid]) -> dict:
    """One feature per community of these grids that has a boundary drawn: the union of
    its grids' boundaries (of these grids only: a team sees its own grids' outline, not
    its neighbours'), with a point inside it where the name goes."""
    areas = services.areas_of(g.id for g in grids)
    parts: dict[int, list] = {}
    for g in grids:
        if g.id in areas:
            parts.setdefault(g.community_id, []).append(areas[g.id])
    communities = db.session.scalars(select(Community).where(Community.id.in_(list(parts)))
                                     .order_by(Community.code, Community.id)).all()
    features = []
    for community in communities:
        geometry, (x, y) = rules.community_outline(parts[community.id])
        features.append({
            "type": "Feature", "id": community.id, "geometry": geometry,
            "properties": {"community_id": community.id, "code": community.code,
                           "name": community.name, "grids": len(parts[community.id]),
                           "label_point": [x, y]}})
    return {"type": "FeatureCollection", "features": features}


def households_collection(grid: Grid, day: date) -> dict:
    """The grid's located households (points), with how many live there and whether one
    of them has a follow-up due or overdue (per household, through the residents' and
    enrollments' indexes: cheaper than grouping the grid's residents first)."""
    members = (select(func.count(Resident.id))
               .where(Resident.household_id == Household.id, Resident.status == "active")
               .correlate(Household).scalar_subquery())
    due = (select(func.min(Enrollment.next_due_date))
           .join(Resident, Resident.id == Enrollment.resident_id)
           .where(Resident.household_id == Household.id, Resident.status == "active",
                  Enrollment.status == "active")
           .correlate(Household).scalar_subquery())
    rows = db.session.execute(
        select(Household.id, Household.address, Household.head_name, HouseholdLocation.lng,
               HouseholdLocation.lat, HouseholdLocation.located_grid_id,
               members.label("n"), due.label("due"))
        .join(HouseholdLocation, HouseholdLocation.household_id == Household.id)
        .where(Household.grid_id == grid.id, Household.active.is_(True))
        .order_by(Household.id)).all()
    features = [{
        "type": "Feature", "id": r.id,
        "geometry": {"type": "Point", "coordinates": [round(r.lng, 6), round(r.lat, 6)]},
        "properties": {"household_id": r.id, "address": r.address, "head": r.head_name,
                       "residents": r.n or 0, "due": due_state(_as_date(r.due), day),
                       "outside": r.located_grid_id != grid.id},
    } for r in rows]
    return {"type": "FeatureCollection", "features": features}


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite's MIN() hands back text


def events_collection(grid: Grid) -> dict:
    """The grid's open events. Events carry a place in words, not coordinates: they are
    marked at a point inside the grid (its boundary's representative point)."""
    row = db.session.get(GridBoundary, grid.id)
    if row is None:
        return {"type": "FeatureCollection", "features": []}
    anchor = shapely.from_geojson(row.outline).representative_point()
    events = db.session.scalars(
        select(GridEvent).where(GridEvent.grid_id == grid.id,
                                GridEvent.status.in_(OPEN_STATUSES))
        .order_by(GridEvent.reported_on.desc()).limit(50)).all()
    features = [{
        "type": "Feature", "id": e.id,
        "geometry": {"type": "Point", "coordinates": [round(anchor.x, 6), round(anchor.y, 6)]},
        "properties": {"event_id": e.id, "event_type": e.event_type, "place": e.place,
                       "status": e.status, "urgency": e.urgency,
                       "deadline": e.deadline.isoformat() if e.deadline else None},
    } for e in events]
    return {"type": "FeatureCollection", "features": features}
