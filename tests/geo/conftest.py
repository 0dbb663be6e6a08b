"""Two side-by-side grids of one community near Chaoyang, Beijing, drawn as squares."""
from __future__ import annotations

import pytest

LNG, LAT = 116.48, 39.92
SIDE = 0.01  # about 850 m east-west, 1.1 km north-south


def square(x0: float, y0: float, side: float = SIDE) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side], [x0, y0]]]}


def feature(code, geometry, **props) -> dict:
    return {"type": "Feature", "properties": {"grid_code": code, **props},
            "geometry": geometry}


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def squares(district):
    """The district's two grids as two squares side by side (west: grid 1, east: grid 2)."""
    return collection(feature(district.grids[0].code, square(LNG, LAT)),
                      feature(district.grids[1].code, square(LNG + SIDE, LAT)))
