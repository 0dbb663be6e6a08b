"""Map pages: the centre's map coloured by an indicator (a team's grid with its households
for a doctor), drawing a grid's boundary, placing a household at the door, a grid's map
page with the households outside it, and the GeoJSON import."""
from __future__ import annotations

import io
import json

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope, get_grid_or_404
from healthgrid.auth.services import audit
from healthgrid.clock import today
from healthgrid.downloads import pdf_response
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.forms import clean_form, load_form
from healthgrid.kpi import rules as kpi_rules
from healthgrid.labels import label
from healthgrid.org.models import Grid, Institution
from healthgrid.records.services import get_household_or_404

from . import access, imports, layers, printing, services
from .models import HouseholdLocation
from .schemas import CentreQuerySchema

bp = Blueprint("geo", __name__, url_prefix="/map")
OUTSIDE_ON_GRID_PAGE = 20   # the rest on the list of households outside their grid


@bp.before_request
@login_required
@roles_required(*access.MAP_ROLES)
def _signed_in_only():
    """Grid teams and the centre's managers; each sees the grids of their scope."""


def _map_query() -> dict:
    code = request.args.get("indicator") or access.DEFAULT_INDICATOR
    if code not in kpi_rules.BY_CODE:
        code = access.DEFAULT_INDICATOR
    return {"indicator": code, "period": request.args.get("period") or str(today().year),
            "scope": request.args.get("scope") or None}


def _tiles() -> dict:
    return {"url": current_app.config.get("MAP_TILE_URL") or "",
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}


@bp.route("/")
def index():
    q = _map_query()
    scope = current_scope()
    grids = db.session.scalars(select_grids(scope)).all()
    return render_template(
        "geo/map.html", q=q, indicators=kpi_rules.INDICATORS, grids=grids,
        can_edit=current_user.role in access.EDIT_ROLES, tiles=_tiles(),
        doctor=current_user.role == "doctor", edit_grid=request.args.get("edit", type=int),
        outside_count=len(services.outside_households(g.id for g in grids)),
        centres=_centre_choices(), centre_shown=access.centre_in_view(q["scope"]))


def select_grids(scope):
    return select(Grid).where(scope.grid_filter(Grid.id)).order_by(Grid.community_id, Grid.code)


@bp.route("/data/grids")
def data_grids():
    q = _map_query()
    try:
        return jsonify(access.indicator_map(q["scope"], q["indicator"], q["period"], None))
    except DomainError as exc:
        return jsonify({"code": 422, "message": str(exc.message),
                        "errors": {exc.field: [str(exc.message)]}}), 422


@bp.route("/data/communities")
def data_communities():
    return jsonify(access.community_map(_map_query()["scope"]))


@bp.route("/data/households")
def data_households():
    grid = get_grid_or_404(request.args.get("grid_id", type=int) or 0)
    return jsonify(layers.households_collection(grid, today()))


@bp.route("/data/events")
def data_events():
    grid = get_grid_or_404(request.args.get("grid_id", type=int) or 0)
    return jsonify(layers.events_collection(grid))


@bp.route("/boundary", methods=["POST"])
@roles_required(*access.EDIT_ROLES)
def save_boundary():
    """The boundary drawn on the map (the form carries it as GeoJSON)."""
    grid_id = request.form.get("grid_id", type=int) or 0
    grid = get_grid_or_404(grid_id)
    try:
        geometry = json.loads(request.form.get("geometry") or "null")
        access.draw_boundary(grid.id, geometry)
    except ValueError:
        db.session.rollback()
        flash(_("Draw the grid's outline on the map first."), "error")
        return redirect(url_for("geo.index", edit=grid.id))
    except DomainError as exc:
        db.session.rollback()
        flash(_("The boundary was not saved: %(why)s", why=exc.message), "error")
        return redirect(url_for("geo.index", edit=grid.id))
    db.session.commit()
    flash(_("Boundary of %(grid)s saved.", grid=grid.name), "success")
    return redirect(url_for("geo.grid", grid_id=grid.id))


def _centre_choices() -> list[tuple[int, str]] | None:
    """The centres an administrator chooses among (None for a manager: their own)."""
    if current_user.role != "admin":
        return None
    return [(c.id, f"{c.code} {c.name}") for c in services.health_centres()]


def _chosen_centre(values) -> Institution:
    """The centre a page's institution_id names, within what the caller may choose."""
    data, errors = load_form(CentreQuerySchema(), clean_form(values, ["institution_id"]))
    if data is None:
        raise DomainError("institution_id", errors["institution_id"][0])
    return access.centre_of_caller(data["institution_id"])


@bp.route("/boundaries/import", methods=["GET", "POST"])
@roles_required(*access.EDIT_ROLES)
def import_boundaries():
    problems, error, errors = [], None, {}
    form = clean_form(request.values, ["institution_id"])
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            centre = _chosen_centre(request.form)
            collection = json.loads((upload.read() if upload else b"").decode("utf-8-sig"))
            count = access.import_boundaries(centre, collection)
        except (ValueError, UnicodeDecodeError):
            db.session.rollback()
            error = _("The file is not GeoJSON.")
        except services.BoundaryImportError as exc:
            db.session.rollback()
            problems = [p.as_errors() | {"index": p.index} for p in exc.problems]
            error = str(exc.message)
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "institution_id":
                errors = exc.as_errors()
            else:
                error = str(exc.message)
        else:
            db.session.commit()
            flash(_("%(n)d grid boundaries imported.", n=count), "success")
            return redirect(url_for("geo.index", scope=f"institution:{centre.id}"))
    return render_template("geo/import.html", problems=problems, error=error, errors=errors,
                           form=form, centres=_centre_choices()), \
        422 if error or errors else 200


@bp.route("/grids/<int:grid_id>")
def grid(grid_id: int):
    grid = get_grid_or_404(grid_id)
    outside = services.outside_households([grid.id])
    total_outside = len(outside)
    outside = outside[:OUTSIDE_ON_GRID_PAGE]
    names = dict(db.session.query(Grid.id, Grid.name).filter(
        Grid.id.in_({o["located_grid_id"] for o in outside if o["located_grid_id"]})).all())
    return render_template("geo/grid.html", grid=grid, outside=outside, names=names,
                           total_outside=total_outside,
                           tiles=_tiles(), has_boundary=services.areas_of([grid.id]) != {})


@bp.route("/outside")
def outside():
    """Located households outside their own grid, for the manager (and a team its own)."""
    scope = current_scope()
    grids = {g.id: g for g in db.session.scalars(select_grids(scope))}
    only = request.args.get("grid_id", type=int)
    rows = services.outside_households([only] if only in grids else grids)
    return render_template("geo/outside.html", rows=rows, grids=grids,
                           located_names={g.id: g.name for g in grids.values()})


@bp.route("/households/<int:household_id>/locate", methods=["GET", "POST"])
def locate(household_id: int):
    """At the door: the phone's position or a tap on the map, then the grid it falls in."""
    household = get_household_or_404(household_id)
    row = db.session.get(HouseholdLocation, household.id)
    errors = {}
    if request.method == "POST":
        source = request.form.get("source") if request.form.get("source") in ("gps", "map") \
            else "map"
        try:
            lng, lat = _number(request.form, "lng"), _number(request.form, "lat")
            row = access.place_household(household, lng, lat, source)
        except DomainError as exc:
            db.session.rollback()
            errors = {exc.field: str(exc.message)}
        else:
            db.session.commit()
            where = db.session.get(Grid, row.located_grid_id) if row.located_grid_id else None
            if where is None:
                flash(_("Location saved. It lies in no grid of the centre."), "error")
            elif where.id != household.grid_id:
                flash(_("Location saved. It lies in %(grid)s, not in the household's grid.",
                        grid=where.name), "error")
            else:
                flash(_("Location saved: in %(grid)s.", grid=where.name), "success")
            return redirect(url_for("geo.locate", household_id=household.id))
    located = db.session.get(Grid, row.located_grid_id) if row and row.located_grid_id else None
    return render_template("geo/locate.html", household=household, location=row,
                           located=located, errors=errors, tiles=_tiles(),
                           form=request.form if errors else {}), 422 if errors else 200


def _number(form, name: str):
    raw = (form.get(name) or "").strip()
    try:
        return float(raw)
    except ValueError:
        raise DomainError(name, services.REASON_TEXT["not_number"]) from None


@bp.app_context_processor
def _helpers():
    return {"indicator_label": lambda code: label("indicator", code)}


@bp.route("/grids/<int:grid_id>/plan.pdf")
def plan_pdf(grid_id: int):
    grid = get_grid_or_404(grid_id)
    data = printing.to_pdf(printing.plan_html(grid, today()))
    audit("map.plan", detail=f"grid={grid.id}")
    db.session.commit()
    return pdf_response(data, _("Grid plan-%(grid)s.pdf", grid=grid.name),
                        fallback=f"grid-plan-{grid.id}.pdf")


@bp.route("/panorama.pdf")
@roles_required(*access.EDIT_ROLES)
def panorama_pdf():
    """The centre's panorama: a manager's own; an administrator chooses the centre."""
    try:
        institution = _chosen_centre(request.args)
    except DomainError as exc:
        return render_template("geo/panorama.html", centres=_centre_choices(),
                               errors=exc.as_errors(),
                               form=clean_form(request.args, ["institution_id"])), 422
    data = printing.to_pdf(printing.panorama_html(institution, today()))
    audit("map.panorama", detail=f"institution={institution.id}")
    db.session.commit()
    return pdf_response(data, _("Grid panorama.pdf"), fallback="grid-panorama.pdf")


@bp.route("/locations/import", methods=["GET", "POST"])
def import_locations():
    """Household locations from Excel (household number, longitude, latitude)."""
    problems, error = [], None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            count = imports.import_locations(upload.stream if upload else io.BytesIO(),
                                             current_scope().allows_grid)
        except imports.LocationImportError as exc:
            db.session.rollback()
            problems, error = exc.problems, str(exc.message)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc.message)
        else:
            audit("map.import_locations", detail=f"rows={count}")
            db.session.commit()
            flash(_("%(n)d household locations imported.", n=count), "success")
            return redirect(url_for("geo.index"))
    return render_template("geo/import_locations.html", problems=problems, error=error), \
        422 if error else 200
