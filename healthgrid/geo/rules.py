"""Geometry rules, pure (no Flask, no database): what a boundary or a location must be.

Coordinates are WGS 84 / CGCS2000 longitude, latitude in GeoJSON order. Each check gives a
reason code; the messages in the user's language live with the views and the API."""
from __future__ import annotations

import math
from dataclasses import dataclass

from shapely import make_valid, unary_union
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.validation import explain_validity

# Two grids of one community may share an edge; drawn by hand they overlap a little. More
# than this share of the smaller one's area is two grids claiming the same households.
OVERLAP_TOLERANCE = 0.01
# A location further than this from the centre's grids is a typo or a phone still showing
# yesterday's town, not a household of the centre.
MAX_DISTANCE_KM = 20.0
# The map draws outlines simplified to about a metre (1e-5 degree).
OUTLINE_TOLERANCE = 1e-5
# A community's outline closes gaps between its grids narrower than about 4 m (twice
# this, in degrees): slivers left by hand-drawn shared edges, not streets between grids.
CLOSE_GAP = 2e-5
EARTH_RADIUS_M = 6_371_008.8

REASONS = ("not_geojson", "not_polygon", "unclosed", "too_few_points", "out_of_range",
           "self_intersecting", "unknown_grid", "duplicate_grid", "overlap", "empty")


class GeometryError(ValueError):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def in_range(lng: float, lat: float) -> bool:
    return -180.0 <= lng <= 180.0 and -90.0 <= lat <= 90.0


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or not all(
            isinstance(p, list) and len(p) >= 2 and _number(p[0]) and _number(p[1])
            for p in ring):
        raise GeometryError("not_geojson")
    if len(ring) < 4:
        raise GeometryError("too_few_points")
    if ring[0][:2] != ring[-1][:2]:
        raise GeometryError("unclosed")
    for lng, lat, *_ in ring:
        if not in_range(lng, lat):
            raise GeometryError("out_of_range", f"{lng}, {lat}")


def parse_area(geometry) -> MultiPolygon:
    """A GeoJSON Polygon or MultiPolygon → a valid shapely MultiPolygon, or GeometryError
    with the first thing wrong (shapely would close an unclosed ring by itself, so rings
    are checked on the raw coordinates first)."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise GeometryError("not_geojson")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        raise GeometryError("not_polygon", str(kind))
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("empty")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError("not_geojson")
        for ring in polygon:
            _check_ring(ring)
    area = shape({"type": "MultiPolygon", "coordinates": polygons} if kind == "Polygon"
                 else geometry)
    if not isinstance(area, MultiPolygon):
        area = MultiPolygon([area])
    if not area.is_valid:
        raise GeometryError("self_intersecting", explain_validity(area))
    if area.is_empty or area.area == 0:
        raise GeometryError("empty")
    return area


def local_area_m2(area: MultiPolygon | Polygon) -> float:
    """Area in square metres, on a local equirectangular projection (grids are a few
    hundred metres across: the error is far below a household)."""
    lat0 = math.radians(area.centroid.y)
    k = math.pi / 180 * EARTH_RADIUS_M
    return area.area * k * k * math.cos(lat0)


def overlap_share(a, b) -> float:
    """The share of the smaller of two areas that the other covers."""
    if not a.intersects(b):
        return 0.0
    inter = a.intersection(b).area
    smaller = min(a.area, b.area)
    return inter / smaller if smaller else 0.0


def overlaps(a, b, tolerance: float = OVERLAP_TOLERANCE) -> bool:
    return overlap_share(a, b) > tolerance


def outline(area) -> dict:
    """The GeoJSON geometry the map draws: simplified, coordinates rounded to ~1 m."""
    simple = area.simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    if simple.is_empty or not simple.is_valid:
        simple = make_valid(area)
    return _rounded(mapping(simple))


def community_outline(parts) -> tuple[dict, tuple[float, float]]:
    """A community's outline drawn from its grids' areas: their union, simplified as a
    grid's outline, and a point inside it for the community's name.

    Hand-drawn neighbours leave slivers of a metre or two between them (and overlap a
    little, which the union absorbs); a union alone would draw every such sliver as a
    line through the community, so they are closed first (grown by CLOSE_GAP, shrunk back:
    mitred, so that corners stay corners)."""
    union = unary_union(list(parts))
    closed = union.buffer(CLOSE_GAP, join_style="mitre").buffer(-CLOSE_GAP,
                                                                join_style="mitre")
    if closed.is_empty or not closed.is_valid:
        closed = union
    anchor = closed.representative_point()
    return outline(closed), (round(anchor.x, 6), round(anchor.y, 6))


def _rounded(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(value[0], 6), round(value[1], 6)]
            return [walk(v) for v in value]
        return value
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def distance_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M / 1000 * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True)
class Extent:
    """The bounding box of a centre's grids (lng/lat)."""
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float

    def distance_km(self, lng: float, lat: float) -> float:
        near_lng = min(max(lng, self.min_lng), self.max_lng)
        near_lat = min(max(lat, self.min_lat), self.max_lat)
        return distance_km(lng, lat, near_lng, near_lat)


def location_problem(lng, lat, extent: Extent | None) -> tuple[str, str] | None:
    """(field, reason) for a location no household of the centre can have, else None."""
    if not _number(lng):
        return "lng", "not_number"
    if not _number(lat):
        return "lat", "not_number"
    if not -180.0 <= lng <= 180.0:
        return "lng", "out_of_range"
    if not -90.0 <= lat <= 90.0:
        return "lat", "out_of_range"
    if extent is not None and extent.distance_km(lng, lat) > MAX_DISTANCE_KM:
        return "location", "too_far"
    return None


def point(lng: float, lat: float) -> Point:
    return Point(lng, lat)


# ------------------------------------------------------------------ colouring the map
@dataclass(frozen=True)
class Shade:
    colour: str
    met: bool | None


MET_COLOURS = ("#1a9850", "#91cf60")      # well above / at the target
MISSED_COLOURS = ("#fc8d59", "#d73027")   # a little / far below it
NO_VALUE = "#bdbdbd"


def shade(value: float | None, target: float | None, higher_is_better: bool = True) -> Shade:
    """The colour of a grid on the indicator map: green shades when the target is met,
    orange to red when it is not (far: more than 10 points away), grey without a value."""
    if value is None:
        return Shade(NO_VALUE, None)
    if target is None:
        return Shade(MET_COLOURS[1], None)
    gap = (value - target) if higher_is_better else (target - value)
    if gap >= 0:
        return Shade(MET_COLOURS[0] if gap >= 0.10 else MET_COLOURS[1], True)
    return Shade(MISSED_COLOURS[0] if gap > -0.10 else MISSED_COLOURS[1], False)
