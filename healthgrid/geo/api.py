"""The map's JSON API (API.md "Map"): boundaries, household locations, map layers."""
from flask_smorest import abort

from healthgrid.apiutil import api_blueprint, committed, guard
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import get_grid_or_404
from healthgrid.clock import today
from healthgrid.domain import DomainError
from healthgrid.records.services import get_household_or_404

from . import access, layers
from .schemas import (CentreQuerySchema, FeatureCollectionOutSchema, FeatureCollectionSchema,
                      GeometrySchema, GridQuerySchema, HouseholdLocatedSchema,
                      HouseholdPatchSchema, MapGridsQuerySchema, MapScopeQuerySchema,
                      UpdatedSchema)

blp = api_blueprint("geo_api", __name__, description="Grid map: boundaries and locations")

guard("grid_id", get_grid_or_404)


@blp.route("/grids/<int:grid_id>/boundary", methods=["PUT"])
@roles_required(*access.EDIT_ROLES)
@blp.arguments(GeometrySchema)
@blp.response(200, UpdatedSchema)
@blp.alt_response(422, description="Invalid geometry: self-intersecting, unclosed, out of "
                                   "range, or overlapping another grid of the community")
def put_boundary(geometry, grid_id: int):
    """Set a grid's boundary: a GeoJSON Polygon or MultiPolygon (lng/lat)."""
    with committed():
        access.draw_boundary(grid_id, geometry)
    return {"updated": 1}


@blp.route("/map/boundaries", methods=["POST"])
@roles_required(*access.EDIT_ROLES)
@blp.arguments(CentreQuerySchema, location="query")
@blp.arguments(FeatureCollectionSchema)
@blp.response(200, UpdatedSchema)
@blp.alt_response(422, description="Each bad feature with its index and reason, nothing "
                                   "saved; or an administrator's institution_id missing or "
                                   "naming no community health centre")
@blp.alt_response(404, description="A manager naming another centre")
def import_boundaries(query, collection):
    """Import the boundaries of the centre's grids from a GeoJSON FeatureCollection whose
    features carry properties.grid_code: all of them, or none. The centre is the
    manager's own; an administrator names it with institution_id."""
    with committed():
        centre = access.centre_of_caller(query["institution_id"])
        count = access.import_boundaries(centre, collection)
    return {"updated": count}


@blp.route("/households/<int:household_id>", methods=["PATCH"])
@roles_required(*access.LOCATE_ROLES)
@blp.arguments(HouseholdPatchSchema)
@blp.response(200, HouseholdLocatedSchema)
@blp.alt_response(422, description="Out of range or far from the centre's grids")
def patch_household(data, household_id: int):
    """Set where the household is; the answer names the grid whose boundary holds it
    (located_grid_id, null when none does)."""
    household = get_household_or_404(household_id)
    location = data["location"]
    with committed():
        row = access.place_household(household, location["lng"], location["lat"],
                                     data["source"])
    return access.located_view(household, row)


@blp.route("/map/grids")
@roles_required(*access.MAP_ROLES)
@blp.arguments(MapGridsQuerySchema, location="query")
@blp.response(200, FeatureCollectionOutSchema)
def map_grids(params):
    """The grids of a scope with a boundary, coloured by an indicator of a period:
    properties grid_id, name, team, value, target, met (and colour, population)."""
    try:
        return access.indicator_map(params["scope"], params["indicator"], params["period"],
                                    params["as_of"])
    except DomainError as exc:
        abort(422, message=str(exc.message), errors=exc.as_errors())


@blp.route("/map/communities")
@roles_required(*access.MAP_ROLES)
@blp.arguments(MapScopeQuerySchema, location="query")
@blp.response(200, FeatureCollectionOutSchema)
def map_communities(params):
    """The outlines of the scope's communities, drawn under the grids: each the union of
    its grids' boundaries (those of the scope), simplified; properties community_id, code,
    name, grids (how many grids it is drawn from) and label_point ([lng, lat] inside it,
    for the name)."""
    return access.community_map(params["scope"])


@blp.route("/map/households")
@roles_required(*access.MAP_ROLES)
@blp.arguments(GridQuerySchema, location="query")
@blp.response(200, FeatureCollectionOutSchema)
def map_households(params):
    """The grid's located households: household_id, address, residents, due."""
    grid = get_grid_or_404(params["grid_id"])
    return layers.households_collection(grid, today())


@blp.route("/map/events")
@roles_required(*access.MAP_ROLES)
@blp.arguments(GridQuerySchema, location="query")
@blp.response(200, FeatureCollectionOutSchema)
def map_events(params):
    """The grid's open events, marked inside the grid (events have no coordinates)."""
    grid = get_grid_or_404(params["grid_id"])
    return layers.events_collection(grid)
