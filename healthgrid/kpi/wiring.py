"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from healthgrid import replica
from healthgrid.extensions import api

from . import api as kpi_api, views
from .cli import kpi_cli
from .store import hooks as store


def init_app(app) -> None:
    """Dashboard pages, API and `flask kpi`; the indicator store follows every write."""
    app.register_blueprint(views.bp)
    api.register_blueprint(kpi_api.blp)
    app.cli.add_command(kpi_cli)
    store.connect()
    replica.init_app(app)  # indicator reads on a standby, when one is configured
