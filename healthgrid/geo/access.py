"""What the map's pages and API share: the indicator map and the community outlines of a
scope the caller may open, and the use cases behind a drawn boundary and a placed
household."""
from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.kpi import access as kpi_access
from healthgrid.kpi import rules as kpi_rules
from healthgrid.org.models import Institution
from healthgrid.records.models import Household

from . import layers, services

MAP_ROLES = ("admin", "manager", "doctor")
EDIT_ROLES = ("admin", "manager")
LOCATE_ROLES = ("admin", "manager", "doctor")
DEFAULT_INDICATOR = "contract_rate"
CENTRE_MISSING = _l("Choose a community health centre.")
CENTRE_UNKNOWN = _l("No community health centre has this number.")


def indicator_map(scope_text: str | None, code: str | None, period_text: str | None,
                  as_of: date | None) -> dict:
    """The scope's grids as a FeatureCollection coloured by the indicator (404 outside the
    caller's scope, DomainError for a bad period or indicator)."""
    code = code or DEFAULT_INDICATOR
    if code not in kpi_rules.BY_CODE:
        raise DomainError("indicator", "unknown indicator")
    period, day = kpi_access.period_and_day(period_text or str(today().year), as_of)
    result = kpi_access.compute_for(scope_text or kpi_access.default_scope(), period, day)
    return layers.grids_collection(result, code)


def community_map(scope_text: str | None) -> dict:
    """The outlines of the communities of a scope (404 outside the caller's scope)."""
    scope = kpi_access.scope_for(scope_text or kpi_access.default_scope())
    return layers.communities_collection(scope.grids)


def centre_of_caller(requested: int | None) -> Institution:
    """The centre whose boundaries or panorama a caller works on: a manager's own (naming
    another answers 404, never that centre's data); an administrator, who has none of
    their own, names it (a DomainError on institution_id when missing or unknown)."""
    if current_user.role == "admin":
        if requested is None:
            raise DomainError("institution_id", CENTRE_MISSING)
        centre = db.session.get(Institution, requested)
        if centre is None or centre.kind != "health_center":
            raise DomainError("institution_id", CENTRE_UNKNOWN)
        return centre
    own = current_user.institution_id or current_scope().institution_id
    if own is None or requested not in (None, own):
        abort(404)
    return db.session.get(Institution, own)


def centre_in_view(scope_text: str | None) -> int | None:
    """The centre a map of this scope shows, if it shows one whole (an administrator's
    import and panorama start from it)."""
    kind, _, raw = (scope_text or kpi_access.default_scope()).partition(":")
    return int(raw) if kind == "institution" and raw.isdigit() else None


def import_boundaries(centre: Institution, collection: dict) -> int:
    count = services.import_boundaries(centre.id, collection, current_user.id)
    audit("map.import_boundaries", detail=f"institution={centre.id} features={count}")
    return count


def draw_boundary(grid_id: int, geometry: dict):
    grid = get_grid_or_404(grid_id)
    row = services.set_boundary(grid, geometry, current_user.id)
    audit("map.boundary", detail=f"grid={grid.id}")
    return row


def place_household(household: Household, lng, lat, source: str):
    row = services.set_location(household, lng, lat, source)
    audit("map.locate", detail=f"household={household.id} source={source}")
    return row


def located_view(household: Household, row) -> dict:
    return {"id": household.id, "grid_id": household.grid_id, "address": household.address,
            "location": {"lng": row.lng, "lat": row.lat},
            "located_grid_id": row.located_grid_id,
            "outside": row.located_grid_id != household.grid_id}
