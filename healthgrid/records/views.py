"""Archive pages: search, households, residents, exits and contracts."""
from __future__ import annotations

from io import BytesIO

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.dbsetup import refresh_planner_statistics
from healthgrid.downloads import xlsx_response
from healthgrid.extensions import db
from healthgrid.forms import clean_form, error_line, load_form, post_small_form
from healthgrid.hooks import Hooks
from healthgrid.labels import choices
from healthgrid.org.models import Community, Grid, Team

from . import history, profile, rules, services
from .exports import export_residents, template_workbook
from .imports import import_residents
from .models import Household
from .schemas import (ContractSchema, ExitSchema, HouseholdSchema, ResidentCreateSchema,
                      ResidentPatchSchema, ResidentUpdateSchema, SearchSchema)

bp = Blueprint("records", __name__, url_prefix="/records")
# Functions (resident, day) -> Markup: sections other domains add to the archive page.
RESIDENT_PANELS = Hooks()
# Who may keep archives: the teams and the centre (a referral desk never sees them).
archive_roles = roles_required("admin", "manager", "doctor")

RESIDENT_FIELDS = ["name", "sex", "birth_date", "id_number", "phone", "relation_to_head",
                   "residence_type", "ethnicity", "blood_type", "payment_type", "allergies",
                   "past_history", "family_history", "disability", "pregnant",
                   "severe_mental_illness", "disabled", "archive_medium"]


@bp.before_request
@login_required
@archive_roles
def _archive_users_only():
    """Every archive page needs a signed-in team member or manager."""


def _grid_choices():
    rows = db.session.execute(
        select(Grid.id, Community.name, Grid.name).join(Community)
        .where(current_scope().grid_filter(Grid.id)).order_by(Community.code, Grid.code)).all()
    return [(gid, f"{community} · {grid}") for gid, community, grid in rows]


def _resident_form_context():
    return {"sexes": choices("sex"), "relations": choices("relation"),
            "residence_types": choices("residence_type"), "blood_types": choices("blood_type"),
            "payment_types": choices("payment_type"), "media": choices("archive_medium"),
            "ethnicities": choices("ethnicity")}


def _error_response(template: str, errors: dict, **context):
    return render_template(template, errors=errors, **context), 422


@bp.route("/residents")
def residents():
    params, errors = load_form(SearchSchema(), clean_form(request.args))
    if params is None:
        params = {"q": "", "grid_id": None, "page": 1, "per_page": 20}
    items, total = services.search_residents(current_scope(), params["q"], params["grid_id"],
                                             params["page"], params["per_page"])
    day = today()
    return render_template("records/residents.html", items=items, total=total, params=params,
                           programs=services.programs_by_resident([r.id for r in items]),
                           age=lambda r: rules.age_on(r.birth_date, day),
                           grids=_grid_choices(), errors=errors, mask_id=rules.mask_id_number,
                           mask_phone=rules.mask_phone)


@bp.route("/households/new", methods=["GET", "POST"])
def household_new():
    grids = _grid_choices()
    # A doctor's team serves one grid, most often: it is chosen already.
    chosen = request.args.get("grid_id", "") or (str(grids[0][0]) if len(grids) == 1 else "")
    errors, form = {}, {"grid_id": chosen}
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(HouseholdSchema(), form)
        if data is not None:
            grid = get_grid_or_404(data["grid_id"])
            household = services.register_household(grid, data)
            db.session.commit()
            flash(_("Household registered. Now add its members."), "success")
            return redirect(url_for("records.resident_new", household_id=household.id))
    return render_template("records/household_form.html", errors=errors, form=form,
                           grids=grids), (422 if errors else 200)


@bp.route("/households/<int:household_id>")
def household(household_id: int):
    household = services.get_household_or_404(household_id)
    return render_template("records/household.html", household=household,
                           mask_id=rules.mask_id_number, mask_phone=rules.mask_phone)


@bp.route("/households/<int:household_id>/members/new", methods=["GET", "POST"])
def resident_new(household_id: int):
    household = services.get_household_or_404(household_id)
    errors, form = {}, {"relation_to_head": "" if household.members else "head",
                        "archive_medium": "electronic", "residence_type": "registered"}
    if not household.members and household.head_name:
        form["name"] = household.head_name  # the first member is the head, named already
    status = 422
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(ResidentCreateSchema(), {**form, "household_id": household.id})
        if data is not None:
            try:
                resident = services.register_resident(household, data, today())
            except services.ArchiveError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                flash(_("Archive %(no)s created for %(name)s.", no=resident.archive_no,
                        name=resident.name), "success")
                if request.form.get("next") == "another":
                    return redirect(url_for("records.resident_new", household_id=household.id))
                return redirect(url_for("records.household", household_id=household.id))
    return render_template("records/resident_form.html", errors=errors, form=form,
                           household=household, resident=None,
                           **_resident_form_context()), (status if errors else 200)


@bp.route("/residents/<int:resident_id>")
def resident(resident_id: int):
    """The whole archive, identifiers in clear: every opening is audited."""
    resident = services.get_resident_or_404(resident_id)
    audit("resident.view", resident, resident_id=resident.id)
    db.session.commit()
    day = today()
    household = db.session.scalar(select(Household).where(Household.id == resident.household_id)
                                  .options(selectinload(Household.members)))
    grid = db.session.get(Grid, resident.grid_id)
    return render_template(
        "records/resident.html", resident=resident, household=household, grid=grid, day=day,
        age=rules.age_on(resident.birth_date, day),
        key_populations=services.key_populations_of(resident, day),
        contract=services.active_contract(resident, day),
        contracts=services.contracts_of(resident), timeline=services.timeline(resident),
        mask_id=rules.mask_id_number, mask_phone=rules.mask_phone,
        exit_statuses=[(s, s) for s in rules.EXIT_STATUSES],
        can_sign=grid.team_id is not None and current_user.role in ("doctor", "manager", "admin"),
        history=history.as_dict(resident),
        panels=[panel(resident, day) for panel in RESIDENT_PANELS])


def _as_form(resident) -> dict:
    out = {}
    for name in RESIDENT_FIELDS:
        value = getattr(resident, name)
        if isinstance(value, bool):
            out[name] = "1" if value else "0"
        elif value is not None:
            out[name] = str(value)
    out["version"] = str(resident.version)
    return out


def _closed(resident):
    """A closed archive is history: its edit forms send the user back to it, saying so."""
    if resident.status == "active":
        return None
    flash(_("This archive is closed history and cannot change."), "error")
    return redirect(url_for("records.resident", resident_id=resident.id))


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
def resident_edit(resident_id: int):
    resident = services.get_resident_or_404(resident_id)
    if (back := _closed(resident)) is not None:
        return back
    errors, form = {}, _as_form(resident)
    status = 200
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(ResidentUpdateSchema(), form)
        if data is not None:
            try:
                services.update_resident(resident, data)
            except services.ArchiveError as exc:
                db.session.rollback()
                errors = exc.as_errors()
                status = exc.status
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("records.resident", resident_id=resident.id))
        status = status if status != 200 else 422
    household = db.session.get(Household, resident.household_id)
    return render_template("records/resident_form.html", errors=errors, form=form,
                           household=household, resident=resident,
                           **_resident_form_context()), status


DISEASE_ROWS, EVENT_ROWS = 6, 3  # rows the profile form offers


def _profile_payload(form, version: str | None) -> dict:
    """The profile page's fields in the API's shape. Every field is sent: one left empty
    becomes "not recorded" (None); a list ticked "none" becomes the none choice."""
    payload = {"version": version}
    for name in (*profile.SINGLE, *profile.TEXT, "contact_phone", "allergies", "disability",
                 "ethnicity", "blood_type"):
        payload[name] = (form.get(name) or "").strip() or None
    for name in profile.MULTI:
        payload[name] = [v for v in form.getlist(name) if v] or None
    diseases = [{"code": form.get(f"disease_code_{n}"), "detail": form.get(f"disease_detail_{n}"),
                 "diagnosed_on": _month(form.get(f"disease_month_{n}"))}
                for n in range(DISEASE_ROWS) if form.get(f"disease_code_{n}")]
    payload["past_diseases"] = [{"code": "none"}] if form.get("past_diseases_none") else (
        diseases or None)
    for field in profile.EVENT_FIELDS:
        rows = [{"name": form.get(f"{field}_name_{n}"), "date": form.get(f"{field}_date_{n}")}
                for n in range(EVENT_ROWS) if form.get(f"{field}_name_{n}", "").strip()
                or form.get(f"{field}_date_{n}")]
        payload[field] = [] if form.get(f"{field}_none") and not rows else (rows or None)
    family = {relative: form.getlist(f"family_{relative}") for relative in profile.RELATIVES}
    payload["family_history_codes"] = {k: v for k, v in family.items() if v} or None
    return payload


def _month(value: str | None) -> str | None:
    """An <input type=month> value (2012-05) as the first of that month."""
    value = (value or "").strip()
    return f"{value}-01" if len(value) == 7 else (value or None)


def _profile_form(resident) -> dict:
    """The stored profile as the page's fields."""
    out = {name: getattr(resident, name) or "" for name in (
        *profile.SINGLE, *profile.TEXT, "contact_phone", "allergies", "disability",
        "ethnicity", "blood_type")}
    out.update({name: profile.split_codes(getattr(resident, name)) for name in profile.MULTI})
    lists = history.as_dict(resident)
    for n, row in enumerate((lists["past_diseases"] or [])[:DISEASE_ROWS]):
        if row["code"] == "none":
            out["past_diseases_none"] = "1"
            continue
        out.update({f"disease_code_{n}": row["code"], f"disease_detail_{n}": row["detail"] or "",
                    f"disease_month_{n}": (row["diagnosed_on"] or "")[:7]})
    for field in profile.EVENT_FIELDS:
        rows = lists[field]
        if rows == []:
            out[f"{field}_none"] = "1"
        for n, row in enumerate((rows or [])[:EVENT_ROWS]):
            out.update({f"{field}_name_{n}": row["name"] or "",
                        f"{field}_date_{n}": row["date"] or ""})
    for relative, codes in (lists["family_history_codes"] or {}).items():
        out[f"family_{relative}"] = codes
    return out


def _profile_errors(errors: dict) -> dict:
    """Row errors (past_diseases.2.code) onto the row's fields, lists onto their boxes."""
    flat = {}
    for name, messages in errors.items():
        if name == "past_diseases" and isinstance(messages, dict):
            for n, row in messages.items():
                for key, text in (row.items() if isinstance(row, dict) else [("code", row)]):
                    key = {"diagnosed_on": "month"}.get(key, key)
                    flat[f"disease_{key}_{n}"] = text
        elif name in profile.EVENT_FIELDS and isinstance(messages, dict):
            for n, row in messages.items():
                for key, text in (row.items() if isinstance(row, dict) else [("name", row)]):
                    flat[f"{name}_{key}_{n}"] = text
        elif name == "family_history_codes" and isinstance(messages, dict):
            flat.update({f"family_{k}": v for k, v in messages.items()})
        else:
            flat[name] = messages
    return flat


@bp.route("/residents/<int:resident_id>/profile", methods=["GET", "POST"])
def resident_profile(resident_id: int):
    """The personal basic information form (个人基本信息表), every field of it."""
    resident = services.get_resident_or_404(resident_id)
    if (back := _closed(resident)) is not None:
        return back
    errors, form, status = {}, _profile_form(resident), 200
    version = str(resident.version)
    if request.method == "POST":
        version = request.form.get("version")
        form = {k: (request.form.getlist(k) if k in profile.MULTI or k.startswith("family_")
                    else request.form.get(k, "")) for k in request.form.keys()}
        data, errors = load_form(ResidentPatchSchema(), _profile_payload(request.form, version))
        errors, status = _profile_errors(errors), 422
        if data is not None:
            try:
                services.update_resident(resident, data)
            except services.ArchiveError as exc:
                db.session.rollback()
                errors, status = exc.as_errors(), exc.status
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("records.resident", resident_id=resident.id,
                                        _anchor="profile"))
    return render_template(
        "records/profile_form.html", resident=resident, form=form, errors=errors,
        version=version, single={name: choices(kind) for name, (_c, kind) in profile.SINGLE.items()},
        multi={name: choices(kind) for name, (_c, kind) in profile.MULTI.items()},
        diseases=choices("disease"), relatives=choices("relative"),
        ethnicities=choices("ethnicity"), blood_types=choices("blood_type"),
        disease_rows=DISEASE_ROWS, event_rows=EVENT_ROWS,
        event_fields=profile.EVENT_FIELDS), status


@bp.post("/residents/<int:resident_id>/exit")
def resident_exit(resident_id: int):
    resident = services.get_resident_or_404(resident_id)
    post_small_form(ExitSchema(), lambda data: services.record_exit(
        resident, data["status"], data["status_date"], data["version"]),
        _("Recorded. The archive is now read-only history."))
    return redirect(url_for("records.resident", resident_id=resident_id))


@bp.post("/residents/<int:resident_id>/contracts")
def contract_sign(resident_id: int):
    resident = services.get_resident_or_404(resident_id)
    try:
        if request.form.get("action") == "renew":
            services.renew_contract(resident, today(), current_user.id)
        else:
            data, errors = load_form(ContractSchema(), clean_form(request.form))
            if data is None:
                raise services.ArchiveError("start_date", error_line(errors))
            # The service accepts only the team serving the resident's grid.
            team = db.session.get(Team, data["team_id"]) or abort(404)
            services.sign_contract(resident, team, data["start_date"], current_user.id)
    except services.ArchiveError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Contract signed."), "success")
    return redirect(url_for("records.resident", resident_id=resident_id))


@bp.route("/contracts/expiring")
def contracts_expiring():
    rows = services.expiring_contracts(current_scope(), today())
    return render_template("records/contracts_expiring.html", rows=rows, day=today(),
                           mask_phone=rules.mask_phone)


# --- Excel import and export ----------------------------------------------------------

# Importing writes whole households into grids: the centre's managers (and admins) only.
import_roles = roles_required("admin", "manager")
REPORT_ROWS_SHOWN = 1000


def _import_page(report=None, upload_error=None, status=200):
    return render_template("records/import.html", report=report, upload_error=upload_error,
                           shown=REPORT_ROWS_SHOWN,
                           max_mb=current_app.config["MAX_CONTENT_LENGTH"] // 2**20), status


@bp.route("/import", methods=["GET", "POST"])
@import_roles
def import_page():
    """Upload a filled template; a file with any bad row imports nothing (422 + report)."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(upload_error=_("Choose the filled-in .xlsx file first."), status=422)
    report = import_residents(BytesIO(upload.read()), filename=upload.filename,
                              scope=current_scope(), day=today())
    if not report.ok:
        db.session.rollback()
        return _import_page(report=report, status=422)
    db.session.commit()
    refresh_planner_statistics()
    flash(_("Imported %(residents)s residents in %(households)s households from %(file)s.",
            residents=report.residents, households=report.households, file=upload.filename),
          "success")
    return redirect(url_for("records.import_page"))


@bp.route("/import/template.xlsx")
@import_roles
def import_template():
    return xlsx_response(template_workbook().save(), _l("residents-import-template.xlsx"))


@bp.route("/export.xlsx")
def export_xlsx():
    """The residents of a search (same filters as the list, within scope), identifiers
    masked; audited with the count (never the search text: it may be an ID number)."""
    params, _errors = load_form(SearchSchema(), clean_form(request.args))
    if params is None:
        abort(400)
    buffer = BytesIO()
    count = export_residents(current_scope(), params["q"], params["grid_id"], buffer)
    audit("records.export", detail=f"residents={count}; grid_id={params['grid_id'] or 'all'}; "
                                   f"search={'yes' if params['q'] else 'no'}")
    db.session.commit()
    return xlsx_response(buffer.getvalue(),
                         _l("residents-%(day)s.xlsx", day=today().strftime("%Y%m%d")))
