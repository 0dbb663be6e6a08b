"""What the chronic pages and API share: loading an enrollment within the caller's scope."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from healthgrid.extensions import db
from healthgrid.org.models import Team
from healthgrid.records.services import get_resident_or_404

from .models import ElderlyCheck, Enrollment, FollowUp


def get_enrollment_or_404(enrollment_id: int) -> Enrollment:
    """An enrollment of a resident the user may see; any other answers 404, as if absent."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        abort(404)
    get_resident_or_404(enrollment.resident_id)
    return enrollment


def _of_enrollment_or_404(model, record_id: int):
    """A visit or an annual check of an enrollment the user may see; any other answers 404."""
    item = db.session.get(model, record_id)
    if item is None:
        abort(404)
    get_enrollment_or_404(item.enrollment_id)
    return item


def get_followup_or_404(followup_id: int) -> FollowUp:
    return _of_enrollment_or_404(FollowUp, followup_id)


def get_check_or_404(check_id: int) -> ElderlyCheck:
    return _of_enrollment_or_404(ElderlyCheck, check_id)


def worklist_teams(scope) -> list:
    """The teams whose worklist the caller may open, by name: the first is the one a page
    or the API opens when none is asked for (the same for both)."""
    return list(db.session.scalars(select(Team).where(scope.team_filter(Team.id))
                                   .order_by(Team.name, Team.id)))
