"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid.extensions import api

from . import api as org_api, views


def init_app(app) -> None:
    """Organisation pages and API."""
    app.register_blueprint(views.bp)
    api.register_blueprint(org_api.blp)
