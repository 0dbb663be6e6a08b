"""Input and output of the map API. Geometry is checked by geo.rules (shapely), not here:
a bad feature is named with its reason, which a schema could not say."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from healthgrid.forms import Id
from healthgrid.kpi import rules as kpi_rules
from healthgrid.kpi.schemas import period_field, scope_field


class GeometrySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, metadata={
        "description": "Polygon or MultiPolygon", "enum": ["Polygon", "MultiPolygon"]})
    coordinates = fields.Raw(required=True, metadata={
        "description": "GeoJSON coordinates, lng/lat", "type": "array"})


class FeatureCollectionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Raw(metadata={"type": "object"}), required=True, metadata={
        "description": "Features with properties.grid_code (and community_code when two "
                       "communities use the same grid code) and a Polygon/MultiPolygon"})


class CentreQuerySchema(Schema):
    """The centre whose boundaries are imported or whose panorama is printed (the API's
    query, the import page's select, the panorama's link)."""
    institution_id = Id(load_default=None, metadata={
        "description": "the community health centre: required for an administrator (who "
                       "has no centre of their own; missing or not a centre: 422); a "
                       "manager's own by default, and naming another centre answers 404"})


class UpdatedSchema(Schema):
    updated = fields.Integer()


class LocationSchema(Schema):
    lng = fields.Float(required=True, allow_nan=False)
    lat = fields.Float(required=True, allow_nan=False)


class HouseholdPatchSchema(Schema):
    location = fields.Nested(LocationSchema, required=True)
    source = fields.String(load_default="map", validate=validate.OneOf(("gps", "map")))


class HouseholdLocatedSchema(Schema):
    id = fields.Integer()
    grid_id = fields.Integer()
    address = fields.String()
    location = fields.Dict()
    located_grid_id = fields.Integer(allow_none=True)
    outside = fields.Boolean()


class MapScopeQuerySchema(Schema):
    scope = scope_field(load_default=None, metadata={
        "description": "institution:<id>, community:<id>, grid:<id> or team:<id>; "
                       "default: the caller's centre (manager) or team (doctor)"})


class MapGridsQuerySchema(MapScopeQuerySchema):
    indicator = fields.String(load_default="contract_rate",
                              validate=validate.OneOf([i.code for i in kpi_rules.INDICATORS]))
    period = period_field(load_default=None, metadata={
        "description": "2026, 2026-Q3 or 2026-11 (default: this year)"})
    as_of = fields.Date(load_default=None)


class GridQuerySchema(Schema):
    grid_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2 ** 31 - 1))


class FeatureCollectionOutSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String()
    features = fields.List(fields.Dict())
    indicator = fields.String()
    period = fields.String()
    as_of = fields.String()
    target = fields.Float()
    lower_is_better = fields.Boolean()

