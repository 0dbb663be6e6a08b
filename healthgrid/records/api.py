from flask_login import current_user

from healthgrid.apiutil import api_blueprint, committed, guard
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.extensions import db

from . import services
from .schemas import (ContractSchema, HouseholdOutSchema, HouseholdSchema, ResidentCreateSchema,
                      ResidentFullSchema, ResidentPageSchema, ResidentPatchSchema, SearchSchema)

blp = api_blueprint("records_api", __name__, description="Households and residents")

guard("resident_id", services.get_resident_or_404)
guard("household_id", services.get_household_or_404)
archive_roles = roles_required("admin", "manager", "doctor")



def _full(resident):
    """The resident, with today's key populations attached for ResidentFullSchema."""
    resident.key_populations = services.key_populations_of(resident, today())
    return resident


@blp.route("/households", methods=["POST"])
@archive_roles
@blp.arguments(HouseholdSchema)
@blp.response(201, HouseholdOutSchema)
def create_household(data):
    """Register a household (one household, one file) in one of the caller's grids."""
    grid = get_grid_or_404(data["grid_id"])
    household = services.register_household(grid, data)
    db.session.commit()
    return household


@blp.route("/residents", methods=["POST"])
@archive_roles
@blp.arguments(ResidentCreateSchema)
@blp.response(201, ResidentFullSchema)
def create_resident(data):
    """Register a resident in a household; the archive number is assigned here."""
    household = services.get_household_or_404(data["household_id"])
    with committed():
        resident = services.register_resident(household, data, today())
    return _full(resident)


@blp.route("/residents", methods=["GET"])
@archive_roles
@blp.arguments(SearchSchema, location="query")
@blp.response(200, ResidentPageSchema)
def list_residents(params):
    """Search by name, pinyin initials, archive number, ID number or phone (masked)."""
    items, total = services.search_residents(current_scope(), params["q"], params["grid_id"],
                                             params["page"], params["per_page"])
    return {"items": items, "total": total, "page": params["page"],
            "per_page": params["per_page"]}


@blp.route("/residents/<int:resident_id>", methods=["GET"])
@archive_roles
@blp.response(200, ResidentFullSchema)
def get_resident(resident_id: int):
    """The full archive with identifiers in clear (audited)."""
    resident = services.get_resident_or_404(resident_id)
    audit("resident.view", resident, resident_id=resident.id)
    db.session.commit()
    return _full(resident)


@blp.route("/residents/<int:resident_id>", methods=["PATCH"])
@archive_roles
@blp.arguments(ResidentPatchSchema)
@blp.response(200, ResidentFullSchema)
@blp.alt_response(409, description="Stale version, duplicate ID number or closed archive")
def patch_resident(data, resident_id: int):
    """Change some fields; `version` must be the one read, else 409."""
    resident = services.get_resident_or_404(resident_id)
    with committed():
        services.update_resident(resident, data)
    return _full(resident)


@blp.route("/residents/<int:resident_id>/contracts", methods=["POST"])
@archive_roles
@blp.arguments(ContractSchema)
@blp.response(201, description="The contract signed")
def sign_contract(data, resident_id: int):
    """Sign a one-year family doctor contract with the team serving the resident's grid."""
    from healthgrid.org.models import Team
    resident = services.get_resident_or_404(resident_id)
    team = db.session.get(Team, data["team_id"])
    with committed():
        contract = services.sign_contract(resident, team, data["start_date"], current_user.id)
    return {"id": contract.id, "team_id": contract.team_id,
            "start_date": contract.start_date.isoformat(),
            "end_date": contract.end_date.isoformat()}
