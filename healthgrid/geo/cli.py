"""`flask map …`: boundaries from a GeoJSON file, relocating every household."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from healthgrid.domain import DomainError
from healthgrid.extensions import db
from healthgrid.org.models import Institution

from . import services

map_cli = AppGroup("map", help="The grid map: boundaries and household locations.")


def _institution(code: str) -> Institution:
    found = db.session.scalar(select(Institution).where(Institution.code == code))
    if found is None:
        raise click.BadParameter(f"no institution with code {code}")
    return found


@map_cli.command("import-boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--institution", "code", required=True, help="the centre's code, e.g. HC001")
def import_boundaries(path: Path, code: str):
    """Import grid boundaries from a GeoJSON FeatureCollection (all or nothing)."""
    institution = _institution(code)
    try:
        count = services.import_boundaries(institution.id, json.loads(path.read_text("utf-8")),
                                           None)
    except services.BoundaryImportError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"feature {problem.index} ({problem.grid_code}): {problem.reason} "
                       f"{problem.detail}".rstrip(), err=True)
        raise click.ClickException("nothing was saved")
    except (ValueError, DomainError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    db.session.commit()
    click.echo(f"{count} grid boundaries imported")


@map_cli.command("relocate")
@click.option("--institution", "code", default=None, help="one centre (default: all)")
def relocate(code: str | None):
    """Recompute the grid each located household lies in."""
    centres = [_institution(code)] if code else db.session.scalars(
        select(Institution).where(Institution.kind == "health_center")).all()
    total = 0
    for centre in centres:
        total += services.relocate(centre.id)
    db.session.commit()
    click.echo(f"{total} located households checked")
