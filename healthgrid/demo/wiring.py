"""How this domain plugs into the app: its pages, API and commands, and what it adds to
the other domains."""
from .cli import demo_command


def init_app(app) -> None:
    """`flask demo`."""
    app.cli.add_command(demo_command)
