"""What the KPI pages and API share: the scope, period and as-of day a request asks for,
resolved within the caller's scope, and the figures counted for them."""
from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from healthgrid.auth.scope import current_scope
from healthgrid.clock import today
from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.org.models import Community

from . import rules, services

PERIOD_HELP = _l("A period is a year (2026), a quarter (2026-Q3) or a month (2026-11).")
AS_OF_HELP = _l("as_of must lie within the period.")


def default_scope() -> str:
    """Managers track the centre; team members their own team (the dashboard and the map
    open there)."""
    if current_user.role == "manager" and current_user.institution_id:
        return f"institution:{current_user.institution_id}"
    scope = current_scope()
    if current_user.role == "doctor" and scope.team_ids:
        return f"team:{sorted(scope.team_ids)[0]}"
    first = db.session.scalar(select(Community.institution_id).order_by(Community.id))
    return f"institution:{first}" if first else "institution:0"


def period_and_day(period_text: str, as_of: date | None) -> tuple[rules.Period, date]:
    """The period asked for and the day it is counted on (its end, or today if earlier);
    a DomainError names the field that is wrong."""
    try:
        period = rules.parse_period(period_text)
    except ValueError:
        raise DomainError("period", PERIOD_HELP) from None
    try:
        return period, period.as_of(today(), as_of)
    except ValueError:
        raise DomainError("as_of", AS_OF_HELP) from None


def scope_for(scope_text: str) -> services.ScopeRef:
    """A scope the caller may open; a malformed one answers 422, any other 404."""
    try:
        return services.resolve_scope(scope_text, current_scope())
    except ValueError:
        abort(422, description="scope")
    except services.ScopeNotFound:
        abort(404)


def compute_for(scope_text: str, period: rules.Period, as_of: date,
                with_trend: bool = False) -> services.Result:
    """Count the indicators of a scope the caller may open; any other answers 404."""
    return services.compute(scope_for(scope_text), period, as_of, today(), with_trend)
