from flask import current_app
from flask_babel import gettext as _

from healthgrid.apiutil import api_blueprint, public
from healthgrid.extensions import db, limiter

from .schemas import LoginSchema, TokenOutSchema
from .services import authenticate, issue_token

blp = api_blueprint("auth_api", __name__, description="Bearer tokens")


@blp.route("/auth/token", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@blp.arguments(LoginSchema)
@blp.response(200, TokenOutSchema)
@blp.alt_response(401, description="Wrong credentials")
@blp.doc(security=[])
def token(credentials):
    """Exchange a username and password for a bearer token."""
    user = authenticate(credentials["username"], credentials["password"])
    if user is None:
        db.session.commit()
        from flask import abort
        abort(401, _("Wrong username or password."))
    raw, expires_at = issue_token(user, current_app.config["API_TOKEN_TTL_HOURS"])
    db.session.commit()
    return {"token": raw, "expires_at": expires_at}


public(blp, "token")
