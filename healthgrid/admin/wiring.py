"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from . import views
from .cli import backup_command, restore_command


def init_app(app) -> None:
    """Administration pages and `flask backup` / `flask restore`."""
    app.register_blueprint(views.bp)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
