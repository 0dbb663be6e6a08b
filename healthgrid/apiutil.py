"""Shared pieces of the JSON API: authenticated blueprints, path guards, and answering a
use case's refusal."""
from contextlib import contextmanager

from flask_smorest import Blueprint
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser

from .auth.loading import authenticate_api_request
from .domain import DomainError
from .extensions import csrf
from .forms import wrong_types

PUBLIC_API_ENDPOINTS = set()
# Path argument -> loader that aborts with 404 outside the caller's scope. Run before the
# request body is parsed, so that an outsider learns nothing from validation errors.
PATH_GUARDS: dict = {}


class JsonParser(FlaskParser):
    """Reads every API input. A JSON body's values must have the types the OpenAPI
    document gives them before the schema sees them: the one place where a wrong-typed
    value becomes a 422 with a field message (and 0 is not a boolean)."""

    def pre_load(self, location_data, *, schema, req, location):
        if location == "json":
            problems = wrong_types(schema, location_data)
            if problems:
                # The other fields' messages too, all at once, as for any invalid input.
                rest = {k: v for k, v in location_data.items() if k not in problems}
                try:
                    schema.load(rest)
                except ValidationError as exc:
                    if isinstance(exc.messages, dict):
                        problems = {**exc.messages, **problems}
                raise ValidationError(problems)
        return location_data


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonParser()


def api_blueprint(name: str, import_name: str, description: str = "") -> Blueprint:
    """A flask-smorest blueprint under /api/v1 whose endpoints need a bearer token,
    except those marked with @public."""
    blp = ApiBlueprint(name, import_name, url_prefix="/api/v1", description=description)
    csrf.exempt(blp)

    @blp.before_request
    def _auth():
        from flask import request
        if request.endpoint not in PUBLIC_API_ENDPOINTS:
            authenticate_api_request()
            for name, value in (request.view_args or {}).items():
                if name in PATH_GUARDS:
                    PATH_GUARDS[name](value)

    return blp


def guard(argument: str, loader) -> None:
    """Check `argument` of every API path with `loader` (which 404s outside the scope)."""
    PATH_GUARDS[argument] = loader


def public(blp: Blueprint, endpoint: str) -> None:
    PUBLIC_API_ENDPOINTS.add(f"{blp.name}.{endpoint}")


def fail(exc) -> None:
    """Answer a DomainError: roll back whatever the request began, then the JSON error."""
    from flask_smorest import abort
    from .extensions import db
    db.session.rollback()
    abort(exc.status, message=str(exc.message), errors=exc.as_errors())


@contextmanager
def committed():
    """The write an API handler makes: what the block does is committed, unless a use case
    refused (a DomainError), which is answered as JSON after a rollback."""
    from .extensions import db
    try:
        yield
    except DomainError as exc:
        fail(exc)
    db.session.commit()
