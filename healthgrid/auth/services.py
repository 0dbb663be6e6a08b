"""Accounts, tokens and the audit trail: use cases that flush, never commit."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from healthgrid.clock import utcnow
from healthgrid.extensions import db

from .models import ApiToken, AuditEntry, User
from .rules import LOCKOUT, password_problems


class AccountError(ValueError):
    """A user-caused problem with an account; the message is a translatable key."""


def create_user(username: str, password: str, role: str, *, institution_id: int | None = None,
                staff_id: int | None = None) -> User:
    problems = password_problems(password, username)
    if problems:
        raise AccountError(problems[0])
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AccountError("username_taken")
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                institution_id=institution_id, staff_id=staff_id)
    db.session.add(user)
    db.session.flush()
    audit("user.create", user, detail=f"role={role}")
    return user


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.username)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = generate_password_hash(password)
    _revoke_sessions(user)
    audit("user.password", user)


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        _revoke_sessions(user)
    audit("user.activate" if active else "user.deactivate", user)


def _revoke_sessions(user: User) -> None:
    user.session_version += 1
    for token in db.session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = utcnow()
    db.session.flush()


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right and the account usable; counts failures."""
    # No account name holds a NUL, which PostgreSQL's text cannot: such a name is unknown.
    username = username.replace("\x00", "\ufffd")
    user = db.session.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is None:
        audit("login.failed", detail=f"username={username[:64]}")
        return None
    if user.locked_until and user.locked_until > now:
        audit("login.locked", user)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= LOCKOUT.max_failures:
            user.locked_until = now + timedelta(minutes=LOCKOUT.minutes)
            user.failed_logins = 0
        audit("login.failed", user)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit("login", user, user_override=user)
    return user


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, ttl_hours: int) -> tuple[str, datetime]:
    raw = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=ttl_hours)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(raw),
                            session_version=user.session_version, expires_at=expires_at))
    db.session.flush()
    return raw, expires_at


def user_for_token(raw: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = token.user
    if not user.active or user.session_version != token.session_version:
        return None
    return user


def audit(action: str, obj=None, *, resident_id: int | None = None, detail: str | None = None,
          user_override: User | None = None) -> AuditEntry:
    """Record who did what to which object, from where. Never store full identifiers here."""
    user = user_override
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        action=action,
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        object_type=type(obj).__name__.lower() if obj is not None else None,
        object_id=getattr(obj, "id", None),
        resident_id=resident_id,
        ip=request.remote_addr if has_request_context() else "cli",
        detail=detail,
    )
    db.session.add(entry)
    return entry
