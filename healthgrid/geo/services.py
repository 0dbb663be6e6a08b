"""Use cases of the grid map: boundaries and household locations (flush, never commit).

Point-in-polygon questions go to the spatial engine through its index (PostGIS GiST,
SpatiaLite R*Tree); relocating every household of a centre at once is done with shapely's
STRtree over the centre's boundaries, which is faster than a correlated query per row."""
from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from sqlalchemy import bindparam, func, select, text, update

from healthgrid.clock import utcnow
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Institution
from healthgrid.records.models import Household

from . import rules
from .models import GridBoundary, HouseholdLocation
from .spatial import SRID

REASON_TEXT = {
    "not_geojson": _l("not a GeoJSON geometry"),
    "not_polygon": _l("not a Polygon or MultiPolygon"),
    "unclosed": _l("a ring is not closed (its last point must repeat the first)"),
    "too_few_points": _l("a ring needs at least four points"),
    "out_of_range": _l("coordinates outside longitude −180…180 / latitude −90…90"),
    "self_intersecting": _l("the outline crosses itself"),
    "unknown_grid": _l("no grid of this centre has this code"),
    "ambiguous_grid": _l("several grids have this code: add properties.community_code"),
    "duplicate_grid": _l("the same grid appears twice"),
    "overlap": _l("overlaps another grid of the same community"),
    "empty": _l("the area is empty"),
    "not_number": _l("must be a number"),
    "too_far": _l("more than 20 km from the centre's grids"),
}


@dataclass
class FeatureProblem:
    index: int
    grid_code: str | None
    reason: str
    detail: str = ""

    def as_errors(self) -> dict[str, list[str]]:
        """Field → messages, as every API error: the reason's code, its words, the grid."""
        message = str(REASON_TEXT.get(self.reason, self.reason))
        if self.reason == "overlap" and self.detail:
            message = str(_l("overlaps grid %(code)s of the same community", code=self.detail))
        return {"reason": [self.reason], "message": [message],
                "grid_code": [self.grid_code or ""]}


class BoundaryImportError(DomainError):
    """Bad features of an import: each named with its index and reason; nothing saved."""

    def __init__(self, problems: list[FeatureProblem]):
        super().__init__("features", _l("Some features are wrong; nothing was saved."))
        self.problems = problems

    def as_errors(self) -> dict:
        """{"features": {index: {"reason": [...], "message": [...], "grid_code": [...]}}},
        the way marshmallow names the bad items of a list."""
        return {"features": {str(p.index): p.as_errors() for p in self.problems}}


# ------------------------------------------------------------------ boundaries
def grids_of_institution(institution_id: int) -> list[Grid]:
    return db.session.scalars(
        select(Grid).join(Community).where(Community.institution_id == institution_id)
        .order_by(Grid.id)).all()


def health_centres() -> list[Institution]:
    """Every community health centre, by code: what an administrator chooses among."""
    return db.session.scalars(select(Institution).where(Institution.kind == "health_center")
                              .order_by(Institution.code)).all()


def areas_of(grid_ids) -> dict[int, shapely.Geometry]:
    """The stored boundaries of these grids, as shapely geometries."""
    ids = sorted(set(grid_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(GridBoundary.grid_id, func.ST_AsBinary(GridBoundary.geom))
        .where(GridBoundary.grid_id.in_(ids)))
    return {grid_id: shapely.from_wkb(bytes(wkb)) for grid_id, wkb in rows}


def _community_conflicts(new: dict[int, shapely.Geometry], grids: dict[int, Grid]) \
        -> dict[int, str]:
    """grid id → the code of a grid of its community its new area overlaps too much
    (the other grid's new area if it comes in the same import, else its stored one)."""
    communities = {grids[g].community_id for g in new}
    neighbours = [g for g in grids.values() if g.community_id in communities]
    stored = areas_of(g.id for g in neighbours if g.id not in new)
    areas = {**stored, **new}
    by_community: dict[int, list[int]] = {}
    for g in neighbours:
        if g.id in areas:
            by_community.setdefault(g.community_id, []).append(g.id)
    conflicts: dict[int, str] = {}
    order = {grid_id: n for n, grid_id in enumerate(new)}
    for ids in by_community.values():
        tree = shapely.STRtree([areas[i] for i in ids])
        for grid_id in ids:
            if grid_id not in new:
                continue
            for j in tree.query(areas[grid_id], predicate="intersects"):
                other = ids[int(j)]
                # Two new areas overlapping: said once, of the later one.
                later = other in order and order[other] > order[grid_id]
                if other != grid_id and not later and \
                        rules.overlaps(areas[grid_id], areas[other]):
                    conflicts[grid_id] = grids[other].code
                    break
    return conflicts


def _store(grid_id: int, area, user_id: int | None) -> None:
    row = db.session.get(GridBoundary, grid_id)
    if row is None:
        row = GridBoundary(grid_id=grid_id)
        db.session.add(row)
    row.geom = from_shape(area, srid=SRID)
    row.outline = json.dumps(rules.outline(area), separators=(",", ":"))
    row.area_m2 = rules.local_area_m2(area)
    row.updated_at = utcnow()
    row.updated_by_id = user_id


def set_boundary(grid: Grid, geometry: dict, user_id: int | None) -> GridBoundary:
    """One grid's boundary drawn on the map or sent to the API (422 when it is invalid or
    overlaps another grid of the community)."""
    try:
        area = rules.parse_area(geometry)
    except rules.GeometryError as exc:
        raise DomainError("geometry", REASON_TEXT[exc.reason]) from None
    grids = {g.id: g for g in db.session.scalars(
        select(Grid).where(Grid.community_id == grid.community_id))}
    conflict = _community_conflicts({grid.id: area}, grids).get(grid.id)
    if conflict:
        raise DomainError("geometry", _l("Overlaps grid %(code)s of the same community.",
                                         code=conflict))
    _store(grid.id, area, user_id)
    db.session.flush()
    relocate(institution_id_of(grid))
    return db.session.get(GridBoundary, grid.id)


def _feature_grid(feature, by_code: dict[str, list[Grid]]) -> tuple[str | None, Grid | str]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    code = props.get("grid_code") if isinstance(props, dict) else None
    code = str(code) if code is not None else None
    candidates = by_code.get(code or "", [])
    community = props.get("community_code") if isinstance(props, dict) else None
    if community is not None:
        candidates = [g for g in candidates if g.community.code == str(community)]
    if not candidates:
        return code, "unknown_grid"
    if len(candidates) > 1:
        return code, "ambiguous_grid"
    return code, candidates[0]


def import_boundaries(institution_id: int, collection, user_id: int | None) -> int:
    """A GeoJSON FeatureCollection of grid boundaries (properties.grid_code): all saved,
    or none with every bad feature named (BoundaryImportError)."""
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(features, list):
        raise DomainError("type", _l("Send a GeoJSON FeatureCollection."))
    grids = {g.id: g for g in grids_of_institution(institution_id)}
    by_code: dict[str, list[Grid]] = {}
    for g in grids.values():
        by_code.setdefault(g.code, []).append(g)
    problems: list[FeatureProblem] = []
    new: dict[int, shapely.Geometry] = {}
    index_of: dict[int, int] = {}
    for index, feature in enumerate(features):
        code, found = _feature_grid(feature, by_code)
        if isinstance(found, str):
            problems.append(FeatureProblem(index, code, found))
            continue
        try:
            area = rules.parse_area(feature.get("geometry"))
        except rules.GeometryError as exc:
            problems.append(FeatureProblem(index, code, exc.reason, exc.detail))
            continue
        if found.id in new:
            problems.append(FeatureProblem(index, code, "duplicate_grid"))
            continue
        new[found.id] = area
        index_of[found.id] = index
    for grid_id, other in _community_conflicts(new, grids).items():
        problems.append(FeatureProblem(index_of[grid_id], grids[grid_id].code, "overlap",
                                       other))
    if problems:
        raise BoundaryImportError(sorted(problems, key=lambda p: p.index))
    for grid_id, area in new.items():
        _store(grid_id, area, user_id)
    db.session.flush()
    relocate(institution_id)
    return len(new)


def institution_id_of(grid: Grid) -> int:
    return db.session.scalar(select(Community.institution_id)
                             .where(Community.id == grid.community_id))


def extent(institution_id: int) -> rules.Extent | None:
    """The bounding box of the centre's grid boundaries (None: none drawn yet)."""
    areas = areas_of(g.id for g in grids_of_institution(institution_id))
    if not areas:
        return None
    x0, y0, x1, y1 = shapely.total_bounds(list(areas.values()))
    return rules.Extent(float(x0), float(y0), float(x1), float(y1))


# ------------------------------------------------------------------ locations
def _point_sql(dialect: str) -> str:
    point = ("MakePoint(:lng, :lat, 4326)" if dialect == "sqlite"
             else "ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)")
    # SpatiaLite's R*Tree is only used when asked through its SpatialIndex table.
    index = ("AND gb.grid_id IN (SELECT rowid FROM SpatialIndex WHERE "
             f"f_table_name = 'grid_boundary' AND search_frame = {point})"
             if dialect == "sqlite" else "")
    return (f"SELECT gb.grid_id FROM grid_boundary gb JOIN grid g ON g.id = gb.grid_id "
            f"JOIN community c ON c.id = g.community_id "
            f"WHERE c.institution_id = :institution AND ST_Contains(gb.geom, {point}) {index} "
            f"ORDER BY CASE WHEN gb.grid_id = :own THEN 0 ELSE 1 END, gb.grid_id LIMIT 1")


def grid_at(lng: float, lat: float, institution_id: int, own_grid_id: int | None = None) \
        -> int | None:
    """The grid of the centre whose boundary holds the point (its own grid first when
    boundaries touch), through the spatial index."""
    sql = _point_sql(db.session.get_bind().dialect.name)
    return db.session.scalar(text(sql), {"lng": lng, "lat": lat,
                                         "institution": institution_id,
                                         "own": own_grid_id or 0})


def set_location(household: Household, lng, lat, source: str) -> HouseholdLocation:
    """Where a household is (a tap on the map, the phone's position or an import); 422
    for a point out of range or far from the centre's grids, and nothing changes."""
    institution_id = institution_id_of(household.grid)
    problem = rules.location_problem(lng, lat, extent(institution_id))
    if problem:
        field, reason = problem
        raise DomainError(field, REASON_TEXT[reason])
    row = db.session.get(HouseholdLocation, household.id)
    if row is None:
        row = HouseholdLocation(household_id=household.id)
        db.session.add(row)
    row.lng, row.lat = float(lng), float(lat)
    row.geom = from_shape(rules.point(row.lng, row.lat), srid=SRID)
    row.source = source
    row.located_at = utcnow()
    row.located_grid_id = grid_at(row.lng, row.lat, institution_id, household.grid_id)
    db.session.flush()
    return row


def relocate(institution_id: int) -> int:
    """Recompute the located grid of every located household of the centre (after its
    boundaries changed). Returns how many households are located."""
    grids = grids_of_institution(institution_id)
    areas = areas_of(g.id for g in grids)
    rows = db.session.execute(
        select(HouseholdLocation.household_id, HouseholdLocation.lng, HouseholdLocation.lat,
               Household.grid_id, HouseholdLocation.located_grid_id)
        .join(Household, Household.id == HouseholdLocation.household_id)
        .where(Household.grid_id.in_([g.id for g in grids]))).all()
    if not rows:
        return 0
    found = locate_points([(r.lng, r.lat, r.grid_id) for r in rows], areas)
    # Only the households whose grid changed are written.
    changes = [{"hid": r.household_id, "gid": gid} for r, gid in zip(rows, found)
               if gid != r.located_grid_id]
    if not changes:
        return len(rows)
    table = HouseholdLocation.__table__
    db.session.execute(
        update(table).where(table.c.household_id == bindparam("hid"))
        .values(located_grid_id=bindparam("gid")).execution_options(synchronize_session=False),
        changes)
    return len(rows)


def locate_points(points: list[tuple[float, float, int]],
                  areas: dict[int, shapely.Geometry]) -> list[int | None]:
    """For each (lng, lat, own grid id), the grid whose area holds it: the own grid when it
    does, else the lowest-numbered other one, else None (shapely STRtree, vectorised)."""
    if not areas:
        return [None] * len(points)
    ids = list(areas)
    tree = shapely.STRtree([areas[i] for i in ids])
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    geoms = shapely.points(xs, ys)
    hits = tree.query(geoms, predicate="within")
    found: list[int | None] = [None] * len(points)
    for point_index, area_index in zip(hits[0].tolist(), hits[1].tolist()):
        grid_id = ids[area_index]
        current, own = found[point_index], points[point_index][2]
        if current is None or grid_id == own or (current != own and grid_id < current):
            found[point_index] = grid_id
    return found


def outside_households(grid_ids) -> list[dict]:
    """Located households of these grids whose point lies in no grid or another one."""
    rows = db.session.execute(
        select(Household.id, Household.address, Household.grid_id,
               HouseholdLocation.located_grid_id, HouseholdLocation.lng,
               HouseholdLocation.lat)
        .join(HouseholdLocation, HouseholdLocation.household_id == Household.id)
        .where(Household.grid_id.in_(sorted(set(grid_ids))), Household.active.is_(True),
               (HouseholdLocation.located_grid_id.is_(None))
               | (HouseholdLocation.located_grid_id != Household.grid_id))
        .order_by(Household.grid_id, Household.id)).all()
    return [r._asdict() for r in rows]
