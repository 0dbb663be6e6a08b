"""What the demo steps hand to each other: plain data, never ORM objects.

Steps commit as they go (a million residents do not fit one transaction), and a
commit expires ORM objects; plain records stay valid and cost no queries.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random
from typing import NamedTuple

from healthgrid.clock import CENTRE_TZ


class DemoError(ValueError):
    """The demo cannot run (e.g. the database is not empty); nothing was written."""


@dataclass
class CommunityPlan:
    id: int
    code: str
    name: str
    short_name: str
    kind: str  # neighborhood | village
    grids: list[GridPlan] = field(default_factory=list)
    archive_seq: int = 0


@dataclass
class GridPlan:
    id: int
    community: CommunityPlan
    code: str
    name: str
    kind: str  # residential | township | village
    target: int  # residents to generate
    layout: object  # a synth.*Layout giving household addresses
    team_id: int | None = None
    households: int = 0


@dataclass
class TeamPlan:
    id: int
    name: str
    grid_id: int
    start_date: date
    # Current core members: role -> (staff id, staff name, title).
    core: dict[str, tuple[int, str, str | None]] = field(default_factory=dict)
    x_staff_ids: list[int] = field(default_factory=list)


class Person(NamedTuple):
    """What later steps need of a resident (kept by the population step, in id order)."""
    id: int
    grid_id: int
    name: str
    sex: str
    birth: date
    id_number: str | None
    phone: str | None
    status: str            # active | moved_out | deceased
    status_date: date | None
    created_on: date
    pregnant: bool
    severe_mental_illness: bool
    disabled: bool
    past_history: str | None


@dataclass
class DemoUser:
    username: str
    role: str
    password: str
    description: str


@dataclass
class DemoContext:
    residents: int
    seed: int
    as_of: date
    batch_size: int = 10_000
    # Called with the number of residents written after each batch.
    progress: Callable[[int], None] | None = None
    county_code: str = "110105"
    township_code: str = "001"
    centre_id: int | None = None
    hospital_id: int | None = None
    cdc_id: int | None = None
    communities: list[CommunityPlan] = field(default_factory=list)
    grids: list[GridPlan] = field(default_factory=list)
    teams: list[TeamPlan] = field(default_factory=list)
    users: list[DemoUser] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Filled by the population step: every resident, in id order.
    people: list[Person] = field(default_factory=list, repr=False)
    # Filled by the programs step for the steps after it (plain data, see programs.py).
    chronic_on_as_of: set[int] = field(default_factory=set, repr=False)
    schedules: dict = field(default_factory=dict, repr=False)
    flagged_visits: list = field(default_factory=list, repr=False)

    def rng(self, step: str) -> Random:
        """A generator per step, seeded from the seed and the step's name: adding a
        step (or changing one) leaves the data of the other steps as they were."""
        return Random(f"{self.seed}:{step}")

    def timestamp(self, day: date, rng: Random) -> datetime:
        """A moment in the working hours (08:00-17:30 in the centre) of ``day``, as naive UTC."""
        local = datetime.combine(day, time(8), tzinfo=CENTRE_TZ) + timedelta(
            seconds=int(rng.random() * 9.5 * 3600))
        return (local - local.utcoffset()).replace(tzinfo=None)
