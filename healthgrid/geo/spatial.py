"""The spatial engine under the models: PostGIS on PostgreSQL, SpatiaLite on SQLite.

SpatiaLite is a loadable SQLite extension (Debian: libsqlite3-mod-spatialite). Some Python
builds (pyenv's, for one) leave out ``sqlite3.Connection.enable_load_extension``; then the
SQLite driver is ``pysqlite3`` (the ``pysqlite3-binary`` wheel: its own SQLite, built with
extension loading), given to SQLAlchemy as the DB-API module. Without either, the app stops
at start-up with a message saying what to install, rather than failing at the first map.
"""
from __future__ import annotations

import os
import sqlite3

# Imported for its side effect too: SQLite's index reflection then sees SpatiaLite's
# spatial indexes, so the models-versus-migrations comparison finds them.
from geoalchemy2 import alembic_helpers
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

SPATIALITE = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
SRID = 4326  # WGS 84 / CGCS2000 longitude, latitude (they differ by centimetres)


class SpatialEngineMissing(RuntimeError):
    """The database cannot do geometry: say what to install."""


def sqlite_module():
    """The DB-API module that can load SpatiaLite: the standard one when it may, else
    pysqlite3."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        from pysqlite3 import dbapi2  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SpatialEngineMissing(
            "This Python's sqlite3 cannot load extensions, so SpatiaLite cannot be loaded. "
            "Install pysqlite3-binary (pip install pysqlite3-binary; scripts/setup.sh does) "
            "or build the venv from a Python with loadable SQLite extensions "
            "(Debian's python3).") from exc
    return dbapi2


def engine_options(uri: str, options: dict) -> dict:
    """The engine options for ``uri``: on SQLite, the driver module that can load
    SpatiaLite (unless the settings name one)."""
    if uri.startswith("sqlite") and "module" not in options:
        return {**options, "module": sqlite_module()}
    return options


def load_spatialite(dbapi_conn) -> None:
    try:
        dbapi_conn.enable_load_extension(True)
        dbapi_conn.load_extension(SPATIALITE)
        dbapi_conn.enable_load_extension(False)
    except Exception as exc:  # the driver's own OperationalError, whichever driver it is
        raise SpatialEngineMissing(
            f"SpatiaLite ({SPATIALITE}) could not be loaded: {exc}. On Debian: "
            "apt-get install libsqlite3-mod-spatialite (scripts/setup.sh does).") from exc


def init_spatial_engine(engine: Engine) -> None:
    """Every new SQLite connection loads SpatiaLite before anything reads a geometry."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _load(dbapi_conn, _record):
        load_spatialite(dbapi_conn)


def ensure_spatial_metadata(connection) -> None:
    """The engine's own catalogue: PostGIS as an extension, SpatiaLite's metadata tables
    (WGS 84 only: the full EPSG list is 5,000 rows nobody here needs)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    elif connection.dialect.name == "sqlite":
        exists = connection.execute(text(
            "SELECT 1 FROM sqlite_master WHERE name = 'geometry_columns'")).first()
        if not exists:
            connection.execute(text("SELECT InitSpatialMetaData(0, 'WGS84_ONLY')"))


# Tables and indexes that the spatial engine makes and owns: not part of the models'
# schema, so the models-versus-migrations comparison leaves them alone.
_ENGINE_TABLE_PREFIXES = (
    "geometry_columns", "spatial_ref_sys", "spatialite_history", "sql_statements_log",
    "views_geometry_columns", "virts_geometry_columns", "idx_", "spatialindex",
    "elementarygeometries", "knn", "data_licenses", "geom_cols_ref_sys", "vector_layers",
    "iso_metadata", "rl2map_configurations", "se_", "sld_", "topologies", "networks",
    "stored_procedures", "stored_variables", "raster_coverages", "vector_coverages",
    "wms_", "spatial_ref_sys_aux", "sqlite_sequence", "mbtiles", "layer_", "rtree",
)


def is_engine_table(name: str) -> bool:
    """A table of the spatial engine's own catalogue (or one of its spatial indexes)."""
    return name.lower().startswith(_ENGINE_TABLE_PREFIXES)


def include_object(obj, name, obj_type, reflected, compare_to) -> bool:
    if reflected and compare_to is None and obj_type == "table" and name and \
            is_engine_table(name):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
