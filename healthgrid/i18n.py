"""Language: Simplified Chinese by default, English on request (session)."""
from flask import Flask, current_app, session
from flask_babel import get_locale


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def init_templates(app: Flask) -> None:
    from . import labels

    @app.context_processor
    def _globals():
        return {"current_locale": str(get_locale()), "label": labels.label,
                "reason_text": labels.reason_text, "waiting_referrals": waiting_referrals,
                "waiting_events": waiting_events}


def waiting_referrals() -> dict[str, int]:
    """The navigation's referral counters for the signed-in user (counted once per request,
    only when a page shows the navigation)."""
    from flask import g
    from flask_login import current_user
    from sqlalchemy.exc import SQLAlchemyError

    from .auth.scope import current_scope
    from .referral.services import waiting_counts

    if not current_user.is_authenticated:
        return {}
    if "_waiting_referrals" not in g:
        try:
            g._waiting_referrals = waiting_counts(current_user, current_scope())
        except SQLAlchemyError:  # a counter must never take the page down with it
            current_app.logger.exception("referral counters")
            g._waiting_referrals = {}
    return g._waiting_referrals


def waiting_events() -> dict[str, int]:
    """The navigation's grid-event counters: events waiting at the user's level, and
    emergencies not yet accepted (managers and the district)."""
    from flask import g
    from flask_login import current_user
    from sqlalchemy.exc import SQLAlchemyError

    from .auth.scope import current_scope
    from .events.services import waiting_counts

    if not current_user.is_authenticated or current_user.role not in (
            "admin", "manager", "doctor"):
        return {}
    if "_waiting_events" not in g:
        try:
            g._waiting_events = waiting_counts(current_user, current_scope())
        except SQLAlchemyError:  # a counter must never take the page down with it
            current_app.logger.exception("event counters")
            g._waiting_events = {}
    return g._waiting_events
