"""Referral pages: the list and queue, the up and down forms, the referral with its history
and actions, and the printed two-way referral form."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.auth.services import audit
from healthgrid.chronic.models import FollowUp
from healthgrid.clock import today
from healthgrid.downloads import pdf_response
from healthgrid.extensions import db
from healthgrid.forms import clean_form, error_line, load_form
from healthgrid.hooks import nav_counter
from healthgrid.labels import choices, label, reason_text
from healthgrid.org.models import Institution, Team
from healthgrid.records.models import Resident
from healthgrid.records.rules import age_on, mask_id_number
from healthgrid.records.services import get_resident_or_404

from . import rules, services
from .access import get_referral_or_404, start_down, start_up, visible_referrals
from .models import Referral
from .schemas import (AssignSchema, DownReferralSchema, ReferralQuerySchema, TransitionSchema,
                      UpReferralSchema, patient_age)
from .services import ReferralError

bp = Blueprint("referral", __name__, url_prefix="/referrals")
referring_roles = roles_required("admin", "manager", "doctor")
sending_desk_roles = roles_required("admin", "referral_desk")


@bp.before_request
@login_required
def _signed_in_only():
    """Every referral page needs a signed-in user; what each sees is decided per referral."""


@bp.app_context_processor
def _navigation():
    return {"waiting_referrals": waiting_referrals}


waiting_referrals = nav_counter("referrals", services.waiting_counts)


def unassigned_queue() -> list[Referral]:
    """Down referrals waiting for a manager to choose the team (no archive, or no team)."""
    if current_user.role not in ("manager", "admin"):
        return []
    query = select(Referral).where(
        Referral.direction == "down", Referral.assigned_team_id.is_(None),
        Referral.status.in_(rules.OPEN_STATUSES)).order_by(Referral.referred_on, Referral.id)
    if current_user.role == "manager":
        query = query.where(Referral.to_institution_id == current_user.institution_id)
    return list(db.session.scalars(query))


def _teams_of(institution_ids) -> dict[int, list[Team]]:
    teams: dict[int, list[Team]] = {}
    for team in db.session.scalars(select(Team).where(Team.institution_id.in_(
            sorted(set(institution_ids)))).order_by(Team.name)):
        teams.setdefault(team.institution_id, []).append(team)
    return teams


def _institutions(centres: bool) -> list[tuple[int, str]]:
    kind = Institution.kind == "health_center"
    rows = db.session.execute(select(Institution.id, Institution.name)
                              .where(kind if centres else ~kind).order_by(Institution.code))
    return [(i, name) for i, name in rows]


def _targets_by_kind() -> list[tuple[str, list[tuple[int, str]]]]:
    """Where a doctor refers up, hospitals apart from the public-health agencies (CDC...)."""
    rows = db.session.execute(select(Institution.id, Institution.name, Institution.kind)
                              .where(Institution.kind != "health_center")
                              .order_by(Institution.code))
    groups: dict[str, list[tuple[int, str]]] = {"hospital": [], "public_health_agency": []}
    for i, name, kind in rows:
        groups.setdefault(kind, []).append((i, name))
    return [(label("institution_kind", kind), pairs) for kind, pairs in groups.items() if pairs]


# --- pages ------------------------------------------------------------------------------------

@bp.route("/")
def index():
    params, errors = load_form(ReferralQuerySchema(), clean_form(request.args))
    if params is None:
        params = {"status": None, "direction": None, "page": 1, "per_page": 50}
    query = visible_referrals(params["direction"], params["status"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.order_by(Referral.id.desc())
                                    .offset((params["page"] - 1) * params["per_page"])
                                    .limit(params["per_page"])))
    queue = unassigned_queue()
    return render_template(
        "referral/index.html", items=items, total=total, params=params, errors=errors,
        queue=queue, queue_teams=_teams_of(r.to_institution_id for r in queue),
        statuses=choices("referral_status"), directions=choices("direction"), day=today(),
        age=patient_age, can_refer_down=current_user.role in ("admin", "referral_desk"))


def _followup_summary(followup: FollowUp) -> str:
    """The findings of the visit, each said once: the symptoms under their own heading, not
    again among the reasons, and "not at target" left to the classification that says it."""
    sep = _(", ")
    parts = [_("Follow-up of %(date)s: %(result)s.", date=followup.visit_date.isoformat(),
               result=label("classification", followup.classification))]
    reasons = [reason_text(code) for code in followup.reason_list
               if not code.startswith("symptom:") and code != "not_at_target"]
    if reasons:
        parts.append(_("Why: %(reasons)s.", reasons=sep.join(reasons)))
    if followup.sbp:
        parts.append(_("Blood pressure %(sbp)s/%(dbp)s mmHg.", sbp=followup.sbp,
                       dbp=followup.dbp))
    if followup.fpg is not None:
        parts.append(_("Fasting glucose %(fpg)s mmol/L.", fpg=followup.fpg))
    if followup.heart_rate:
        parts.append(_("Heart rate %(rate)s/min.", rate=followup.heart_rate))
    if followup.symptom_list:
        parts.append(_("Symptoms: %(names)s.", names=sep.join(
            label("symptom", code) for code in followup.symptom_list)))
    if followup.note:
        parts.append(followup.note)
    # Chinese sentences end in 。 and run on without a space.
    return ("" if str(get_locale()).startswith("zh") else " ").join(parts)


def _past_history(resident: Resident) -> str:
    from healthgrid.chronic.services import enrollments_of
    lines = [resident.past_history] if resident.past_history else []
    for enrollment in enrollments_of(resident):
        if enrollment.status == "active" and enrollment.program in ("hypertension", "diabetes"):
            lines.append(_("%(disease)s, under management since %(date)s.",
                           disease=label("key_population", enrollment.program),
                           date=enrollment.enrolled_on.isoformat()))
    allergies = [label("drug_allergy", code) for code in (resident.drug_allergies or "").split(",")
                 if code and code != "other"]
    if resident.allergies:
        allergies.append(resident.allergies)
    if allergies:
        lines.append(_("Allergies: %(what)s", what="、".join(allergies)))
    return "\n".join(lines)


def _prefilled(resident: Resident, followup: FollowUp | None) -> dict:
    """The form as the doctor finds it: the archive's history and, from a follow-up, the
    findings that call for the referral."""
    staff = current_user.staff
    form = {"urgency": "routine", "past_history": _past_history(resident),
            "contact_doctor": staff.name if staff else "",
            "contact_phone": (staff.phone or "") if staff else ""}
    if followup is not None:
        program = followup.enrollment.program
        form.update(
            urgency="urgent" if followup.referral == "urgent" else "routine",
            reason=_followup_summary(followup),
            initial_impression=_("%(disease)s: %(result)s", disease=label(
                "key_population", program), result=label("classification",
                                                         followup.classification)),
            treatment=followup.regimen_text)
    return {k: v for k, v in form.items() if v}


def _form_subject() -> tuple[Resident, FollowUp | None]:
    followup_id = request.args.get("followup_id", type=int)
    if followup_id:
        from healthgrid.chronic.access import get_enrollment_or_404
        followup = db.session.get(FollowUp, followup_id) or abort(404)
        enrollment = get_enrollment_or_404(followup.enrollment_id)
        return get_resident_or_404(enrollment.resident_id), followup
    resident_id = request.args.get("resident_id", type=int)
    if not resident_id:
        abort(404)
    return get_resident_or_404(resident_id), None


@bp.route("/new", methods=["GET", "POST"])
@referring_roles
def new():
    """Refer a resident up (?resident_id=), pre-filled from an urgent follow-up (?followup_id=)."""
    if not request.args.get("followup_id") and not request.args.get("resident_id"):
        flash(_("Open the resident's archive and choose “Refer up”."), "warning")
        return redirect(url_for("records.residents"))
    resident, followup = _form_subject()
    if resident.status != "active":
        flash(_("This archive is closed history and cannot change."), "error")
        return redirect(url_for("records.resident", resident_id=resident.id))
    errors, status = {}, 200
    form = _prefilled(resident, followup)
    if request.method == "POST":
        form = clean_form(request.form)
        payload = {**form, "resident_id": resident.id,
                   "followup_id": followup.id if followup else None}
        data, errors = load_form(UpReferralSchema(), payload)
        status = 422
        if data is not None:
            try:
                referral = start_up(resident, data)
            except ReferralError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                flash(_("Referral sent to %(to)s.", to=referral.to_institution.name), "success")
                return redirect(url_for("referral.detail", referral_id=referral.id))
    return render_template(
        "referral/up_form.html", resident=resident, followup=followup, form=form,
        errors=errors, hospitals=_targets_by_kind(), urgencies=choices("urgency"),
        age=age_on(resident.birth_date, today()), mask_id=mask_id_number), status


@bp.route("/new-down", methods=["GET", "POST"])
@sending_desk_roles
def new_down():
    """A hospital's referral desk sends a patient back to the community, by ID number."""
    centres = _institutions(centres=True)
    errors, status = {}, 200
    form = {"urgency": "routine", "to_institution_id": str(centres[0][0]) if len(centres) == 1
            else ""}
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(DownReferralSchema(), form)
        status = 422
        if data is not None:
            try:
                referral = start_down(data)
            except ReferralError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                if referral.assigned_team_id:
                    flash(_("Sent back to %(team)s, who will visit by %(date)s.",
                            team=referral.assigned_team.name,
                            date=referral.visit_due_date.isoformat()), "success")
                else:
                    flash(_("Sent to %(centre)s; its manager will assign the team.",
                            centre=referral.to_institution.name), "success")
                return redirect(url_for("referral.detail", referral_id=referral.id))
    return render_template(
        "referral/down_form.html", form=form, errors=errors, centres=centres,
        hospitals=_institutions(centres=False) if current_user.role == "admin" else [],
        urgencies=choices("urgency"), sexes=choices("sex")), status


def _detail_page(referral: Referral, status: int = 200, note_error: str | None = None):
    scope = current_scope()
    sides = services.sides_of(current_user, referral, scope)
    actions = []
    for side in ("receiving", "sending"):
        if side in sides:
            actions += [a for a in rules.allowed_actions(referral.status, side) if a not in actions]
    can_assign = (referral.direction == "down" and referral.status in rules.OPEN_STATUSES
                  and (current_user.role == "admin" or (
                      current_user.role == "manager"
                      and current_user.institution_id == referral.to_institution_id)))
    teams = _teams_of([referral.to_institution_id]).get(referral.to_institution_id, []) \
        if can_assign else []
    archive_open = referral.resident is not None and current_user.role in (
        "admin", "manager", "doctor") and scope.allows_grid(referral.resident.grid_id)
    return render_template(
        "referral/detail.html", referral=referral, actions=actions, teams=teams,
        can_assign=can_assign, archive_open=archive_open, day=today(),
        age=patient_age(referral), masked_id=mask_id_number(referral.id_number),
        note_error=note_error, contact=_contact_for_receiver(referral, sides),
        next_steps=_next_steps(referral, sides) if archive_open else None), status


def _contact_for_receiver(referral: Referral, sides: set[str]) -> dict | None:
    """The hospital receiving an up referral reaches the patient by the phone and address its
    printed form carries. Full identifiers on a page: the view is audited."""
    resident = referral.resident
    if referral.direction != "up" or "receiving" not in sides or resident is None:
        return None
    household = resident.household
    contact = {"phone": resident.phone or (household.phone if household else None) or "",
               "address": household.address if household else ""}
    audit("referral.view_contact", referral, resident_id=resident.id)
    db.session.commit()
    return contact


def _next_steps(referral: Referral, sides: set[str]) -> dict | None:
    """Once the team accepts a patient sent back down: record the visit, and enroll in the
    program the hospital's diagnosis names when the patient is not in it yet."""
    if referral.direction != "down" or "receiving" not in sides or \
            referral.status not in ("accepted", "arrived"):
        return None
    from healthgrid.chronic.services import enrollments_of
    active = [e for e in enrollments_of(referral.resident) if e.status == "active"]
    visits = [e for e in active if e.program in ("hypertension", "diabetes")]
    enrolled = {e.program for e in active}
    offer = [p for p in rules.programs_named(referral.diagnosis) if p not in enrolled]
    return {"visits": visits, "enroll": offer}


@bp.route("/<int:referral_id>")
def detail(referral_id: int):
    return _detail_page(get_referral_or_404(referral_id))


@bp.post("/<int:referral_id>/transitions")
def act(referral_id: int):
    referral = get_referral_or_404(referral_id)
    data, errors = load_form(TransitionSchema(), clean_form(request.form))
    if data is None:
        flash(error_line(errors), "error")
        return _detail_page(referral, 422)
    try:
        services.transition(referral, data["action"], data.get("note"), current_user,
                            current_scope(), today())
    except ReferralError as exc:
        db.session.rollback()
        db.session.refresh(referral)
        flash(str(exc.message), "error")
        return _detail_page(referral, exc.status,
                            note_error=str(exc.message) if exc.field == "note" else None)
    db.session.commit()
    flash(_("%(action)s: the referral is now %(status)s.",
            action=label("referral_action", data["action"]),
            status=label("referral_status", referral.status)), "success")
    return redirect(url_for("referral.detail", referral_id=referral.id))


@bp.post("/<int:referral_id>/assign")
@roles_required("admin", "manager")
def assign(referral_id: int):
    referral = get_referral_or_404(referral_id)
    back = url_for("referral.index") if request.form.get("next") == "index" else \
        url_for("referral.detail", referral_id=referral.id)
    if current_user.role == "manager" and current_user.institution_id != \
            referral.to_institution_id:
        abort(403)
    data, _errors = load_form(AssignSchema(), clean_form(request.form))
    team = db.session.get(Team, data["team_id"]) if data else None
    try:
        if team is None:
            raise ReferralError("team_id", _("Choose a team of this institution."))
        services.assign(referral, team, current_user)
    except ReferralError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s is assigned to %(team)s.", name=referral.patient_name, team=team.name),
          "success")
    return redirect(back)


@bp.route("/<int:referral_id>/form.pdf")
def form_pdf(referral_id: int):
    """The standard two-way referral form (双向转诊单), stub and form, as a PDF."""
    from .pdf import referral_form_pdf
    referral = get_referral_or_404(referral_id)
    data = referral_form_pdf(referral)
    audit("referral.print", referral, resident_id=referral.resident_id)
    db.session.commit()
    return pdf_response(data, _l("referral-form-%(number)s.pdf", number=referral.id),
                        inline=True)


# --- the referrals section of the resident's archive page ------------------------------------

def referrals_panel(resident: Resident, day: date) -> Markup:
    from flask import render_template as render
    referrals = list(db.session.scalars(
        visible_referrals().where(Referral.resident_id == resident.id)
        .order_by(Referral.id.desc())))
    can_refer = resident.status == "active" and current_user.role in ("admin", "manager",
                                                                      "doctor")
    return Markup(render("referral/_panel.html", resident=resident, referrals=referrals,
                         can_refer=can_refer, day=day))
