"""The demo district, built step by step; later features add their own steps to STEPS."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select

from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Institution

from .accounts import create_accounts
from .context import DemoContext, DemoError
from .organisation import create_organisation
from .population import create_population
from .staffing import create_staff_and_teams

Progress = Callable[[int], None]

# In order; each takes the context, reads what earlier steps left there, adds its
# own, and commits what it wrote.
STEPS: list[Callable[[DemoContext], None]] = [
    create_organisation,
    create_staff_and_teams,
    create_accounts,
    create_population,
]


def generate(residents: int, seed: int = 1, as_of: date | None = None,
             progress: Progress | None = None, *, batch_size: int = 10_000) -> DemoContext:
    """Fill an empty database with a synthetic district of ``residents`` people.

    The same seed and as_of give the same data. ``progress`` is called with the
    number of residents written after each batch. Raises DemoError when the
    database already holds institutions (it never mixes demo and real data).
    """
    if residents < 1:
        raise DemoError("The demo needs at least one resident.")
    ensure_empty_database()
    ctx = DemoContext(residents=residents, seed=seed, as_of=as_of or today(),
                      batch_size=batch_size, progress=progress)
    for step in STEPS:
        step(ctx)
    return ctx


def ensure_empty_database() -> None:
    """Demo data never mixes with real data: refuse a database that has institutions."""
    if db.session.scalar(select(func.count()).select_from(Institution)):
        raise DemoError("The database already has institutions: the demo only fills an "
                        "empty database. Start from a new database (flask db upgrade).")
