"""Organisation pages: institutions, communities, grids, staff and teams."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_team_or_404
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.forms import clean_form, load_form
from healthgrid.labels import choices
from healthgrid.records.models import Household

from . import services
from .models import (Community, Grid, Institution, Staff, Team, TeamMembership)
from .schemas import (CommunitySchema, EndMembershipSchema, GridSchema, InstitutionSchema,
                      MembershipSchema, StaffSchema, TeamSchema)

bp = Blueprint("org", __name__, url_prefix="/org")
managers = roles_required("admin", "manager")


@bp.before_request
@login_required
def _signed_in():
    """Every organisation page needs a signed-in user."""


def working_institution() -> Institution:
    """The centre a page works on: a manager's own; an admin picks (default: the first centre)."""
    if current_user.role == "manager":
        return db.session.get(Institution, current_user.institution_id) or abort(404)
    if current_user.role == "admin":
        wanted = request.args.get("institution_id", type=int)
        if wanted:
            return db.session.get(Institution, wanted) or abort(404)
        first = db.session.scalar(select(Institution).where(
            Institution.kind == "health_center").order_by(Institution.id))
        return first or abort(404)
    abort(403)


def _community_or_404(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or (current_user.role != "admin"
                             and community.institution_id != current_user.institution_id):
        abort(404)
    return community


def _grid_or_404(grid_id: int) -> Grid:
    grid = db.session.get(Grid, grid_id)
    if grid is None or not current_scope().allows_grid(grid.id):
        abort(404)
    return grid


def _staff_or_404(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None or staff.id not in _visible_staff_ids():
        abort(404)
    return staff


def _visible_staff_ids() -> set[int]:
    return set(db.session.scalars(_visible_staff_query().with_only_columns(Staff.id)))


def _visible_staff_query():
    """Staff a manager works with: their institution's, and any serving on their teams."""
    query = select(Staff)
    if current_user.role == "admin":
        return query
    on_teams = select(TeamMembership.staff_id).join(Team).where(
        Team.institution_id == current_user.institution_id)
    return query.where((Staff.institution_id == current_user.institution_id)
                       | Staff.id.in_(on_teams))


def _edit(schema, template: str, save, *, obj=None, initial=None, redirect_to, **context):
    """The shared GET/POST cycle of an organisation form: validate, save, or show errors."""
    errors, form = {}, dict(initial or {})
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(schema, form)
        if data is not None:
            try:
                saved = save(data)
            except services.OrgConflict as exc:
                errors = exc.as_errors()
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(redirect_to(saved))
    return render_template(template, errors=errors, form=form, obj=obj, **context), \
        (422 if errors else 200)


def _as_form(obj, names: list[str]) -> dict:
    out = {}
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        out[name] = ("1" if value else "") if isinstance(value, bool) else str(value)
    return out


# --- institutions -----------------------------------------------------------------------

@bp.route("/institutions")
@managers
def institutions():
    rows = db.session.scalars(select(Institution).order_by(Institution.kind, Institution.code)).all()
    return render_template("org/institutions.html", institutions=rows)


@bp.route("/institutions/new", methods=["GET", "POST"])
@roles_required("admin")
def institution_new():
    return _edit(InstitutionSchema(), "org/institution_form.html", services.save_institution,
                 redirect_to=lambda _i: url_for("org.institutions"),
                 kinds=choices("institution_kind"))


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@managers
def institution_edit(institution_id: int):
    institution = db.session.get(Institution, institution_id) or abort(404)
    if current_user.role == "manager" and institution.id != current_user.institution_id:
        abort(404)
    fields = ["code", "name", "kind", "county_code", "township_code", "address", "phone"]
    return _edit(InstitutionSchema(), "org/institution_form.html",
                 lambda data: services.save_institution(data, institution), obj=institution,
                 initial=_as_form(institution, fields),
                 redirect_to=lambda _i: url_for("org.institutions"),
                 kinds=choices("institution_kind"))


# --- communities ------------------------------------------------------------------------

@bp.route("/communities")
@managers
def communities():
    institution = working_institution()
    grid_counts = dict(db.session.execute(
        select(Grid.community_id, func.count(Grid.id)).group_by(Grid.community_id)).all())
    return render_template("org/communities.html", institution=institution,
                           communities=institution.communities, grid_counts=grid_counts)


@bp.route("/communities/new", methods=["GET", "POST"])
@managers
def community_new():
    institution = working_institution()
    return _edit(CommunitySchema(), "org/community_form.html",
                 lambda data: services.save_community(institution, data),
                 redirect_to=lambda _c: url_for("org.communities"),
                 kinds=choices("community_kind"), institution=institution)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@managers
def community_edit(community_id: int):
    community = _community_or_404(community_id)
    return _edit(CommunitySchema(), "org/community_form.html",
                 lambda data: services.save_community(community.institution, data, community),
                 obj=community, initial=_as_form(community, ["code", "name", "kind"]),
                 redirect_to=lambda _c: url_for("org.communities"),
                 kinds=choices("community_kind"), institution=community.institution)


# --- grids ------------------------------------------------------------------------------

@bp.route("/grids")
@managers
def grids():
    institution = working_institution()
    community_id = request.args.get("community_id", type=int)
    day = today()
    query = (select(Grid).join(Community).where(Community.institution_id == institution.id)
             .options(selectinload(Grid.team).selectinload(Team.memberships),
                      selectinload(Grid.community))
             .order_by(Community.code, Grid.code))
    if community_id:
        query = query.where(Grid.community_id == community_id)
    rows = db.session.scalars(query).all()
    registered = dict(db.session.execute(
        select(Household.grid_id, func.count(Household.id))
        .where(Household.active, Household.grid_id.in_([g.id for g in rows]))
        .group_by(Household.grid_id)).all()) if rows else {}
    uncovered = [g for g in rows if not services.grid_has_active_team(g, day)]
    return render_template("org/grids.html", institution=institution, grids=rows,
                           uncovered_ids={g.id for g in uncovered}, registered=registered,
                           communities=institution.communities, community_id=community_id,
                           day=day)


def _team_choices(institution: Institution):
    teams = db.session.scalars(select(Team).where(
        Team.institution_id == institution.id).order_by(Team.name)).all()
    return [(t.id, t.name) for t in teams]


@bp.route("/grids/new", methods=["GET", "POST"])
@managers
def grid_new():
    institution = working_institution()
    return _edit(GridSchema(), "org/grid_form.html",
                 lambda data: services.save_grid(_community_or_404(data["community_id"]), data),
                 initial={"community_id": request.args.get("community_id", ""),
                          "population": "1500", "households": "500"},
                 redirect_to=lambda _g: url_for("org.grids"), kinds=choices("grid_kind"),
                 communities=institution.communities, teams=_team_choices(institution))


@bp.route("/grids/<int:grid_id>/edit", methods=["GET", "POST"])
@managers
def grid_edit(grid_id: int):
    grid = _grid_or_404(grid_id)
    institution = grid.community.institution
    fields = ["community_id", "code", "name", "kind", "population", "households", "streets",
              "team_id"]
    return _edit(GridSchema(), "org/grid_form.html",
                 lambda data: services.save_grid(_community_or_404(data["community_id"]), data,
                                                 grid),
                 obj=grid, initial=_as_form(grid, fields),
                 redirect_to=lambda _g: url_for("org.grids"), kinds=choices("grid_kind"),
                 communities=institution.communities, teams=_team_choices(institution))


# --- staff ------------------------------------------------------------------------------

@bp.route("/staff")
@managers
def staff_list():
    rows = db.session.scalars(_visible_staff_query().options(
        selectinload(Staff.institution), selectinload(Staff.memberships)
        .selectinload(TeamMembership.team)).order_by(Staff.active.desc(), Staff.name)).all()
    return render_template("org/staff.html", staff=rows, day=today())


def _institution_choices():
    rows = db.session.scalars(select(Institution).order_by(Institution.kind, Institution.name))
    return [(i.id, i.name) for i in rows]


@bp.route("/staff/new", methods=["GET", "POST"])
@managers
def staff_new():
    own = current_user.institution_id or ""
    return _edit(StaffSchema(), "org/staff_form.html", services.save_staff,
                 initial={"institution_id": str(own), "is_medical": "1", "active": "1"},
                 redirect_to=lambda _s: url_for("org.staff_list"),
                 institutions=_institution_choices())


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@managers
def staff_edit(staff_id: int):
    staff = _staff_or_404(staff_id)
    fields = ["institution_id", "name", "is_medical", "title", "phone", "active"]
    return _edit(StaffSchema(), "org/staff_form.html",
                 lambda data: services.save_staff(data, staff), obj=staff,
                 initial=_as_form(staff, fields),
                 redirect_to=lambda _s: url_for("org.staff_list"),
                 institutions=_institution_choices())


# --- teams ------------------------------------------------------------------------------

@bp.route("/teams")
def teams():
    scope = current_scope()
    day = today()
    rows = db.session.scalars(
        select(Team).where(scope.team_filter(Team.id)).order_by(Team.name)
        .options(selectinload(Team.grids), selectinload(Team.memberships)
                 .selectinload(TeamMembership.staff))).all()
    missing = {team.id: services.missing_roles(team, day) for team in rows}
    return render_template("org/teams.html", teams=rows, missing=missing, day=day,
                           can_edit=current_user.role in ("admin", "manager"))


@bp.route("/teams/new", methods=["GET", "POST"])
@managers
def team_new():
    institution = working_institution()
    return _edit(TeamSchema(), "org/team_form.html",
                 lambda data: services.save_team(institution, data),
                 redirect_to=lambda team: url_for("org.team_detail", team_id=team.id))


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@managers
def team_edit(team_id: int):
    team = get_team_or_404(team_id)
    return _edit(TeamSchema(), "org/team_form.html",
                 lambda data: services.save_team(team.institution, data, team), obj=team,
                 initial=_as_form(team, ["name", "service_hours", "phone"]),
                 redirect_to=lambda t: url_for("org.team_detail", team_id=t.id))


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team_detail(team_id: int):
    """The team's page; managers add members here (POST)."""
    team = get_team_or_404(team_id)
    day = today()
    errors, form = {}, {"start_date": day.isoformat()}
    if request.method == "POST":
        if current_user.role not in ("admin", "manager"):
            abort(403)
        form = clean_form(request.form)
        data, errors = load_form(MembershipSchema(), form)
        if data is not None:
            try:
                services.add_member(team, data)
            except services.OrgConflict as exc:
                errors = exc.as_errors()
            else:
                db.session.commit()
                flash(_("Member added."), "success")
                return redirect(url_for("org.team_detail", team_id=team.id))
    candidates = db.session.scalars(_visible_staff_query().where(Staff.active)
                                    .order_by(Staff.name)).all() \
        if current_user.role in ("admin", "manager") else []
    return render_template(
        "org/team_detail.html", team=team, day=day, errors=errors, form=form,
        missing=services.missing_roles(team, day), candidates=candidates,
        roles=choices("member_role"), can_edit=current_user.role in ("admin", "manager"),
    ), (422 if errors else 200)


@bp.post("/teams/<int:team_id>/members/<int:membership_id>/end")
@managers
def member_end(team_id: int, membership_id: int):
    team = get_team_or_404(team_id)
    membership = db.session.get(TeamMembership, membership_id)
    if membership is None or membership.team_id != team.id:
        abort(404)
    data, errors = load_form(EndMembershipSchema(), clean_form(request.form))
    if data is None:
        flash(" ".join(sum(errors.values(), [])), "error")
    else:
        try:
            services.end_member(membership, data["end_date"])
        except services.OrgConflict as exc:
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Membership ended."), "success")
    return redirect(url_for("org.team_detail", team_id=team.id))
