"""Demo step: plausible geometry for a district of any size, around Chaoyang, Beijing.

Grid centres are scattered over a district outline sized to the number of grids (about
0.35 km² a grid, a dense city's); the district is cut into their Voronoi cells, so grids
tile it without gaps or overlaps and communities (consecutive grids along a serpentine
walk, so each is one piece) are the union of their grids' cells. Every household is put
at a random point of its grid's cell, kept 15 m inside the edge; one household in about a
thousand (and the first of the first grid, for the demo doctor to find) is put in a
neighbouring grid instead: the "outside its grid" cases a manager is shown.
"""
from __future__ import annotations

import json
import math

import numpy as np
import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import Polygon
from sqlalchemy import select

from healthgrid.clock import utcnow
from .bulk import Values
from .context import DemoContext
from healthgrid.extensions import db
from healthgrid.records.models import Household

from healthgrid.geo import rules
from healthgrid.geo.models import GridBoundary
from healthgrid.geo.spatial import SRID

CENTRE = (116.48, 39.92)          # Chaoyang District, Beijing (WGS 84)
GRID_KM2 = 0.35
KM_PER_DEG_LAT = 111.2
INSET_DEG = 0.00015               # about 15 m inside a grid's edge
OUTSIDE_EVERY = 997


def _km_per_deg_lng() -> float:
    return KM_PER_DEG_LAT * math.cos(math.radians(CENTRE[1]))


def district_outline(n_grids: int, rng: np.random.Generator) -> Polygon:
    """A lumpy oval of n_grids × GRID_KM2 km²."""
    area_km2 = max(n_grids, 1) * GRID_KM2
    radius_km = math.sqrt(area_km2 / math.pi)
    angles = np.linspace(0, 2 * math.pi, 40, endpoint=False)
    wobble = 1 + 0.12 * np.sin(3 * angles + rng.uniform(0, 6)) + rng.uniform(-0.04, 0.04, 40)
    xs = CENTRE[0] + 1.25 * radius_km * wobble * np.cos(angles) / _km_per_deg_lng()
    ys = CENTRE[1] + 0.8 * radius_km * wobble * np.sin(angles) / KM_PER_DEG_LAT
    shape = Polygon(zip(xs, ys))
    return shapely.make_valid(shape) if not shape.is_valid else shape


def grid_centres(n: int, outline: Polygon, rng: np.random.Generator) -> np.ndarray:
    """n points spread over the outline: a jittered lattice, then a random n of them."""
    x0, y0, x1, y1 = outline.bounds
    step = math.sqrt(outline.area / n) * 0.8
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    pts = np.column_stack([xs.ravel(), ys.ravel()])
    pts += rng.uniform(-0.35 * step, 0.35 * step, pts.shape)
    inside = pts[shapely.contains_xy(outline, pts[:, 0], pts[:, 1])]
    while len(inside) < n:   # a tiny district: fill up with random points
        extra = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
        inside = np.vstack([inside, extra[shapely.contains_xy(outline, extra[:, 0],
                                                              extra[:, 1])]])
    chosen = inside[np.sort(rng.choice(len(inside), n, replace=False))]
    # Serpentine order (bands south to north, alternating direction): consecutive points
    # are neighbours, so a community's run of grids is one piece.
    band = np.floor((chosen[:, 1] - y0) / (step * 3)).astype(int)
    key = np.where(band % 2 == 0, chosen[:, 0], -chosen[:, 0])
    return chosen[np.lexsort((key, band))]


def cells(centres: np.ndarray, outline: Polygon) -> list:
    """The Voronoi cell of each centre, clipped to the outline, in the centres' order."""
    if len(centres) == 1:
        return [outline]
    regions = shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=outline,
                                       ordered=True)
    return [shapely.make_valid(shapely.intersection(cell, outline))
            for cell in shapely.get_parts(regions)]


def _points_in(area, k: int, rng: np.random.Generator) -> np.ndarray:
    inner = area.buffer(-INSET_DEG)
    if inner.is_empty:
        inner = area
    x0, y0, x1, y1 = inner.bounds
    found = np.empty((0, 2))
    while len(found) < k:
        want = max(16, int((k - len(found)) * 2.5))
        cand = np.column_stack([rng.uniform(x0, x1, want), rng.uniform(y0, y1, want)])
        found = np.vstack([found, cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]])
    return found[:k]


def create_geometry(ctx: DemoContext) -> None:
    rng = np.random.default_rng(_seed(ctx))
    plans = [g for c in ctx.communities for g in c.grids]
    outline = district_outline(len(plans), rng)
    areas = cells(grid_centres(len(plans), outline, rng), outline)
    by_grid = {plan.id: area for plan, area in zip(plans, areas)}
    for plan, area in zip(plans, areas):
        db.session.add(GridBoundary(
            grid_id=plan.id, geom=from_shape(_multi(area), srid=SRID),
            outline=json.dumps(rules.outline(area), separators=(",", ":")),
            area_m2=rules.local_area_m2(area), updated_at=utcnow()))
    db.session.commit()
    _locate_households(ctx, plans, by_grid, rng)


def _seed(ctx: DemoContext) -> int:
    """The step's own seed (str hashes vary between runs; this does not)."""
    return sum(ord(c) * 31 ** i for i, c in enumerate(f"{ctx.seed}:geometry")) % 2 ** 32


def _multi(area):
    parts = [p for p in shapely.get_parts(area) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(parts)


def _locate_households(ctx: DemoContext, plans, by_grid, rng) -> None:
    rows = db.session.execute(select(Household.id, Household.grid_id)
                              .order_by(Household.grid_id, Household.id)).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    grids = np.array([r[1] for r in rows], dtype=np.int64)
    neighbour = {p.id: plans[(i + 1) % len(plans)].id for i, p in enumerate(plans)}
    homes = grids.copy()
    outside = ids % OUTSIDE_EVERY == 0
    if len(ids) and len(plans) > 1:
        outside[np.flatnonzero(grids == plans[0].id)[:1]] = True
        homes[outside] = [neighbour[g] for g in grids[outside]]
    located = np.empty((len(ids), 2))
    for grid_id in np.unique(homes):
        where = np.flatnonzero(homes == grid_id)
        located[where] = _points_in(by_grid[int(grid_id)], len(where), rng)
    _write_locations(ids, located, homes, ctx.batch_size)


def _write_locations(ids, located, homes, batch_size: int) -> None:
    connection = db.session.connection()
    dialect = connection.dialect.name
    stamp = Values().moment(utcnow().toordinal(), 0)
    if dialect == "sqlite":
        sql = ("INSERT INTO household_location (household_id, geom, lng, lat, "
               "located_grid_id, source, located_at) VALUES (?, MakePoint(?, ?, 4326), ?, ?, "
               "?, 'demo', ?)")
    else:
        sql = ("INSERT INTO household_location (household_id, geom, lng, lat, "
               "located_grid_id, source, located_at) VALUES (%s, ST_SetSRID(ST_MakePoint("
               "%s, %s), 4326), %s, %s, %s, 'demo', %s)")
    lng = np.round(located[:, 0], 6).tolist()
    lat = np.round(located[:, 1], 6).tolist()
    hid, home = ids.tolist(), homes.tolist()
    for start in range(0, len(hid), batch_size):
        chunk = range(start, min(start + batch_size, len(hid)))
        connection.exec_driver_sql(sql, [(hid[i], lng[i], lat[i], lng[i], lat[i], home[i],
                                          stamp) for i in chunk])
        db.session.commit()
        connection = db.session.connection()
