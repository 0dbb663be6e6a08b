"""Referral use cases: refer up, send down (routed to the grid's team), act, assign."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, or_, select

from healthgrid.domain import DomainError
from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.chronic import services as chronic
from healthgrid.chronic.models import Enrollment, FollowUp
from healthgrid.chronic.rules import after_referral_due
from healthgrid.extensions import db
from healthgrid.labels import label
from healthgrid.org.models import Grid, Institution, Team
from healthgrid.org.services import active_members
from healthgrid.records.models import Resident

from . import rules
from .models import Referral, ReferralEvent


class ReferralError(DomainError):
    """A user-caused problem in this domain (see healthgrid.domain)."""


UP_FIELDS = ("urgency", "department", "reason", "initial_impression", "past_history",
             "treatment", "contact_doctor", "contact_phone")
DOWN_FIELDS = ("urgency", "department", "reason", "diagnosis", "inpatient_no", "key_results",
               "treatment_advice", "rehab_advice", "contact_doctor", "contact_phone")


def _event(referral: Referral, action: str, from_status, to_status: str, user, note=None):
    db.session.add(ReferralEvent(referral=referral, action=action, from_status=from_status,
                                 to_status=to_status, user_id=getattr(user, "id", None),
                                 username=getattr(user, "username", None), note=note))


def _centre_of(resident: Resident) -> Institution:
    grid = db.session.get(Grid, resident.grid_id)
    return grid.community.institution


def _cap_chronic_schedules(resident_id: int) -> None:
    """Hypertension and diabetes patients are seen again within 14 days of a referral."""
    for enrollment in db.session.scalars(select(Enrollment).where(
            Enrollment.resident_id == resident_id, Enrollment.status == "active",
            Enrollment.program.in_(("hypertension", "diabetes")))):
        chronic.refresh_schedule(enrollment)


def create_up(resident: Resident, data: dict, user, day: date) -> Referral:
    if resident.status != "active":
        raise ReferralError("resident_id", _l("This archive is closed history and cannot change."),
                            409)
    target = db.session.get(Institution, data["to_institution_id"])
    if target is None or target.kind == "health_center":
        raise ReferralError("to_institution_id", _l("Choose a hospital or public-health agency."))
    grid = db.session.get(Grid, resident.grid_id)
    referral = Referral(
        direction="up", status="requested", resident_id=resident.id, patient_name=resident.name,
        patient_sex=resident.sex, patient_birth_date=resident.birth_date,
        id_number=resident.id_number, from_institution_id=_centre_of(resident).id,
        to_institution_id=target.id, from_team_id=grid.team_id, referred_on=day,
        followup_id=data.get("followup_id"), created_by_id=getattr(user, "id", None),
        **{k: data.get(k) for k in UP_FIELDS})
    db.session.add(referral)
    _event(referral, "create", None, "requested", user)
    db.session.flush()
    _cap_chronic_schedules(resident.id)
    audit("referral.create", referral, resident_id=resident.id, detail="direction=up")
    return referral


def route(id_number: str | None) -> tuple[Resident | None, int | None]:
    """The archive named by an ID number and the team serving its household's grid."""
    if not id_number:
        return None, None
    resident = db.session.scalar(select(Resident).where(Resident.id_number == id_number,
                                                        Resident.status == "active"))
    if resident is None:
        return None, None
    grid = db.session.get(Grid, resident.grid_id)
    team = db.session.get(Team, grid.team_id) if grid.team_id else None
    if team is None or not active_members(team, today()):
        return resident, None
    return resident, team.id


def create_down(data: dict, from_institution: Institution, user, day: date) -> Referral:
    centre = db.session.get(Institution, data["to_institution_id"])
    if centre is None or centre.kind != "health_center":
        raise ReferralError("to_institution_id", _l("Choose a community health centre."))
    resident, team_id = route(data.get("id_number"))
    if resident is not None and _centre_of(resident).id != centre.id:
        resident, team_id = None, None  # an archive of another centre: the queue decides
    referral = Referral(
        direction="down", status="requested", resident_id=resident.id if resident else None,
        patient_name=data["patient_name"], patient_sex=data.get("patient_sex"),
        patient_birth_date=data.get("patient_birth_date"), id_number=data.get("id_number"),
        from_institution_id=from_institution.id, to_institution_id=centre.id,
        assigned_team_id=team_id, referred_on=day, visit_due_date=rules.visit_due(day),
        created_by_id=getattr(user, "id", None), **{k: data.get(k) for k in DOWN_FIELDS})
    db.session.add(referral)
    _event(referral, "create", None, "requested", user,
           note=None if team_id else "unassigned")
    db.session.flush()
    if resident is not None:
        _cap_chronic_schedules(resident.id)
    audit("referral.create", referral, resident_id=referral.resident_id,
          detail=f"direction=down assigned={team_id}")
    return referral


def sides_of(user, referral: Referral, scope: Scope) -> set[str]:
    """Which side(s) of this referral the user acts for."""
    if user.role == "admin":
        return {"sending", "receiving"}
    sides = set()
    if referral.direction == "up":
        if user.role == "referral_desk" and user.institution_id == referral.to_institution_id:
            sides.add("receiving")
        if user.role in ("doctor", "manager") and referral.resident_id is not None and \
                scope.allows_grid(referral.resident.grid_id):
            sides.add("sending")
    else:
        if user.role == "referral_desk" and user.institution_id == referral.from_institution_id:
            sides.add("sending")
        if user.role == "doctor" and scope.allows_team(referral.assigned_team_id):
            sides.add("receiving")
        if user.role == "manager" and user.institution_id == referral.to_institution_id:
            sides.add("receiving")
    return sides


def transition(referral: Referral, action: str, note: str | None, user, scope: Scope,
               day: date) -> Referral:
    sides = sides_of(user, referral, scope)
    _target, allowed = rules.TRANSITIONS.get((referral.status, action), (None, None))
    side = allowed if allowed in sides else next(iter(sides), None)
    try:
        new_status = rules.next_status(referral.status, action, side, note)
    except rules.TransitionRefused:
        raise ReferralError("action", _l("This action is not allowed while the referral is "
                                         "%(status)s.", status=label("referral_status",
                                                                     referral.status)), 409)
    except rules.WrongSide:
        raise ReferralError("action", _l("The other side of the referral takes this action."),
                            403)
    except rules.NoteRequired:
        raise ReferralError("note", _l("Give the feedback: the diagnosis and what was done.")
                            if action == "complete" else
                            _l("Give the reason for the rejection."))
    old = referral.status
    referral.status = new_status
    if action == "arrive" and referral.direction == "down":
        referral.visited_on = day  # the grid team has seen the patient
    if action == "complete":
        referral.feedback = note
    _event(referral, action, old, new_status, user, note)
    db.session.flush()
    audit(f"referral.{action}", referral, resident_id=referral.resident_id)
    return referral


def assign(referral: Referral, team: Team, user) -> Referral:
    """A manager routes a down referral from the unassigned queue to a team."""
    if referral.direction != "down" or referral.status not in rules.OPEN_STATUSES:
        raise ReferralError("team_id", _l("Only open down referrals can be assigned."), 409)
    if team.institution_id != referral.to_institution_id:
        raise ReferralError("team_id", _l("Choose a team of this institution."))
    referral.assigned_team_id = team.id
    _event(referral, "assign", referral.status, referral.status, user, note=team.name)
    db.session.flush()
    audit("referral.assign", referral, resident_id=referral.resident_id, detail=f"team={team.id}")
    return referral


def visible_filter(user, scope: Scope):
    """WHERE clause of the referrals a user may see (others answer 404)."""
    if user.role == "admin":
        return Referral.id.is_not(None)
    if user.role == "referral_desk":
        return or_(Referral.to_institution_id == user.institution_id,
                   Referral.from_institution_id == user.institution_id)
    if user.role == "manager":
        return or_(Referral.to_institution_id == user.institution_id,
                   Referral.from_institution_id == user.institution_id)
    if user.role == "doctor":
        in_grids = Referral.resident_id.in_(select(Resident.id).where(
            scope.grid_filter(Resident.grid_id)))
        return or_((Referral.direction == "up") & in_grids,
                   (Referral.direction == "down") & scope.team_filter(Referral.assigned_team_id))
    return false()


def waiting_counts(user, scope: Scope) -> dict[str, int]:
    """What waits for this user: new referrals to accept, down referrals to visit, queue."""
    visible = visible_filter(user, scope)
    counts = {}
    if user.role in ("referral_desk", "admin"):
        counts["to_accept"] = db.session.scalar(select(func.count(Referral.id)).where(
            visible, Referral.direction == "up", Referral.status == "requested"))
    if user.role in ("doctor", "manager", "admin"):
        counts["to_visit"] = db.session.scalar(select(func.count(Referral.id)).where(
            visible, Referral.direction == "down", Referral.assigned_team_id.is_not(None),
            Referral.status.in_(("requested", "accepted"))))
    if user.role in ("manager", "admin"):
        counts["unassigned"] = db.session.scalar(select(func.count(Referral.id)).where(
            visible, Referral.direction == "down", Referral.assigned_team_id.is_(None),
            Referral.status.in_(rules.OPEN_STATUSES)))
    return counts


def team_down_referrals(team_id: int) -> list[Referral]:
    """A team's patients sent back down and not yet visited, the most pressing first."""
    return list(db.session.scalars(select(Referral).where(
        Referral.direction == "down", Referral.assigned_team_id == team_id,
        Referral.status.in_(("requested", "accepted")))
        .order_by(Referral.visit_due_date, Referral.id)))


def due_limit(enrollment: Enrollment) -> date | None:
    """Referrals since the latest visit bring the next visit within 14 days of them (the
    chronic programs only: an annual check is not the follow-up of a referral)."""
    if enrollment.program not in ("hypertension", "diabetes"):
        return None
    query = select(func.min(Referral.referred_on)).where(
        Referral.resident_id == enrollment.resident_id,
        Referral.status.not_in(("rejected", "cancelled")))
    if enrollment.last_visit_date is None and enrollment.created_at is not None:
        # No visit yet: the referrals made since the enrollment (one from before it is not
        # this enrollment's to follow up, and would put its first visit in the past).
        query = query.where(Referral.created_at >= enrollment.created_at)
    if enrollment.last_visit_date is not None:
        # A referral on the day of the latest visit counts when it was made after that
        # visit was recorded (the visit could not follow up its result): by time, not date.
        recorded = select(func.max(FollowUp.created_at)).where(
            FollowUp.enrollment_id == enrollment.id,
            FollowUp.visit_date == enrollment.last_visit_date).scalar_subquery()
        query = query.where(or_(
            Referral.referred_on > enrollment.last_visit_date,
            (Referral.referred_on == enrollment.last_visit_date)
            & (Referral.created_at >= recorded)))
    first = db.session.scalar(query)
    return after_referral_due(None, first) if first else None

