from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from healthgrid.auth.scope import Scope
from healthgrid.clock import today

from . import rules, services

kpi_cli = AppGroup("kpi", help="Indicators and performance reports.")


@kpi_cli.command("report")
@click.option("--scope", "scope_text", required=True, help="institution:ID, community:ID, "
              "grid:ID or team:ID")
@click.option("--period", required=True, help="2026, 2026-Q3 or 2026-11")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report(scope_text: str, period: str, as_of, out: Path):
    """Write the performance report PDF."""
    from flask import current_app
    from .report import render_report
    try:
        parsed = rules.parse_period(period)
        day: date = parsed.as_of(today(), as_of.date() if as_of else None)
    except ValueError as exc:
        raise click.BadParameter(str(exc))
    with current_app.test_request_context():
        try:
            scope = services.resolve_scope(scope_text, Scope(None, None, None, "admin"))
        except (ValueError, services.ScopeNotFound):
            raise click.BadParameter(f"no such scope: {scope_text}", param_hint="--scope")
        pdf = render_report(services.compute(scope, parsed, day, today(), with_trend=True))
    out.write_bytes(pdf)
    click.echo(f"wrote {out} ({len(pdf)} bytes)")


@kpi_cli.command("rebuild-store")
def rebuild_store():
    """Rebuild the indicator store from the records (after writing to the tables by hand)."""
    from healthgrid.extensions import db
    from .store.maintain import rebuild
    rebuild(db.session)
    db.session.commit()
    click.echo("indicator store rebuilt")
