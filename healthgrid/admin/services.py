"""The audit trail, searched within the caller's scope."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import false, func, or_, select, true

from healthgrid.auth.models import AuditEntry, User
from healthgrid.auth.scope import Scope
from healthgrid.clock import CENTRE_TZ
from healthgrid.extensions import db
from healthgrid.records.models import Resident

from .schemas import ARCHIVE_NO


def visible_entries(scope: Scope):
    """Admins see everything; a manager the entries of their institution's users and the
    entries about residents of their grids; nobody else any."""
    if scope.role == "admin" and scope.is_all:
        return true()
    if scope.role != "manager" or scope.institution_id is None:
        return false()
    own_users = select(User.id).where(User.institution_id == scope.institution_id)
    own_residents = select(Resident.id).where(scope.grid_filter(Resident.grid_id))
    return or_(AuditEntry.user_id.in_(own_users), AuditEntry.resident_id.in_(own_residents))


def _utc_start(day: date) -> datetime:
    """Midnight of `day` in the centre's time zone, as the naive UTC the table stores."""
    return datetime.combine(day, time.min, CENTRE_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _filters(params: dict) -> list:
    where = []
    if params.get("user"):
        where.append(AuditEntry.username == params["user"])
    resident = params.get("resident")
    if resident:
        if ARCHIVE_NO.fullmatch(resident):
            where.append(AuditEntry.resident_id == select(Resident.id).where(
                Resident.archive_no == resident).scalar_subquery())
        else:
            where.append(AuditEntry.resident_id == int(resident))
    action = params.get("action")
    if action:
        # "resident" finds every resident.* action; "resident.view" only that one.
        escaped = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(or_(AuditEntry.action == action,
                         AuditEntry.action.like(escaped + ".%", escape="\\")))
    if params.get("date_from"):
        where.append(AuditEntry.at >= _utc_start(params["date_from"]))
    if params.get("date_to"):
        where.append(AuditEntry.at < _utc_start(params["date_to"] + timedelta(days=1)))
    return where


def search_audit(scope: Scope, params: dict) -> tuple[list[AuditEntry], int]:
    """One page of matching entries, newest first, and how many match in all."""
    where = [visible_entries(scope), *_filters(params)]
    total = db.session.scalar(select(func.count(AuditEntry.id)).where(*where))
    page, per_page = params["page"], params["per_page"]
    entries = db.session.scalars(
        select(AuditEntry).where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return list(entries), total


def archive_numbers(scope: Scope, resident_ids) -> dict[int, str]:
    """Archive numbers of those residents the caller may open."""
    ids = sorted({rid for rid in resident_ids if rid is not None})
    if not ids:
        return {}
    return dict(db.session.execute(select(Resident.id, Resident.archive_no).where(
        Resident.id.in_(ids), scope.grid_filter(Resident.grid_id))).all())


def object_names(refs) -> dict[tuple[str, int], str]:
    """Names of the teams, grids, institutions and staff an audit page's details name."""
    from healthgrid.org.models import Community, Grid, Institution, Staff, Team
    models = {"team": Team, "grid": Grid, "institution": Institution, "community": Community,
              "staff": Staff}
    names: dict[tuple[str, int], str] = {}
    for kind, model in models.items():
        ids = sorted(i for k, i in refs if k == kind)
        if ids:
            names.update({(kind, i): name for i, name in db.session.execute(
                select(model.id, model.name).where(model.id.in_(ids)))})
    return names
