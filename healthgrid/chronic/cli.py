import click
from flask.cli import AppGroup

from healthgrid.clock import today
from healthgrid.dbsetup import refresh_planner_statistics
from healthgrid.extensions import db

from .services import enroll_elderly

chronic_cli = AppGroup("chronic", help="Chronic and elderly programs.")


@chronic_cli.command("enroll-elderly")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Day to enroll for (default: today). Meant for a daily timer.")
def enroll_elderly_command(as_of):
    """Enroll every active resident aged 65 or more in the elderly program."""
    day = as_of.date() if as_of else today()
    count = enroll_elderly(day)
    db.session.commit()
    refresh_planner_statistics()
    click.echo(f"enrolled {count} residents aged 65+ on {day.isoformat()}")
