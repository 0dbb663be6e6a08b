"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.extensions import api

from . import api as records_api, views
from .cli import records_cli


def init_app(app) -> None:
    """Archive pages, API and `flask records`."""
    app.register_blueprint(views.bp)
    api.register_blueprint(records_api.blp)
    app.cli.add_command(records_cli)
