"""Maps drawn as SVG, for the printed plan and panorama and the public page's small map:
grid outlines projected onto the page (equirectangular around the drawing's centre, true
to scale at a district's size), household dots, labels. Pure: geometry in, text out."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

import shapely

PALETTE = ("#cfe8d5", "#fde2c4", "#d6e4f5", "#f5d6e6", "#e8e4c9", "#d9d2f0", "#c9ece9",
           "#f2d4c9", "#e0efc4", "#ecd9c6")


@dataclass
class Area:
    geometry: object                 # shapely (Multi)Polygon, lng/lat
    fill: str = "#e8eef5"
    stroke: str = "#36506b"
    width: float = 1.0
    label: list[str] = field(default_factory=list)


@dataclass
class Dot:
    lng: float
    lat: float
    colour: str = "#2c7bb6"


class Projection:
    def __init__(self, bounds, width: float, height: float, margin: float = 10):
        x0, y0, x1, y1 = bounds
        self.k = math.cos(math.radians((y0 + y1) / 2))
        span_x = max((x1 - x0) * self.k, 1e-9)
        span_y = max(y1 - y0, 1e-9)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.x0, self.y1 = x0, y1
        self.ox = (width - span_x * self.scale) / 2
        self.oy = (height - span_y * self.scale) / 2

    def xy(self, lng: float, lat: float) -> tuple[float, float]:
        return (self.ox + (lng - self.x0) * self.k * self.scale,
                self.oy + (self.y1 - lat) * self.scale)

    def metres_per_unit(self) -> float:
        return 111_195.0 / self.scale


def _path(geometry, proj: Projection) -> str:
    parts = []
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            pts = [proj.xy(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
    return " ".join(parts)


def _scale_bar(proj: Projection, width: float, height: float) -> str:
    metres = proj.metres_per_unit() * width / 6
    nice = next(n for n in (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
                if n >= metres * 0.5)
    length = nice / proj.metres_per_unit()
    text = f"{nice // 1000} km" if nice >= 1000 else f"{nice} m"
    y = height - 8
    return (f'<g class="scale"><path d="M10,{y} h{length:.1f}" stroke="#222" stroke-width="2"/>'
            f'<text x="{10 + length + 4:.1f}" y="{y + 3}" font-size="9">{text}</text></g>'
            f'<g class="north"><text x="{proj.ox + 4:.0f}" y="14" font-size="11">N ↑</text></g>')


def svg(areas: list[Area], dots: list[Dot] = (), width: float = 600, height: float = 600,
        focus=None, font_size: float = 10, dot_radius: float = 2.2) -> str:
    """An SVG drawing (width × height user units) framing ``focus`` (default: all areas)."""
    shapes = [a.geometry for a in areas]
    if not shapes:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"></svg>')
    bounds = (focus if focus is not None else shapely.GeometryCollection(shapes)).bounds
    proj = Projection(bounds, width, height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'font-family="Noto Sans CJK SC, sans-serif">',
           f'<rect width="{width}" height="{height}" fill="#fbfaf6"/>']
    for a in areas:
        out.append(f'<path d="{_path(a.geometry, proj)}" fill="{a.fill}" stroke="{a.stroke}" '
                   f'stroke-width="{a.width}" fill-rule="evenodd"/>')
    for d in dots:
        x, y = proj.xy(d.lng, d.lat)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot_radius}" fill="{d.colour}"/>')
    for a in areas:
        if not a.label:
            continue
        anchor = a.geometry.representative_point()
        x, y = proj.xy(anchor.x, anchor.y)
        y -= (len(a.label) - 1) * font_size * 0.6
        for n, line in enumerate(a.label):
            size = font_size if n == 0 else font_size * 0.85
            out.append(f'<text x="{x:.1f}" y="{y + n * font_size * 1.2:.1f}" font-size="{size:.1f}" '
                       f'text-anchor="middle" fill="#1d2733">{escape(line)}</text>')
    out.append(_scale_bar(proj, width, height))
    out.append("</svg>")
    return "".join(out)
