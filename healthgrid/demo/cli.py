import click
from flask.cli import with_appcontext

from healthgrid.extensions import db

from .context import DemoError
from .generate import ensure_empty_database, generate


@click.command("demo")
@click.option("--residents", type=click.IntRange(min=1), default=20000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The demo's 'today' (default: today in the centre's time zone).")
@with_appcontext
def demo_command(residents: int, seed: int, as_of):
    """Fill an empty database with a synthetic district."""
    try:
        ensure_empty_database()  # before the progress bar starts
        with click.progressbar(length=residents, label="Residents", show_pos=True,
                               show_eta=True) as bar:
            ctx = generate(residents, seed, as_of.date() if as_of else None, progress=bar.update)
    except DemoError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None

    counts = ctx.counts
    click.echo(
        f"Demo district for {ctx.as_of.isoformat()} (seed {ctx.seed}): "
        f"{counts['communities']} communities, {counts['grids']} grids, "
        f"{counts['teams']} teams, {counts['staff']} staff, "
        f"{counts['households']} households, {counts['residents']} residents.")
    click.echo(
        f"Records: {counts['contracts']} contracts, {counts['enrollments']} enrollments, "
        f"{counts['follow_ups']} follow-ups, {counts['elderly_checks']} elderly checks, "
        f"{counts['referrals']} referrals ({counts['referral_events']} events), "
        f"{counts['survey_responses']} survey responses, "
        f"{counts['service_records']} service records.")
    click.echo("")
    click.echo("Demo accounts (all with the same password):")
    rows = [("username", "role", "password", "who")] + [
        (u.username, u.role, u.password, u.description) for u in ctx.users]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for i, row in enumerate(rows):
        click.echo("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3])
        if i == 0:
            click.echo("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 20)
