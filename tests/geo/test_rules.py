"""A community's outline from its grids' areas (pure geometry, no database)."""
from __future__ import annotations

from shapely.geometry import box, shape

from healthgrid.geo import rules

from .conftest import LAT, LNG, SIDE


def test_hand_drawn_neighbours_make_one_outline():
    """A metre's gap (or overlap) along a shared edge is no line through the community."""
    west = box(LNG, LAT, LNG + SIDE, LAT + SIDE)
    for shift in (0.00001, -0.00001):            # about a metre apart, a metre over
        east = box(LNG + SIDE + shift, LAT, LNG + 2 * SIDE, LAT + SIDE)
        geometry, label = rules.community_outline([west, east])
        outline = shape(geometry)
        assert geometry["type"] == "Polygon" and not list(outline.interiors)
        assert outline.bounds == (LNG, LAT, LNG + 2 * SIDE, LAT + SIDE)  # corners kept
        assert outline.contains(shape({"type": "Point", "coordinates": label}))


def test_a_street_between_grids_and_an_enclave_stay():
    west = box(LNG, LAT, LNG + SIDE, LAT + SIDE)
    across = box(LNG + SIDE + 0.0003, LAT, LNG + 2 * SIDE, LAT + SIDE)   # 25 m away
    geometry, _ = rules.community_outline([west, across])
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 2
    ring = box(LNG, LAT, LNG + 3 * SIDE, LAT + 3 * SIDE).difference(
        box(LNG + SIDE, LAT + SIDE, LNG + 2 * SIDE, LAT + 2 * SIDE))
    geometry, label = rules.community_outline([ring])
    assert len(geometry["coordinates"]) == 2      # the other community's grid left out
    assert shape(geometry).contains(shape({"type": "Point", "coordinates": label}))
