import os

import click
from flask.cli import AppGroup
from sqlalchemy import select

from healthgrid.extensions import db
from healthgrid.org.models import Institution

from .models import ROLES
from .services import AccountError, create_user

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--institution", "institution_code", help="Institution code (manager, referral desk).")
@click.option("--staff-id", type=int, help="Staff record this account belongs to (doctor).")
def create(username: str, role: str, institution_code: str | None, staff_id: int | None):
    """Create a user; the password comes from HEALTHGRID_PASSWORD or a prompt."""
    password = os.environ.get("HEALTHGRID_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    institution_id = None
    if institution_code:
        institution_id = db.session.scalar(
            select(Institution.id).where(Institution.code == institution_code))
        if institution_id is None:
            raise click.ClickException(f"no institution with code {institution_code}")
    try:
        user = create_user(username, password, role, institution_id=institution_id,
                           staff_id=staff_id)
    except AccountError as exc:
        raise click.ClickException(str(exc).replace("_", " "))
    db.session.commit()
    click.echo(f"created user {user.username} ({user.role})")
