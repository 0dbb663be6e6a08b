"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.extensions import api

from . import api as surveys_api, public, views
from .cli import surveys_cli


def init_app(app) -> None:
    """Survey pages (the public one too), API and `flask surveys`."""
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    api.register_blueprint(surveys_api.blp)
    app.cli.add_command(surveys_cli)
