"""The demo district, built step by step; later features add their own steps to STEPS."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select, text

from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.kpi.store.maintain import rebuild
from healthgrid.org.models import Institution

from .accounts import create_accounts
from .context import DemoContext, DemoError
from .contracts import create_contracts
from .events import create_events
from .geometry import create_geometry
from .organisation import create_organisation
from .population import create_population
from .programs import create_programs
from .referrals import create_referrals
from .service_records import create_service_records
from .staffing import create_staff_and_teams
from .surveys import create_surveys

Progress = Callable[[int], None]

# In order; each takes the context, reads what earlier steps left there, adds its
# own, and commits what it wrote.
STEPS: list[Callable[[DemoContext], None]] = [
    create_organisation,
    create_staff_and_teams,
    create_accounts,
    create_population,
    create_programs,     # before contracts: chronic patients are a key population
    create_contracts,
    create_referrals,    # after programs: urgent visits lead to up referrals
    create_surveys,
    create_service_records,
    create_events,       # grid events in every state, by the accounts of each level
    create_geometry,     # grid boundaries and household locations (the map)
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
    build_indicator_store()
    gather_statistics()
    return ctx


def build_indicator_store() -> None:
    """The steps write in bulk, which the store's session events do not see: it is built
    from the records at the end, as after any bulk load (kpi/store/)."""
    rebuild(db.session)
    db.session.commit()


def gather_statistics() -> None:
    """Planner statistics for the bulk-loaded tables, as after any bulk load. PostgreSQL's
    autovacuum would gather them later; SQLite never does by itself, and without them it
    guesses its indexes: a team's worklist then walks every active enrollment of the
    district, a manager's name search every resident of the centre."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def ensure_empty_database() -> None:
    """Demo data never mixes with real data: refuse a database that has institutions."""
    if db.session.scalar(select(func.count()).select_from(Institution)):
        raise DemoError("The database already has institutions: the demo only fills an "
                        "empty database. Start from a new database (flask db upgrade).")
