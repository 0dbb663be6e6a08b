"""Program pages: enroll, record a visit or a check (phone-sized forms), the team worklist."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.auth.services import audit
from healthgrid.charts import Chart, Series, TargetLine, line_chart
from healthgrid.clock import today
from healthgrid.downloads import pdf_response, xlsx_response
from healthgrid.extensions import db
from healthgrid.forms import clean_form, load_form, post_small_form
from healthgrid.labels import choices, label
from healthgrid.org.models import Team
from healthgrid.records.models import Resident
from healthgrid.records.services import get_resident_or_404

from . import check_pages, checkform, national, printing, rules, services
from .access import get_enrollment_or_404, get_followup_or_404
from .models import ElderlyCheck, Enrollment, FollowUp
from .schemas import (CheckSchema, recorder_name, EnrollmentCreateSchema, EnrollmentExitSchema,
                      FollowupSchema)

bp = Blueprint("chronic", __name__, url_prefix="/chronic")


@bp.before_request
@login_required
@roles_required("admin", "manager", "doctor")
def _team_and_centre_only():
    """Programs are kept by the teams; managers may look."""


@bp.post("/residents/<int:resident_id>/enrollments")
def enroll(resident_id: int):
    resident = get_resident_or_404(resident_id)
    post_small_form(EnrollmentCreateSchema(), lambda data: services.enroll(
        resident, data["program"], data["enrolled_on"]), _("Enrolled."))
    return redirect(url_for("records.resident", resident_id=resident_id, _anchor="programs"))


@bp.post("/enrollments/<int:enrollment_id>/end")
def end(enrollment_id: int):
    enrollment = get_enrollment_or_404(enrollment_id)
    post_small_form(EnrollmentExitSchema(), lambda data: services.end_enrollment(
        enrollment, data["reason"], data["exited_on"]), _("The enrollment has ended."))
    return redirect(url_for("records.resident", resident_id=enrollment.resident_id,
                            _anchor="programs"))


MEDICINE_ROWS = 5  # rows the form offers; a regimen rarely has more


def _followup_payload(form: dict) -> dict:
    """The page's flat fields as the API's shape: lifestyle and insulin nested, medicine
    rows from med_*_N (a row left empty is no row)."""
    payload = {k: v for k, v in form.items()
               if k not in national.LIFESTYLE and not k.startswith(("med_", "insulin_"))}
    payload["lifestyle"] = {k: form[k] for k in national.LIFESTYLE if k in form}
    payload["insulin"] = {k: form[f"insulin_{k}"] for k in ("kind", "usage")
                          if f"insulin_{k}" in form}
    payload["medicines"] = []
    for n in range(MEDICINE_ROWS):
        row = {key: form[f"med_{key}_{n}"] for key in ("name", "times_per_day", "dose", "unit")
               if f"med_{key}_{n}" in form}
        if row:
            payload["medicines"].append(row)
    return payload


def _flat_errors(errors: dict, payload: dict) -> dict:
    """Nested errors back onto the page's field names."""
    flat = {k: v for k, v in errors.items()
            if k not in ("lifestyle", "insulin", "medicines") or not isinstance(v, dict)}
    for group, prefix in (("lifestyle", ""), ("insulin", "insulin_")):
        if isinstance(errors.get(group), dict):
            flat.update({f"{prefix}{k}": v for k, v in errors[group].items()})
    rows = errors.get("medicines")
    if isinstance(rows, dict):
        filled = [n for n in range(MEDICINE_ROWS)
                  if any(f"med_{key}_{n}" in payload for key in
                         ("name", "times_per_day", "dose", "unit"))]
        for index, row_errors in rows.items():
            n = filled[int(index)] if str(index).isdigit() and int(index) < len(filled) else 0
            if isinstance(row_errors, dict):
                flat.update({f"med_{k}_{n}": v for k, v in row_errors.items()})
    return flat


def _form_from_context(context: dict) -> dict:
    """The values a new visit starts from: the last visit's regimen, height, targets."""
    form = {"visit_date": today().isoformat(), "method": "home"}
    for name, value in context["carried"].items():
        form[name] = f"{value:g}" if isinstance(value, float) else str(value)
    for n, med in enumerate(context["medicines"][:MEDICINE_ROWS]):
        form[f"med_name_{n}"] = med.name
        for key in ("times_per_day", "dose", "unit"):
            value = getattr(med, key)
            if value is not None:
                form[f"med_{key}_{n}"] = f"{value:g}" if isinstance(value, float) else str(value)
    return form


@bp.route("/enrollments/<int:enrollment_id>/followups/new", methods=["GET", "POST"])
def followup_new(enrollment_id: int):
    enrollment = get_enrollment_or_404(enrollment_id)
    resident = db.session.get(Resident, enrollment.resident_id)
    if enrollment.program not in rules.VISIT_PROGRAMS:
        return redirect(url_for("chronic.check_new", enrollment_id=enrollment.id))
    context = services.visit_context(enrollment, today())
    errors, form, status = {}, _form_from_context(context), 200
    if request.method == "POST":
        form = clean_form(request.form, lists=("symptoms",))
        schema = FollowupSchema(program=enrollment.program, enrolled_on=enrollment.enrolled_on)
        data, errors = load_form(schema, _followup_payload(form))
        errors = _flat_errors(errors, form)
        status = 422
        if data is not None:
            try:
                followup = services.record_followup(enrollment, data, current_user.id)
            except services.ChronicError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                return redirect(url_for("chronic.followup", followup_id=followup.id))
    program = enrollment.program
    return render_template(
        "chronic/followup_form.html", enrollment=enrollment, resident=resident, form=form,
        errors=errors, context=context, methods=choices("method"),
        symptoms=[(code, label("symptom", code)) for code in national.FORM_SYMPTOMS[program]],
        urgent_symptoms=set(rules.HTN_URGENT_SYMPTOMS if program == "hypertension"
                            else rules.DM_URGENT_SYMPTOMS),
        adherence=choices("adherence"), levels=choices("level3"), salt=choices("salt"),
        hypoglycemia=choices("hypoglycemia"), foot_pulse=choices("foot_pulse"),
        medicine_rows=MEDICINE_ROWS), (status if errors else 200)


@bp.route("/followups/<int:followup_id>")
def followup(followup_id: int):
    """The saved visit: classification, the reasons that fired, the next due date."""
    item = get_followup_or_404(followup_id)
    enrollment = item.enrollment
    resident = db.session.get(Resident, enrollment.resident_id)
    return render_template("chronic/followup.html", followup=item, enrollment=enrollment,
                           resident=resident, referral_url=_referral_url(item),
                           recorder_name=recorder_name)


def _referral_url(item: FollowUp) -> str | None:
    """The pre-filled up-referral form, once the referral pages exist."""
    from flask import current_app
    if "referral.new" not in current_app.view_functions or item.referral == "none":
        return None
    return url_for("referral.new", followup_id=item.id)


@bp.route("/enrollments/<int:enrollment_id>/checks/new", methods=["GET", "POST"])
def check_new(enrollment_id: int):
    enrollment = get_enrollment_or_404(enrollment_id)
    resident = db.session.get(Resident, enrollment.resident_id)
    if enrollment.program != "elderly":
        return redirect(url_for("chronic.followup_new", enrollment_id=enrollment.id))
    errors, form, status = {}, {"check_date": today().isoformat()}, 200
    if request.method == "POST":
        form = check_pages.form_values(request.form)
        data, errors = load_form(CheckSchema(enrolled_on=enrollment.enrolled_on),
                                 check_pages.payload(request.form))
        errors = check_pages.page_errors(errors, request.form)
        status = 422
        if data is not None:
            try:
                check = services.record_check(enrollment, data, current_user.id)
            except services.ChronicError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                return redirect(url_for("chronic.check", check_id=check.id))
    return render_template("chronic/check_form.html", enrollment=enrollment, resident=resident,
                           form=form, errors=errors, **_check_context()), (
        status if errors else 200)


def _check_context() -> dict:
    """What the check form and result pages lay out: the self-care items with their points
    and the national level names, and the form's sections."""
    return {"items": rules.SELFCARE_ITEMS, "points": rules.SETTINGS.selfcare_points,
            "levels": [label("selfcare_level", level) for level, _upper
                       in rules.SETTINGS.selfcare_levels],
            "sections": checkform.SECTIONS, "rows": check_pages.ROWS,
            "adherence": choices("adherence"), "choices": choices}


@bp.route("/checks/<int:check_id>")
def check(check_id: int):
    item = db.session.get(ElderlyCheck, check_id) or abort(404)
    enrollment = get_enrollment_or_404(item.enrollment_id)
    resident = db.session.get(Resident, enrollment.resident_id)
    enrolled = set(services.programs_of_resident(resident))
    offers = [(flag, rules.FLAG_PROGRAMS[flag]) for flag in item.flag_list
              if rules.FLAG_PROGRAMS.get(flag) and rules.FLAG_PROGRAMS[flag] not in enrolled]
    return render_template("chronic/check.html", check=item, enrollment=enrollment,
                           resident=resident, offers=offers, day=today(),
                           recorder_name=recorder_name, **_check_context())


# --- the national forms on paper ---------------------------------------------------------

def _year() -> int:
    year = request.args.get("year", type=int) or today().year
    if not 2000 <= year <= today().year + 1:
        abort(404)
    return year


@bp.route("/residents/<int:resident_id>/forms.pdf")
def resident_forms_pdf(resident_id: int):
    """One resident's national forms: personal basic information, annual checks, the
    year's follow-up sheets."""
    resident = get_resident_or_404(resident_id)
    year = _year()
    data = printing.resident_forms_pdf(resident, year)
    db.session.commit()
    return pdf_response(data, _("Health archive %(name)s %(year)s.pdf", name=resident.name,
                                year=year), fallback=f"archive-{resident.archive_no}-{year}.pdf")


@bp.route("/grids/<int:grid_id>/forms")
def grid_forms(grid_id: int):
    """Print a grid's paper files: a program, a year."""
    grid = get_grid_or_404(grid_id)
    return render_template("chronic/grid_forms.html", grid=grid, programs=choices("program"),
                           year=today().year)


@bp.route("/grids/<int:grid_id>/forms.pdf")
def grid_forms_pdf(grid_id: int):
    grid = get_grid_or_404(grid_id)
    program = request.args.get("program", "hypertension")
    if program not in rules.PROGRAMS:
        abort(404)
    year = _year()
    data = printing.grid_forms_pdf(grid, program, year,
                                   with_profile=request.args.get("profile") == "1")
    db.session.commit()
    return pdf_response(data, _("%(grid)s %(program)s %(year)s.pdf", grid=grid.name,
                                program=label("program", program), year=year),
                        fallback=f"grid-{grid.code}-{program}-{year}.pdf")


# --- worklist ---------------------------------------------------------------------------

def _worklist_teams() -> list[Team]:
    from .access import worklist_teams
    return worklist_teams(current_scope())


def _worklist_request():
    """The team, grids, program and day a worklist request asks for (scope applied)."""
    teams = _worklist_teams()
    team_id = request.args.get("team_id", type=int)
    team = next((t for t in teams if t.id == team_id), None) if team_id else (
        teams[0] if teams else None)
    if team_id and team is None:
        abort(404)
    grid_ids = {g.id for g in team.grids} if team else set()
    grid_id = request.args.get("grid_id", type=int)
    if grid_id:
        if grid_id not in grid_ids:
            abort(404)
        grid_ids = {grid_id}
    program = request.args.get("program")
    program = program if program in rules.PROGRAMS else None
    return teams, team, grid_ids, grid_id, program


@bp.route("/worklist")
def worklist():
    """The team's day: the plan (plan.py), searched by name, paged."""
    from . import plan
    teams, team, grid_ids, grid_id, program = _worklist_request()
    day = today()
    q = (request.args.get("q") or "").strip()[:32]
    per_page = min(max(request.args.get("per_page", 30, type=int), 1), 200)
    items = plan.day_plan(grid_ids, day, program, _down_referrals(team), q) if team else []
    pages = max(1, -(-len(items) // per_page))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    # The call list shows phone numbers in full: who looked is recorded.
    audit("worklist.view", team, detail=f"items={len(items)}")
    db.session.commit()
    grids = {g.id: g for g in (team.grids if team else [])}
    args = {"team_id": team.id if team else None, "grid_id": grid_id, "program": program,
            "q": q or None, "per_page": per_page if per_page != 30 else None}
    return render_template("chronic/worklist.html", teams=teams, team=team, grids=grids,
                           grid_id=grid_id, program=program, q=q, day=day,
                           programs=choices("program"), counts=plan.counts(items),
                           items=items[(page - 1) * per_page: page * per_page], total=len(items),
                           page=page, per_page=per_page,
                           args={k: v for k, v in args.items() if v is not None})


def _down_referrals(team: Team | None) -> list:
    """Patients the hospitals sent back to this team, to be visited within 14 days."""
    from flask import current_app
    if team is None or "referral.detail" not in current_app.view_functions:
        return []
    from healthgrid.referral.services import team_down_referrals
    return team_down_referrals(team.id)


@bp.route("/worklist.xlsx")
def worklist_xlsx():
    from .exports import worklist_workbook
    teams, team, grid_ids, _grid_id, program = _worklist_request()
    if team is None:
        abort(404)
    day = today()
    overdue, due_soon = services.worklist(grid_ids, day, program)
    audit("worklist.export", team, detail=f"items={len(overdue) + len(due_soon)}")
    db.session.commit()
    data = worklist_workbook(team, overdue, due_soon, day)
    return xlsx_response(data, _l("worklist-%(team)s-%(day)s.xlsx", team=team.name,
                                  day=day.isoformat()),
                         fallback=f"worklist-team-{team.id}-{day.isoformat()}.xlsx")


# --- the programs section of the resident's archive page --------------------------------

def _charts(enrollment: Enrollment, age_65_on: date | None) -> list[Markup]:
    visits = enrollment.followups
    if enrollment.program == "hypertension" and visits:
        s = rules.SETTINGS
        bp_visits = [v for v in visits if v.sbp is not None]
        return [line_chart(Chart(
            _("Blood pressure (mmHg)"),
            [Series(_("Systolic"), [(v.visit_date, v.sbp) for v in bp_visits]),
             Series(_("Diastolic"), [(v.visit_date, v.dbp) for v in bp_visits])],
            [TargetLine(_("Systolic target"), s.htn_sbp_target if age_65_on is None
                        else s.htn_elderly_sbp_target),
             TargetLine(_("Diastolic target"), s.htn_dbp_target, "#9333ea")]))]
    if enrollment.program == "diabetes" and visits:
        fpg_visits = [v for v in visits if v.fpg is not None]
        return [line_chart(Chart(
            _("Fasting glucose (mmol/L)"),
            [Series(_("Fasting glucose"), [(v.visit_date, v.fpg) for v in fpg_visits])],
            [TargetLine(_("Target"), rules.SETTINGS.dm_fpg_target)]))]
    return []


def programs_panel(resident: Resident, day: date) -> Markup:
    from flask import render_template as render
    from healthgrid.records.rules import age_on
    enrollments = services.enrollments_of(resident)
    elderly_now = age_on(resident.birth_date, day) >= rules.SETTINGS.elderly_age
    charts = {e.id: _charts(e, day if elderly_now else None) for e in enrollments}
    return Markup(render("chronic/_programs.html", resident=resident, enrollments=enrollments,
                         recorder_name=recorder_name,
                         charts=charts, day=day, programs=choices("program"),
                         reasons=choices("exit_reason")))
