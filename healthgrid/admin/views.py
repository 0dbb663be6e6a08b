"""The audit log page: who did what, when and from where (admins and managers)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from healthgrid.auth.loading import roles_required
from healthgrid.auth.scope import current_scope
from healthgrid.forms import clean_form, load_form

from . import services
from .schemas import AuditSearchSchema, action_text
from .words import detail_text, object_text, references

bp = Blueprint("admin", __name__, url_prefix="/admin")

FILTERS = ["user", "resident", "action", "date_from", "date_to", "page", "per_page"]


@bp.before_request
@login_required
@roles_required("admin", "manager")
def _admins_and_managers_only():
    """Every page here needs a signed-in admin or manager."""


@bp.route("/audit")
def audit_log():
    form = clean_form(request.args, FILTERS)
    params, errors = load_form(AuditSearchSchema(), form)
    entries, total = [], 0
    if params is not None:
        scope = current_scope()
        entries, total = services.search_audit(scope, params)
        archive_nos = services.archive_numbers(scope, (e.resident_id for e in entries))
    else:
        params, archive_nos = AuditSearchSchema().load({}), {}
    query = {k: v for k, v in form.items() if k != "page"}
    names = services.object_names(references(e.detail for e in entries))
    return render_template("admin/audit.html", entries=entries, total=total, form=form,
                           errors=errors, params=params, query=query,
                           archive_nos=archive_nos, action_text=action_text,
                           object_text=object_text,
                           detail_text=lambda detail: detail_text(detail, names)), \
        (422 if errors else 200)
