"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.extensions import api
from healthgrid.records import services as records, views as records_views

from . import api as chronic_api, services, views
from .cli import chronic_cli


def init_app(app) -> None:
    """Program pages, API and `flask chronic`; the archive shows a resident's programs,
    timeline and panel, and new or departed residents are enrolled or let go."""
    app.register_blueprint(views.bp)
    api.register_blueprint(chronic_api.blp)
    app.cli.add_command(chronic_cli)
    services.follow_archive_events()
    records.PROGRAM_SOURCES.add(services.programs_of_resident)
    records.PROGRAMS_OF_MANY.add(services.programs_of_residents)
    records.TIMELINE_SOURCES.add(services.timeline_of_resident)
    records_views.RESIDENT_PANELS.add(views.programs_panel)
