"""`flask records ...`: the Excel template and imports from the command line (admin scope)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale, gettext as _

from healthgrid.auth.scope import Scope
from healthgrid.clock import today
from healthgrid.dbsetup import refresh_planner_statistics
from healthgrid.extensions import db

from .exports import write_template
from .imports import import_residents

records_cli = AppGroup("records", help="Health archives: Excel template and import.")

_LANGUAGES = click.Choice(["zh_CN", "en"])


class _Bars:
    """One click progress bar per stage of the import, on stderr."""

    def __init__(self):
        self.stage, self.bar = None, None
        self.captions = {"read": _("Reading"), "validate": _("Checking"), "write": _("Saving")}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total:
                self.bar = click.progressbar(length=total, label=self.captions.get(stage, stage),
                                             file=sys.stderr, show_pos=True)
                self.bar.__enter__()
            else:
                click.echo(self.captions.get(stage, stage) + "…", err=True)
        if self.bar is not None:
            self.bar.update(min(done, self.bar.length) - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@records_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--lang", type=_LANGUAGES, default="zh_CN", show_default=True,
              help="Language of the report.")
def import_command(file: Path, dry_run: bool, lang: str):
    """Import households and residents from a filled-in template (.xlsx), all or nothing.

    Prints each problem as ROW<TAB>COLUMN<TAB>REASON and exits with status 1 if there is any."""
    with force_locale(lang):
        bars = _Bars()
        try:
            report = import_residents(file, filename=file.name,
                                      scope=Scope(None, None, None, "admin"), day=today(),
                                      progress=bars, dry_run=dry_run)
        except Exception:
            db.session.rollback()
            raise
        finally:
            bars.close()
        if not report.ok:
            db.session.rollback()
            click.echo("\t".join((_("Row"), _("Column"), _("Reason"))))
            for error in report.errors:
                click.echo(f"{error.row or ''}\t{error.column_title}\t{error.message}")
            click.echo(_("Nothing was imported from %(file)s: %(errors)s problems in %(rows)s "
                         "rows.", file=file.name, errors=len(report.errors),
                         rows=report.bad_rows), err=True)
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo(_("The file is correct: %(residents)s residents in %(households)s "
                         "households would be imported.", residents=report.residents,
                         households=report.households))
            return
        db.session.commit()
        refresh_planner_statistics()
        click.echo(_("Imported %(residents)s residents in %(households)s households from "
                     "%(file)s.", residents=report.residents, households=report.households,
                     file=file.name))


@records_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def template_command(out: Path):
    """Write the import template (.xlsx) to OUT."""
    write_template(out)
    click.echo(str(out))
