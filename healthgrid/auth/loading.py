"""How a request finds its user: the session cookie for pages, a bearer token for the API."""
from functools import wraps

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from healthgrid.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(session_id: str):
        from .models import User
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user


def authenticate_api_request() -> None:
    """For API blueprints: a valid bearer token or 401; session cookies are not accepted,
    which is what lets the API skip CSRF tokens safely."""
    from .services import user_for_token
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    user = user_for_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if user is None:
        abort(401)
    g._login_user = user  # what flask_login.current_user reads
    g.pop("_scope", None)


def roles_required(*roles: str):
    """403 for a role that may never do this (scope checks still give 404 per object)."""
    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return fn(*args, **kwargs)
        return wrapper
    return decorator
