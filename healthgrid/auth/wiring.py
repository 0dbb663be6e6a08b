"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.extensions import api

from . import api as auth_api, views
from .cli import users_cli


def init_app(app) -> None:
    """Sign-in pages, the token API and `flask users`."""
    app.register_blueprint(views.bp)
    api.register_blueprint(auth_api.blp)
    app.cli.add_command(users_cli)
