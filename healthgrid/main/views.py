"""The landing page after sign-in: what waits for this user."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    # Each role starts where its daily work is.
    if current_user.role in ("admin", "manager"):
        return redirect(url_for("kpi.dashboard"))
    if current_user.role == "referral_desk":
        return redirect(url_for("referral.index"))
    if current_user.role == "doctor":
        return redirect(url_for("chronic.worklist"))
    return render_template("main/home.html")


@bp.route("/api/v1/docs")
def api_docs():
    """Swagger UI from vendored files (no CDN), reading our OpenAPI document."""
    return render_template("main/apidocs.html")
