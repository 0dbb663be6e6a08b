"""Sign in and out, language, own password, and the admin's user pages."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from healthgrid.extensions import db, limiter
from healthgrid.forms import clean_form, load_form
from healthgrid.org.models import Institution, Staff

from .loading import roles_required
from .models import ROLES, User
from .schemas import LoginSchema, PasswordChangeSchema, UserCreateSchema
from .services import AccountError, audit, authenticate, create_user, set_active, set_password

bp = Blueprint("auth", __name__)

ACCOUNT_MESSAGES = {
    "password_too_short": _l("The password must have at least 10 characters."),
    "password_contains_username": _l("The password must not contain the username."),
    "username_taken": _l("This username is already taken."),
}


def account_message(exc: AccountError) -> str:
    return str(ACCOUNT_MESSAGES.get(str(exc), str(exc)))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: `next` must never send a user to another host."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("main.home")
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    errors = {}
    if request.method == "POST":
        data, errors = load_form(LoginSchema(), clean_form(request.form))
        if data:
            user = authenticate(data["username"], data["password"])
            if user:
                session.clear()
                login_user(user)
                db.session.commit()
                return redirect(_safe_next(request.args.get("next")))
            db.session.commit()  # keep the failed-login count and audit entry
            flash(_("Wrong username or password, or the account is locked."), "error")
    return render_template("auth/login.html", errors=errors), (422 if errors else 200)


@bp.post("/logout")
@login_required
def logout():
    audit("logout")
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    errors = {}
    if request.method == "POST":
        data, errors = load_form(PasswordChangeSchema(), clean_form(request.form))
        if data:
            if not check_password_hash(current_user.password_hash, data["current_password"]):
                errors = {"current_password": [_("The current password is wrong.")]}
            elif data["new_password"] != data["confirm_password"]:
                errors = {"confirm_password": [_("The two new passwords differ.")]}
            else:
                try:
                    set_password(current_user, data["new_password"])
                except AccountError as exc:
                    errors = {"new_password": [account_message(exc)]}
                else:
                    db.session.commit()
                    login_user(current_user)  # this session carries the new version
                    flash(_("Your password has been changed."), "success")
                    return redirect(url_for("main.home"))
    return render_template("auth/password.html", errors=errors), (422 if errors else 200)


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
@roles_required("admin")
def users():
    errors, form = {}, {}
    if request.method == "POST":
        form = clean_form(request.form)
        data, errors = load_form(UserCreateSchema(), form)
        if data:
            try:
                create_user(data["username"], data["password"], data["role"],
                            institution_id=data.get("institution_id"),
                            staff_id=data.get("staff_id"))
            except AccountError as exc:
                field = "username" if str(exc) == "username_taken" else "password"
                errors = {field: [account_message(exc)]}
            else:
                db.session.commit()
                flash(_("User %(name)s created.", name=data["username"]), "success")
                return redirect(url_for("auth.users"))
    all_users = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "auth/users.html", users=all_users, roles=ROLES, errors=errors, form=form,
        institutions=db.session.scalars(select(Institution).order_by(Institution.name)).all(),
        staff=db.session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)).all(),
    ), (422 if errors else 200)


@bp.post("/admin/users/<int:user_id>/active")
@login_required
@roles_required("admin")
def toggle_active(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        set_active(user, not user.active)
        db.session.commit()
    return redirect(url_for("auth.users"))
