"""What the referral pages and API share: loading referrals within the caller's scope, and
starting a referral on behalf of the signed-in user."""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from healthgrid.auth.scope import current_scope
from healthgrid.chronic.models import FollowUp
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Institution
from healthgrid.records.models import Resident

from . import services
from .models import Referral
from .services import ReferralError


def get_referral_or_404(referral_id: int) -> Referral:
    """A referral the user may see; any other answers 404, as if absent."""
    referral = db.session.scalar(select(Referral).where(
        Referral.id == referral_id, services.visible_filter(current_user, current_scope())))
    if referral is None:
        abort(404)
    return referral


def visible_referrals(direction: str | None = None, status: str | None = None):
    query = select(Referral).where(services.visible_filter(current_user, current_scope()))
    if direction:
        query = query.where(Referral.direction == direction)
    if status:
        query = query.where(Referral.status == status)
    return query


def start_up(resident: Resident, data: dict) -> Referral:
    """An up referral of a resident in scope; a follow-up named must be one of theirs."""
    if data.get("followup_id") is not None:
        followup = db.session.get(FollowUp, data["followup_id"])
        if followup is None or followup.enrollment.resident_id != resident.id:
            raise ReferralError("followup_id", _("This follow-up is not one of this resident's."))
    return services.create_up(resident, data, current_user, today())


def start_down(data: dict) -> Referral:
    """A down referral from the user's hospital (an administrator names the hospital)."""
    if current_user.role == "admin":
        sender_id = data.get("from_institution_id") or current_user.institution_id
    else:
        sender_id = current_user.institution_id
        if data.get("from_institution_id") not in (None, sender_id):
            raise ReferralError("from_institution_id",
                                _("A referral desk sends from its own hospital."), 403)
    sender = db.session.get(Institution, sender_id) if sender_id else None
    if sender is None or sender.kind == "health_center":
        raise ReferralError("from_institution_id", _("Choose the sending hospital."))
    referral = services.create_down(data, sender, current_user, today())
    # The return form (回转单) also tells what was done in hospital.
    referral.treatment = data.get("treatment")
    db.session.flush()
    return referral
