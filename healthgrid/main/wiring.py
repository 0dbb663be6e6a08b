"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from . import views


def init_app(app) -> None:
    app.register_blueprint(views.bp)
