from flask import abort as http_abort
from flask_login import current_user
from flask_smorest import abort

from healthgrid.apiutil import api_blueprint, committed, guard
from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.forms import translate_errors
from healthgrid.org.models import Team
from healthgrid.records.services import get_resident_or_404

from . import services
from .rules import PROGRAMS
from .access import (get_check_or_404, get_enrollment_or_404, get_followup_or_404,
                     worklist_teams)
from .schemas import (CheckOutSchema, CheckSchema, EnrollmentCreateSchema, EnrollmentExitSchema,
                      EnrollmentOutSchema, FollowupDetailSchema, FollowupSchema,
                      WorklistQuerySchema, WorklistSchema)

blp = api_blueprint("chronic_api", __name__, description="Programs, follow-ups and worklists")

guard("enrollment_id", get_enrollment_or_404)
guard("followup_id", get_followup_or_404)
guard("check_id", get_check_or_404)
team_roles = roles_required("admin", "manager", "doctor")



def _load(schema, payload: dict) -> dict:
    """Validate again with what only the enrollment knows (its program and start): the
    decorator's first pass checks what holds for every visit."""
    from marshmallow import ValidationError
    try:
        return schema.load(payload or {})
    except ValidationError as exc:
        abort(422, errors=translate_errors(exc.messages))


@blp.route("/residents/<int:resident_id>/enrollments", methods=["POST"])
@team_roles
@blp.arguments(EnrollmentCreateSchema)
@blp.response(201, EnrollmentOutSchema)
@blp.alt_response(409, description="Already enrolled in this program")
def create_enrollment(data, resident_id: int):
    """Enroll a resident in hypertension, diabetes or elderly management."""
    resident = get_resident_or_404(resident_id)
    with committed():
        enrollment = services.enroll(resident, data["program"], data["enrolled_on"])
    return enrollment


@blp.route("/residents/<int:resident_id>/enrollments", methods=["GET"])
@team_roles
@blp.response(200, EnrollmentOutSchema(many=True))
def list_enrollments(resident_id: int):
    return services.enrollments_of(get_resident_or_404(resident_id))


@blp.route("/enrollments/<int:enrollment_id>/exit", methods=["POST"])
@team_roles
@blp.arguments(EnrollmentExitSchema)
@blp.response(200, EnrollmentOutSchema)
def exit_enrollment(data, enrollment_id: int):
    """End an enrollment (deceased, moved out, refused, misdiagnosis)."""
    enrollment = get_enrollment_or_404(enrollment_id)
    with committed():
        services.end_enrollment(enrollment, data["reason"], data["exited_on"])
    return enrollment


@blp.route("/enrollments/<int:enrollment_id>/followups", methods=["POST"])
@team_roles
@blp.arguments(FollowupSchema)
@blp.response(201, FollowupDetailSchema)
def create_followup(_generic, enrollment_id: int):
    """Record a visit; the answer carries the classification and the next due date."""
    from flask import request
    enrollment = get_enrollment_or_404(enrollment_id)
    data = _load(FollowupSchema(program=enrollment.program, enrolled_on=enrollment.enrolled_on),
                 request.get_json(silent=True))
    with committed():
        followup = services.record_followup(enrollment, data, current_user.id)
    return followup


@blp.route("/followups/<int:followup_id>", methods=["GET"])
@team_roles
@blp.response(200, FollowupDetailSchema)
def get_followup(followup_id: int):
    """A visit as recorded: every field of the national sheet, the computed BMI,
    classification, reasons and next due date, and who recorded it."""
    return get_followup_or_404(followup_id)


@blp.route("/enrollments/<int:enrollment_id>/checks", methods=["POST"])
@team_roles
@blp.arguments(CheckSchema)
@blp.response(201, CheckOutSchema)
def create_check(_generic, enrollment_id: int):
    """Record an elderly annual check with the self-care assessment."""
    from flask import request
    enrollment = get_enrollment_or_404(enrollment_id)
    data = _load(CheckSchema(enrolled_on=enrollment.enrolled_on), request.get_json(silent=True))
    with committed():
        check = services.record_check(enrollment, data, current_user.id)
    return check


@blp.route("/checks/<int:check_id>", methods=["GET"])
@team_roles
@blp.response(200, CheckOutSchema)
def get_check(check_id: int):
    """An annual check as recorded: every field of the national form, the self-care score
    and level, BMI, screening flags, next due date and who recorded it."""
    return get_check_or_404(check_id)


@blp.route("/residents/<int:resident_id>/forms.pdf", methods=["GET"])
@team_roles
@blp.response(200, description="The resident's national forms as a PDF",
              content_type="application/pdf")
def resident_forms_pdf(resident_id: int):
    """The personal basic information form, every annual check and the follow-up sheets
    of `year` (four visits a sheet), in the national layout."""
    from flask import request
    from healthgrid.downloads import pdf_response
    from . import printing
    resident = get_resident_or_404(resident_id)
    year = request.args.get("year", type=int) or today().year
    data = printing.resident_forms_pdf(resident, year)
    db.session.commit()
    return pdf_response(data, f"archive-{resident.archive_no}-{year}.pdf")


@blp.route("/grids/<int:grid_id>/forms.pdf", methods=["GET"])
@team_roles
@blp.response(200, description="A grid's national forms of one program as a PDF",
              content_type="application/pdf")
def grid_forms_pdf(grid_id: int):
    """Every enrolled resident of the grid in `program`: the follow-up sheets of `year`
    (the annual checks for elderly); `profile=1` adds each one's basic information form."""
    from flask import request
    from healthgrid.auth.scope import get_grid_or_404
    from healthgrid.downloads import pdf_response
    from . import printing
    grid = get_grid_or_404(grid_id)
    program = request.args.get("program", "hypertension")
    if program not in PROGRAMS:
        abort(422, errors={"program": ["Not one of the allowed choices."]})
    year = request.args.get("year", type=int) or today().year
    data = printing.grid_forms_pdf(grid, program, year,
                                   with_profile=request.args.get("profile") == "1")
    db.session.commit()
    return pdf_response(data, f"grid-{grid.code}-{program}-{year}.pdf")


@blp.route("/worklist", methods=["GET"])
@team_roles
@blp.arguments(WorklistQuerySchema, location="query")
@blp.response(200, WorklistSchema)
def get_worklist(params):
    """Overdue and due-within-7-days patients of a team's grids, urgent first."""
    scope = current_scope()
    team_id = params["team_id"]
    if team_id is None:  # the page's default: the first of the caller's teams by name
        team_id = next((t.id for t in worklist_teams(scope)), None)
        if team_id is None:  # a member of no team must name one
            abort(422, errors={"team_id": ["Missing data for required field."]})
    team = db.session.get(Team, team_id)
    if team is None or not scope.allows_team(team.id):
        http_abort(404)
    grid_ids = {g.id for g in team.grids}
    if params["grid_id"]:
        if params["grid_id"] not in grid_ids:
            http_abort(404)
        grid_ids = {params["grid_id"]}
    day = params["as_of"] or today()
    overdue, due_soon = services.worklist(grid_ids, day, params["program"])
    return {"as_of": day, "team_id": team.id, "overdue": overdue, "due_soon": due_soon}
