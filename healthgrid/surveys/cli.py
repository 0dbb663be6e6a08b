from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid

from . import services
from .public import survey_url

surveys_cli = AppGroup("surveys", help="Resident surveys: public links, housekeeping.")


@surveys_cli.command("links")
@click.option("--base-url", default=None,
              help="Address residents reach the server at, e.g. https://health.example.cn "
                   "(default: SURVEY_BASE_URL, else SERVER_NAME).")
def links(base_url: str | None):
    """Print each grid's public survey link (tab-separated: grid id, community, grid, URL)."""
    base = base_url or current_app.config.get("SURVEY_BASE_URL")
    if not base and not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("give --base-url (or set SURVEY_BASE_URL or SERVER_NAME)")
    rows = db.session.execute(select(Grid.id, Community.name, Grid.name).join(Community)
                              .order_by(Community.institution_id, Community.code, Grid.code))
    with current_app.test_request_context():
        for grid_id, community, grid in rows:
            click.echo(f"{grid_id}\t{community}\t{grid}\t{survey_url(grid_id, base)}")


@surveys_cli.command("prune")
@click.option("--keep-days", default=2, show_default=True, type=int)
def prune(keep_days: int):
    """Forget the public page's one-answer-a-day marks older than a few days."""
    removed = services.forget_marks_before(today() - timedelta(days=keep_days))
    db.session.commit()
    click.echo(f"removed {removed} marks")
