"""HealthGrid: grid-based community health services."""
from __future__ import annotations

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
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


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
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearerAuth": []}]})
    init_security(app)
    from .i18n import init_templates
    init_templates(app)


def _migrations_dir():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from .extensions import api
    from .auth import api as auth_api, views as auth_views
    from .org import api as org_api, views as org_views
    from .main import views as main_views
    from .records import api as records_api, views as records_views
    from .chronic import api as chronic_api, services as chronic_services, views as chronic_views
    from .referral import api as referral_api, views as referral_views
    from .records.services import RESIDENT_PANELS
    from .kpi import api as kpi_api, views as kpi_views
    from .surveys import api as surveys_api, public as surveys_public, views as surveys_views
    from .admin import views as admin_views
    from .events import api as events_api, views as events_views

    for bp in (main_views.bp, auth_views.bp, org_views.bp, records_views.bp, chronic_views.bp,
               referral_views.bp, kpi_views.bp, surveys_views.bp, surveys_public.bp,
               admin_views.bp, events_views.bp):
        app.register_blueprint(bp)
    for blp in (auth_api.blp, org_api.blp, records_api.blp, chronic_api.blp, referral_api.blp,
                kpi_api.blp, surveys_api.blp, events_api.blp):
        api.register_blueprint(blp)
    chronic_services.connect()
    from .referral import services as referral_services
    referral_services.connect()
    from .kpi.store import maintain as kpi_store
    kpi_store.connect()
    if chronic_views.programs_panel not in RESIDENT_PANELS:
        RESIDENT_PANELS.append(chronic_views.programs_panel)
    if referral_views.referrals_panel not in RESIDENT_PANELS:
        RESIDENT_PANELS.append(referral_views.referrals_panel)
    from .geo.wiring import init_app as init_geo
    init_geo(app)


def register_commands(app: Flask) -> None:
    from .auth.cli import users_cli
    from .chronic.cli import chronic_cli
    from .kpi.cli import kpi_cli
    from .demo.cli import demo_command
    from .records.cli import records_cli
    from .surveys.cli import surveys_cli
    from .admin.cli import backup_command, restore_command

    app.cli.add_command(users_cli)
    app.cli.add_command(chronic_cli)
    app.cli.add_command(kpi_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(records_cli)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def register_errorhandlers(app: Flask) -> None:
    from .errors import init_errors
    init_errors(app)
