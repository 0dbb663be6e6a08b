"""Errors: JSON {"code", "message", "errors"} under /api/, a page in the user's language elsewhere."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (Conflict, HTTPException, InternalServerError,
                                 MethodNotAllowed, UnprocessableEntity)

from .extensions import db
from .forms import translate_errors


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This action is not allowed here."),
        409: _("Someone else changed this record; reload it and try again."),
        413: _("The upload is too large."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts; please wait a minute."),
        500: _("Something went wrong on our side; nothing was saved."),
    }


def _with_allow(response, exc: HTTPException):
    """A 405 names the methods the path takes (RFC 9110): the routing table's, which
    werkzeug gathered into the exception when no rule matched the method."""
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        db.session.rollback()
        code = exc.code or 500
        default = _messages().get(code, exc.name)
        if _is_api():
            errors = {}
            data = getattr(exc, "data", None) or {}
            if isinstance(data, dict):
                errors = data.get("messages") or data.get("errors") or {}
                # webargs nests errors by location ("json", "query"); callers want fields.
                if set(errors) <= {"json", "query", "form", "files", "headers"} and errors:
                    flat = {}
                    for part in errors.values():
                        if isinstance(part, dict):
                            flat.update(part)
                        else:  # about the whole body, e.g. JSON that does not parse
                            flat.setdefault("_schema", []).extend(part)
                    errors = flat
            message = data.get("message") if isinstance(data, dict) and data.get("message") else None
            message = message or (exc.description if code == 409 and exc.description
                                  and exc.description != Conflict.description else default)
            response = jsonify({"code": code, "message": str(message),
                                "errors": translate_errors(errors)})
            response.status_code = code
            if code == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            return _with_allow(response, exc)
        template = "errors/error.html"
        description = exc.description if code == 409 and exc.description != Conflict.description \
            else default
        return _with_allow(make_response(render_template(template, code=code,
                                                         message=description), code), exc)

    @app.errorhandler(StaleDataError)
    def _stale(_exc):
        db.session.rollback()
        return _http(Conflict())

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)  # SQLite's driver refuses an integer beyond 64 bits
    def _out_of_range(_exc):
        # A value the column cannot hold (too long, too large) that validation let through.
        db.session.rollback()
        return _http(UnprocessableEntity())

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return _http(InternalServerError())
