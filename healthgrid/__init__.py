"""HealthGrid: grid-based community health services."""
from __future__ import annotations

import gc

from flask import Flask
from werkzeug.routing import IntegerConverter

from . import config as _config


class BoundedIntConverter(IntegerConverter):
    """Path ids fit the databases' INTEGER; a longer number is simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(_config.INSTANCE_DIR))
    app.config.from_mapping(_config.load(config))
    app.url_map.converters["int"] = BoundedIntConverter
    _prepare_database_url(app)
    register_extensions(app)
    register_domains(app)
    register_errorhandlers(app)
    _freeze_start_up()
    return app


def _freeze_start_up() -> None:
    """What start-up made (modules, the app, SQLAlchemy's mappers, the API document) lives
    as long as the process: it is moved out of the cyclic collector's reach. The
    collector's full passes walked all of it in the middle of requests, a pause of up to
    200 ms (bench/map.py at 1,000,000 residents: the indicator map's slowest run 366 ms
    before, 156 ms after)."""
    gc.collect()
    gc.freeze()


def _prepare_database_url(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        _config.INSTANCE_DIR.mkdir(exist_ok=True)
    from .geo.spatial import engine_options
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        uri, app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every model registered before Alembic looks)
    from .auth.loading import init_login
    from .extensions import api, babel, csrf, db, limiter, migrate
    from .i18n import select_locale, select_timezone
    from .security import init_security

    db.init_app(app)
    from .dbsetup import init_engine_events
    init_engine_events(app)
    from .geo.spatial import include_object, init_spatial_engine
    with app.app_context():
        init_spatial_engine(db.engine)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True,
                     compare_type=True, include_object=include_object)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", None)  # our own docs page, vendored assets
    from .apidoc import DocumentPlugin
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearerAuth": []}],
        "extra_plugins": [DocumentPlugin()]})
    init_security(app)
    from .i18n import init_templates
    init_templates(app)


def _migrations_dir():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent / "migrations"


# Each domain registers its pages, API and commands, and connects itself to the others, in
# its own init_app; the order is the navigation's and the API document's.
DOMAINS = ("main", "auth", "org", "records", "chronic", "referral", "kpi", "surveys", "admin",
           "events", "geo", "demo")


def register_domains(app: Flask) -> None:
    from importlib import import_module
    for name in DOMAINS:
        import_module(f"{__name__}.{name}.wiring").init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from .errors import init_errors
    init_errors(app)
