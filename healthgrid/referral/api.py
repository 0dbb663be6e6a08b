from flask import abort as http_abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from healthgrid.apiutil import api_blueprint, committed, guard
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Team
from healthgrid.records.services import get_resident_or_404

from . import services
from .access import get_referral_or_404, start_down, start_up, visible_referrals
from .models import Referral
from .schemas import (AssignSchema, ReferralCreateSchema, ReferralOutSchema, ReferralPageSchema,
                      ReferralQuerySchema, TransitionSchema)
from .services import ReferralError

blp = api_blueprint("referral_api", __name__, description="Two-way referral")

guard("referral_id", get_referral_or_404)
any_role = roles_required("admin", "manager", "doctor", "referral_desk")



@blp.route("/referrals", methods=["POST"])
@any_role
@blp.arguments(ReferralCreateSchema)
@blp.response(201, ReferralOutSchema)
@blp.alt_response(403, description="This role does not send referrals in this direction")
def create_referral(data):
    """Refer a resident up (team side) or send a patient down by ID number (hospital side).
    A down referral is routed to the team serving the grid of the resident's household;
    `assigned_team_id` is null when it waits in the centre's unassigned queue."""
    direction = data.pop("direction")
    with committed():
        if direction == "up":
            if current_user.role not in ("admin", "manager", "doctor"):
                http_abort(403)
            referral = start_up(get_resident_or_404(data["resident_id"]), data)
        else:
            if current_user.role not in ("admin", "referral_desk"):
                http_abort(403)
            referral = start_down(data)
    return referral


@blp.route("/referrals", methods=["GET"])
@any_role
@blp.arguments(ReferralQuerySchema, location="query")
@blp.response(200, ReferralPageSchema)
def list_referrals(params):
    """The referrals the caller may see, newest first, filtered by status and direction."""
    query = visible_referrals(params["direction"], params["status"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(query.order_by(Referral.id.desc())
                               .offset((params["page"] - 1) * params["per_page"])
                               .limit(params["per_page"])).all()
    return {"items": items, "total": total, "page": params["page"],
            "per_page": params["per_page"]}


@blp.route("/referrals/<int:referral_id>", methods=["GET"])
@any_role
@blp.response(200, ReferralOutSchema)
def get_referral(referral_id: int):
    """The referral with its full history: who, when, what, note."""
    return get_referral_or_404(referral_id)


@blp.route("/referrals/<int:referral_id>/transitions", methods=["POST"])
@any_role
@blp.arguments(TransitionSchema)
@blp.response(200, ReferralOutSchema)
@blp.alt_response(409, description="The action is not allowed from the current state")
@blp.alt_response(403, description="The other side of the referral takes this action")
def transition(data, referral_id: int):
    """accept, reject (note required), arrive, complete (note = feedback): receiving side;
    cancel: sending side."""
    referral = get_referral_or_404(referral_id)
    with committed():
        services.transition(referral, data["action"], data.get("note"), current_user,
                            current_scope(), today())
    return referral


@blp.route("/referrals/<int:referral_id>/assign", methods=["POST"])
@roles_required("admin", "manager")
@blp.arguments(AssignSchema)
@blp.response(200, ReferralOutSchema)
def assign(data, referral_id: int):
    """A manager of the receiving centre assigns a down referral to one of its teams."""
    referral = get_referral_or_404(referral_id)
    if current_user.role == "manager" and current_user.institution_id != \
            referral.to_institution_id:
        http_abort(403)
    team = db.session.get(Team, data["team_id"])
    with committed():
        if team is None:
            raise ReferralError("team_id", _l("Choose a team of this institution."))
        services.assign(referral, team, current_user)
    return referral
