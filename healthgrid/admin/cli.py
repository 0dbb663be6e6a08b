"""`flask backup OUT` and `flask restore IN`: the whole database, while the app runs."""
from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask.cli import with_appcontext

from healthgrid.auth.services import audit
from healthgrid.extensions import db

from .backup import (BackupError, backup_database, check_restorable, describe, inspect_backup,
                     restore_database)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "?"


def _detail(backup, **extra) -> str:
    parts = {"file": str(backup.path)[-160:], "kind": backup.kind, "bytes": backup.size,
             "sha256": backup.sha256, "revision": backup.revision or "-",
             "os_user": _os_user(), **extra}
    return "; ".join(f"{key}={value}" for key, value in parts.items())


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path):
    """Write a consistent copy of the database to OUT while the app keeps running.

    SQLite: a database file (SQLite's online backup). PostgreSQL: a pg_dump custom-format
    archive. OUT must not exist yet; it is readable by its owner only.
    """
    try:
        backup = backup_database(out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    audit("backup", detail=_detail(backup))
    db.session.commit()
    click.echo(f"backup of {describe(db.engine.url)} written to {backup.path}: "
               f"{backup.size} bytes, sha256 {backup.sha256}")


@click.command("restore")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool):
    """Replace the whole database with the backup IN (made by `flask backup`).

    Every change since the backup is lost. Stop the app servers first if you can: on
    PostgreSQL the restore waits for their open transactions; on SQLite they wait for it.
    """
    try:
        backup = inspect_backup(source)
        check_restorable(backup)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    target = describe(db.engine.url)
    if not yes:
        click.confirm(f"Replace every record in {target} with the content of {backup.path} "
                      f"(schema revision {backup.revision or 'unknown'})?", abort=True)
    try:
        restore_database(backup)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    audit("restore", detail=_detail(backup))
    db.session.commit()
    click.echo(f"{target} restored from {backup.path} (schema revision "
               f"{backup.revision or 'unknown'}). Run `flask db upgrade` if the backup is "
               "older than this version of HealthGrid.")
