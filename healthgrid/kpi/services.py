"""Indicators for a scope and period, team scores, and the scope a user may open."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pandas as pd
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from healthgrid import replica
from healthgrid.auth.scope import Scope
from healthgrid.concurrent_reads import default_workers, run_reads
from healthgrid.extensions import db
from healthgrid.org.models import (Community, Grid, Institution, Staff, Team, TeamMembership)

from . import queries, rules
from .store import read as store_read

SCOPE_KINDS = ("institution", "community", "grid", "team")


class ScopeNotFound(LookupError):
    """The scope names nothing, or nothing the user may see: pages and API answer 404."""


@dataclass
class ScopeRef:
    kind: str
    id: int
    name: str
    institution: Institution
    grids: list[Grid]
    teams: list[Team]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass
class Result:
    scope: ScopeRef
    period: rules.Period
    as_of: date
    values: dict[str, rules.Value]
    counts: pd.DataFrame = field(repr=False)   # per grid, for charts and drill-down
    by_grid: dict[int, dict[str, int]] = field(repr=False)  # the same counts as dictionaries
    population: dict[int, int] = field(repr=False)  # official population per grid
    provided: pd.DataFrame = field(repr=False)  # (team_id, item) provided
    required: dict[int, list[str]] = field(default_factory=dict)
    live: bool = False  # as_of is today: schedules are read as they stand
    covered: set[int] = field(default_factory=set)  # grids with an active team on as_of
    monthly: pd.DataFrame | None = field(default=None, repr=False)
    source: str = "store"
    served_by: str = "primary"  # or "replica" (healthgrid/replica.py)

    @property
    def window(self) -> queries.Window:
        return queries.Window(self.period.start, self.as_of,
                              tuple(g.id for g in self.scope.grids))

    @property
    def trend(self) -> pd.DataFrame:
        """Month by month in the period: survey awareness and satisfaction, and the share of
        hypertension and diabetes visits at target."""
        if self.monthly is None:
            self.monthly = (store_read.monthly(db.session, self.window) if self.source == "store"
                            else queries.monthly(db.session, self.window))
        return self.monthly


def resolve_scope(text: str, user_scope: Scope) -> ScopeRef:
    """'institution:3' → the grids and teams it covers. A malformed text raises ValueError;
    an unknown object or one outside the user's scope, ScopeNotFound."""
    kind, _, raw = (text or "").partition(":")
    if kind not in SCOPE_KINDS or not raw.isdigit():
        raise ValueError(f"scope: {text!r}")
    object_id = int(raw)
    if object_id > 2 ** 31 - 1:
        raise ScopeNotFound(text)  # beyond the databases' INTEGER: names nothing
    if kind == "institution":
        obj = db.session.get(Institution, object_id)
        if obj is not None and obj.kind != "health_center":
            obj = None
    else:
        obj = db.session.get({"community": Community, "grid": Grid, "team": Team}[kind], object_id)
    if obj is None:
        raise ScopeNotFound(text)
    if kind == "institution":
        grids = list(db.session.scalars(select(Grid).join(Community).where(
            Community.institution_id == obj.id).order_by(Community.code, Grid.code)))
        institution = obj
    elif kind == "community":
        grids, institution = list(obj.grids), obj.institution
    elif kind == "grid":
        grids, institution = [obj], obj.community.institution
    else:
        grids, institution = list(obj.grids), obj.institution
    name = obj.name
    allowed = (user_scope.is_all or (grids and all(user_scope.allows_grid(g.id) for g in grids))
               or (kind == "team" and user_scope.allows_team(object_id))
               or (kind == "institution" and user_scope.institution_id == object_id
                   and user_scope.role == "manager"))
    if not allowed:
        raise ScopeNotFound(text)
    team_ids = {g.team_id for g in grids if g.team_id}
    if kind == "team":
        team_ids.add(object_id)
    teams = list(db.session.scalars(select(Team).where(Team.id.in_(team_ids))
                                    .options(selectinload(Team.grids))
                                    .order_by(Team.name))) if team_ids else []
    return ScopeRef(kind, object_id, name, institution, grids, teams)


def _covered_grids(grids: list[Grid], as_of: date) -> set[int]:
    """Grids whose team has at least one member active on as_of."""
    team_ids = {g.team_id for g in grids if g.team_id}
    if not team_ids:
        return set()
    active_teams = set(db.session.scalars(select(TeamMembership.team_id).where(
        TeamMembership.team_id.in_(team_ids), TeamMembership.start_date <= as_of,
        (TeamMembership.end_date.is_(None)) | (TeamMembership.end_date >= as_of))))
    return {g.id for g in grids if g.team_id in active_teams}


def _staff_pair(institution: Institution, as_of: date) -> tuple[int, int]:
    medical = select(Staff.id).where(Staff.institution_id == institution.id, Staff.is_medical,
                                     Staff.active)
    denominator = db.session.scalar(select(func.count()).select_from(medical.subquery()))
    numerator = db.session.scalar(select(func.count(func.distinct(TeamMembership.staff_id)))
                                  .where(TeamMembership.staff_id.in_(medical),
                                         TeamMembership.start_date <= as_of,
                                         (TeamMembership.end_date.is_(None))
                                         | (TeamMembership.end_date >= as_of)))
    return numerator, denominator


# Items whose records the per-grid counts already hold: provided when a count is not zero.
COUNTED_ITEMS = {"archive": "archived_in_period", "htn_followup": "htn_visits",
                 "dm_followup": "dm_visits", "elderly_check": "elderly_checked"}


def _provided_from_counts(by_grid: dict[int, dict[str, int]],
                          teams: list[Team]) -> pd.DataFrame:
    rows = []
    for team in teams:
        totals = grid_totals(by_grid, [g.id for g in team.grids])
        rows += [(team.id, item) for item, column in COUNTED_ITEMS.items()
                 if totals.get(column, 0) > 0]
    return pd.DataFrame(rows, columns=["team_id", "item"])


ELIGIBILITY = {  # item -> the per-grid count that makes it required
    "htn_followup": "htn_managed", "dm_followup": "dm_managed", "elderly_check": "elderly",
    "referral": "chronic_active", "maternal_visit": "pregnant", "child_health": "children",
    "mental_health": "smi", "rehab": "disabled",
}
ALWAYS = set(rules.ALWAYS_REQUIRED) | {"infectious_report", "supervision_report"}


def required_items(by_grid: dict[int, dict[str, int]], team: Team) -> list[str]:
    totals = grid_totals(by_grid, [g.id for g in team.grids])
    return [item for item in rules.SERVICE_ITEMS
            if item in ALWAYS or totals.get(ELIGIBILITY.get(item, ""), 0) > 0]


def grid_totals(by_grid: dict[int, dict[str, int]], grid_ids) -> dict[str, int]:
    """The per-grid counts added up over some grids (rates are never averaged)."""
    if len(grid_ids) == 1:  # a grid, or a team of one grid: most of a centre's rows
        return dict(by_grid.get(grid_ids[0], {}))
    totals: dict[str, int] = {}
    for grid_id in grid_ids:
        for name, count in by_grid.get(grid_id, {}).items():
            totals[name] = totals.get(name, 0) + count
    return totals


def pairs(by_grid: dict[int, dict[str, int]], grid_population: dict[int, int],
          covered: set[int], grid_ids: list[int],
          include_unattributed: bool) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of every grid-level indicator over the given grids. Plain
    dictionaries: a centre asks this for each of its hundreds of grids and teams."""
    t = grid_totals(by_grid, grid_ids)
    covered_households = sum(by_grid.get(g, {}).get("households", 0)
                             for g in grid_ids if g in covered)
    population = sum(grid_population.get(g, 0) for g in grid_ids)
    down_received, down_visited = t.get("down_received", 0), t.get("down_visited", 0)
    if include_unattributed and 0 in by_grid:
        down_received += by_grid[0].get("down_received", 0)
        down_visited += by_grid[0].get("down_visited", 0)
    g = lambda name: t.get(name, 0)  # noqa: E731
    return {
        "grid_coverage": (covered_households, g("households")),
        "awareness": (g("aware"), g("responses")),
        "satisfaction": (g("satisfied"), g("rated")),
        "archive_rate": (g("residents"), population),
        "e_archive_rate": (g("e_archives"), population),
        "archive_usage": (g("used_archives"), g("residents")),
        "contract_rate": (g("contracted"), g("residents")),
        "key_contract_rate": (g("key_contracted"), g("key_pop")),
        "htn_standard_mgmt": (g("htn_standard"), g("htn_managed")),
        "htn_control": (g("htn_controlled"), g("htn_managed")),
        "dm_standard_mgmt": (g("dm_standard"), g("dm_managed")),
        "dm_control": (g("dm_controlled"), g("dm_managed")),
        "elderly_mgmt": (g("elderly_checked"), g("elderly")),
        "followup_overdue": (g("chronic_overdue"), g("chronic_active")),
        "down_referral_visit": (down_visited, down_received),
    }


# PostgreSQL for the counting queries. JIT compilation is planned for them by their cost
# and took longer than their execution (1.7 of 2.3 s for the chronic pass at 1M residents);
# hash joins and aggregates of a district's rows spill to disk at the default 4 MB; the
# queries already run side by side (run_reads), parallel plans within each only add
# processes competing for the same cores.
COUNTING_SETTINGS = {"jit": "off", "work_mem": "64MB", "max_parallel_workers_per_gather": "0"}


def _reference_counts(session, window: queries.Window, live: bool, scope: ScopeRef,
                      team_ids: list[int], with_trend: bool):
    jobs = queries.grid_jobs(window, live, scope.institution.id)
    jobs.append(partial(queries.provided_items, w=window, team_ids=team_ids))
    if with_trend:
        jobs.insert(1, partial(queries.monthly, w=window))  # among the longest: early
    found = run_reads(session, jobs,
                      current_app.config.get("KPI_READ_WORKERS", default_workers()),
                      pg_settings=COUNTING_SETTINGS)
    monthly = found.pop(1) if with_trend else None
    provided_records = found.pop()
    return queries.per_grid(found, window), provided_records, monthly


def compute(scope: ScopeRef, period: rules.Period, as_of: date, today: date,
            with_trend: bool = False, source: str | None = None) -> Result:
    """Every indicator of the scope; with_trend also reads the monthly trend (Result.trend)
    alongside the counts. source "store" (the default, setting KPI_SOURCE) reads the
    indicator store (kpi/store/); "reference" counts the records from scratch."""
    grid_ids = [g.id for g in scope.grids]
    window = queries.Window(period.start, as_of, tuple(grid_ids))
    live = as_of == today
    team_ids = [t.id for t in scope.teams]
    source = source or current_app.config.get("KPI_SOURCE", "store")
    with replica.reads() as (session, served_by):
        if source == "store":
            counts, by_grid, provided_records = store_read.read(
                session, window, period.end, live, scope.institution.id, team_ids)
            monthly = store_read.monthly(session, window) if with_trend else None
        else:
            counts, provided_records, monthly = _reference_counts(session, window, live, scope,
                                                                  team_ids, with_trend)
            by_grid = {int(grid_id): {name: int(n) for name, n in row.items()}
                       for grid_id, row in counts.to_dict("index").items()}
    covered = _covered_grids(scope.grids, as_of)
    population = {g.id: g.population for g in scope.grids}
    found = pairs(by_grid, population, covered, grid_ids,
                  include_unattributed=scope.kind == "institution")
    found["staff_participation"] = _staff_pair(scope.institution, as_of) \
        if scope.kind == "institution" else (0, 0)
    provided = pd.concat([provided_records, _provided_from_counts(by_grid, scope.teams)],
                         ignore_index=True)
    required = {t.id: required_items(by_grid, t) for t in scope.teams}
    provided_set = set(map(tuple, provided[["team_id", "item"]].itertuples(index=False)))
    found["service_provision"] = (
        sum(1 for team_id, items in required.items() for item in items
            if (team_id, item) in provided_set),
        sum(len(items) for items in required.values()))
    values = {i.code: rules.Value(i.code, *found[i.code], i.target) for i in rules.INDICATORS}
    return Result(scope, period, as_of, values, counts, by_grid, population, provided, required,
                  live, covered, monthly, source, served_by)


def values_for_grids(result: Result, grid_ids: list[int]) -> dict[str, rules.Value]:
    """The grid-level indicators over a subset of the computed grids (per grid, per team)."""
    found = pairs(result.by_grid, result.population, result.covered, grid_ids,
                  include_unattributed=False)
    return {code: rules.Value(code, n, d, rules.BY_CODE[code].target)
            for code, (n, d) in found.items()}


def team_performance(result: Result, weights: dict[str, float] | None = None) -> list[dict]:
    """Each team of the scope: indicator values, workload quota, completion, score, grade."""
    rows = []
    for team in result.scope.teams:
        grid_ids = [g.id for g in team.grids]
        values = values_for_grids(result, grid_ids)
        totals = grid_totals(result.by_grid, grid_ids)
        required = result.required.get(team.id, [])
        provided = set(result.provided.loc[result.provided["team_id"] == team.id, "item"])
        values["service_provision"] = rules.Value(
            "service_provision", len([i for i in required if i in provided]), len(required), 1.0)
        points = rules.score(values, weights)
        rows.append({
            "team": team, "team_id": team.id, "values": values, "score": points,
            "grade": rules.grade(points),
            "population": sum(g.population for g in team.grids),
            "quota": {
                "followups": int(totals.get("htn_visits_required", 0)
                                 + totals.get("dm_visits_required", 0)),
                "annual_checks": int(totals.get("elderly", 0)),
                "contracts": int(totals.get("residents", 0)),
            },
            "done": {
                "followups": int(totals.get("htn_visits_done", 0)
                                 + totals.get("dm_visits_done", 0)),
                "annual_checks": int(totals.get("elderly_checked", 0)),
                "contracts": int(totals.get("contracted", 0)),
            },
        })
    ranks = rules.rank({row["team_id"]: row["score"] for row in rows})
    for row in rows:
        row["rank"] = ranks[row["team_id"]]
    return sorted(rows, key=lambda r: r["rank"])


def gap_rows(result: Result, code: str, page: int, per_page: int) -> tuple[str, list[dict], int]:
    """The indicator's gap for the computed scope (the people or records still to reach)."""
    from . import gaps
    if code == "service_provision":
        provided = set(map(tuple, result.provided[["team_id", "item"]].itertuples(index=False)))
        rows = gaps.service_gaps(result.required, provided,
                                 {t.id: t.name for t in result.scope.teams})
        return "services", rows[(page - 1) * per_page: page * per_page], len(rows)
    if code == "staff_participation" and result.scope.kind != "institution":
        return "staff", [], 0
    return gaps.gap(db.session, code, result.window, result.scope.institution.id,
                    [t.id for t in result.scope.teams], result.live, page, per_page,
                    unattributed=result.scope.kind == "institution")


def weights_for(institution: Institution) -> dict[str, float]:
    from .models import KpiWeight
    stored = {w.code: w.weight for w in db.session.scalars(
        select(KpiWeight).where(KpiWeight.institution_id == institution.id))}
    return {code: stored.get(code, default) for code, default in rules.DEFAULT_WEIGHTS.items()}


def save_weights(institution: Institution, weights: dict[str, float]) -> None:
    from healthgrid.auth.services import audit
    from .models import KpiWeight
    existing = {w.code: w for w in db.session.scalars(
        select(KpiWeight).where(KpiWeight.institution_id == institution.id))}
    for code, weight in weights.items():
        row = existing.get(code) or KpiWeight(institution_id=institution.id, code=code)
        row.weight = weight
        db.session.add(row)
    db.session.flush()
    audit("kpi.weights", institution, detail=",".join(f"{k}={v:g}" for k, v in weights.items()))


EVENT_COLUMNS = ("events_reported", "events_closed", "events_on_time", "events_close_days",
                 "events_overdue")


@dataclass
class EventFigures:
    """Grid events of a grid (or a sum of grids) in the period: counts only; the on-time
    rate and the average days to close are computed from them at the last step."""
    name: str
    reported: int = 0
    closed: int = 0
    on_time: int = 0
    close_days: int = 0
    overdue: int = 0
    grid_id: int | None = None

    @property
    def quiet(self) -> bool:
        """Nothing reported or closed in the period, nothing open past its deadline: a
        centre's list shows the other grids (hundreds of rows of zeros would hide them)."""
        return not (self.reported or self.closed or self.overdue)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def average_days(self) -> float | None:
        return self.close_days / self.closed if self.closed else None

    def add(self, other: EventFigures) -> None:
        for name in ("reported", "closed", "on_time", "close_days", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def event_figures(result: Result) -> tuple[list[EventFigures], EventFigures]:
    """Per grid of the scope, and the scope's total (sums of counts, never of rates)."""
    frame = queries.grid_events(db.session, result.window)
    rows, total = [], EventFigures(result.scope.name)
    for grid in result.scope.grids:
        found = frame.loc[grid.id] if grid.id in frame.index else None
        values = [int(found[c]) if found is not None else 0 for c in EVENT_COLUMNS]
        row = EventFigures(grid.name, *values, grid_id=grid.id)
        rows.append(row)
        total.add(row)
    return rows, total
