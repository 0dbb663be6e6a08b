"""The printed maps: a grid's management plan (网格化管理平面图: outline, located households,
the team card, the survey QR code) and the centre's panorama (网格划分全景图: every grid with
its team) for the notice boards. WeasyPrint, always in Chinese: residents read them."""
from __future__ import annotations

import json
from datetime import date

import shapely
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from healthgrid import pdfparts
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Institution, Team
from healthgrid.surveys.cards import qr_data_uri
from healthgrid.surveys.public import survey_url
from healthgrid.surveys.services import active_members

from . import drawing
from .models import GridBoundary, HouseholdLocation
from .services import grids_of_institution
from healthgrid.records.models import Household


def _outlines(grid_ids) -> dict[int, object]:
    rows = db.session.execute(select(GridBoundary.grid_id, GridBoundary.outline)
                              .where(GridBoundary.grid_id.in_(list(grid_ids))))
    return {gid: shapely.from_geojson(text) for gid, text in rows}


def small_map_svg(grid: Grid) -> str:
    """The public page's small map: the grid among its community's grids, no households."""
    return plan_svg(grid, households=False, width=360, height=260)


def plan_svg(grid: Grid, households: bool = True, width: int = 700, height: int = 560) -> str:
    """The grid in its community's context: itself outlined, neighbours in grey, its
    located households as dots (those outside it in red)."""
    neighbours = db.session.scalars(select(Grid.id).where(
        Grid.community_id == grid.community_id)).all()
    outlines = _outlines(neighbours)
    own = outlines.get(grid.id)
    if own is None:
        return ""
    areas = [drawing.Area(geom, fill="#f1f1ee", stroke="#9aa5b1", width=0.8, label=[
        name for name in [_short(gid)]]) for gid, geom in outlines.items() if gid != grid.id]
    areas.append(drawing.Area(own, fill="#dcefe2", stroke="#0b6e4f", width=2.2))
    rows = db.session.execute(
        select(HouseholdLocation.lng, HouseholdLocation.lat, HouseholdLocation.located_grid_id)
        .join(Household, Household.id == HouseholdLocation.household_id)
        .where(Household.grid_id == grid.id, Household.active.is_(True))).all() \
        if households else []
    dots = [drawing.Dot(r.lng, r.lat, "#2c7bb6" if r.located_grid_id == grid.id else "#d73027")
            for r in rows]
    return drawing.svg(areas, dots, width=width, height=height, focus=own.buffer(0.002),
                       dot_radius=1.8 if len(dots) > 300 else 2.6)


def _short(grid_id: int) -> str:
    return db.session.get(Grid, grid_id).name


def plan_html(grid: Grid, day: date) -> str:
    team = grid.team
    url = survey_url(grid.id)
    located = db.session.scalar(
        select(db.func.count()).select_from(HouseholdLocation)
        .join(Household, Household.id == HouseholdLocation.household_id)
        .where(Household.grid_id == grid.id, Household.active.is_(True)))
    with force_locale("zh_CN"):
        return render_template(
            "geo/plan_pdf.html", grid=grid, team=team, day=day, map_svg=plan_svg(grid),
            members=active_members(team, day) if team else [], qr=qr_data_uri(url), url=url,
            located=located, institution=grid.community.institution)


def panorama_svg(institution_id: int, detailed: bool) -> tuple[str, list[dict]]:
    grids = grids_of_institution(institution_id)
    outlines = _outlines(g.id for g in grids)
    teams = dict(db.session.execute(select(Team.id, Team.name)
                                    .where(Team.institution_id == institution_id)).all())
    communities = {c.id: n for n, c in enumerate(db.session.scalars(
        select(Community).where(Community.institution_id == institution_id)
        .order_by(Community.code)))}
    areas, index = [], []
    for g in grids:
        if g.id not in outlines:
            continue
        team = teams.get(g.team_id, "")
        label = [g.name, team] if detailed else [g.code]
        areas.append(drawing.Area(outlines[g.id], width=0.6, label=label,
                                  fill=drawing.PALETTE[communities[g.community_id]
                                                       % len(drawing.PALETTE)]))
        index.append({"code": g.code, "name": g.name, "community": g.community.name,
                      "team": team})
    # Communities as thick outlines over their grids.
    by_community: dict[int, list] = {}
    for g in grids:
        if g.id in outlines:
            by_community.setdefault(g.community_id, []).append(outlines[g.id])
    for parts in by_community.values():
        areas.append(drawing.Area(shapely.union_all(parts).buffer(0), fill="none",
                                  stroke="#1d2733", width=1.8))
    size = 1000 if detailed else 1400
    font = 13 if detailed else max(3.0, min(8.0, 700 / max(len(index), 1) ** 0.5))
    return drawing.svg(areas, width=size * 1.414, height=size, font_size=font), index


def panorama_html(institution: Institution, day: date) -> str:
    count = len(grids_of_institution(institution.id))
    detailed = count <= 60
    svg, index = panorama_svg(institution.id, detailed)
    with force_locale("zh_CN"):
        return render_template("geo/panorama_pdf.html", institution=institution, day=day,
                               map_svg=svg, index=index, detailed=detailed)


def to_pdf(html: str) -> bytes:
    return pdfparts.render(html, current_app.static_folder)


def outline_geojson(grid_id: int) -> dict | None:
    row = db.session.get(GridBoundary, grid_id)
    return json.loads(row.outline) if row else None
