"""Where grids and households are: a grid's boundary (multipolygon) and a household's
location (point), WGS 84 / CGCS2000 longitude-latitude, in the spatial engine
(PostGIS / SpatiaLite) with a spatial index each.

Kept beside Grid and Household rather than as their columns: the spatial engine guards a
geometry column with triggers and catalogue rows, and the many bulk paths that write
households (imports, the demo) stay plain SQL this way."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db

from .spatial import SRID

LOCATION_SOURCES = ("gps", "map", "import", "demo")


class GridBoundary(db.Model):
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"),
                                         primary_key=True)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True),
                         nullable=False)
    # The outline as the map draws it (GeoJSON text, simplified to about a metre): the map
    # sends 667 of them at once and reads no geometry for it.
    outline: Mapped[str] = mapped_column(Text)
    area_m2: Mapped[float]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    grid = relationship("Grid")


class HouseholdLocation(db.Model):
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), primary_key=True)
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
    lng: Mapped[float]
    lat: Mapped[float]
    # The grid whose boundary holds the point when it was set (None: no grid's does).
    # A household whose located grid is not its own grid is "outside its grid".
    located_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))
    located_at: Mapped[datetime] = mapped_column(default=utcnow)

    household = relationship("Household")
