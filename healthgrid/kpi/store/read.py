"""The per-grid counts of a scope and period, read from the store: one statement (one
snapshot) summing at most a few dozen bucket rows per grid, whatever the population.

A sum up to as_of reads the year buckets before as_of's year, the month buckets of its
year before its month, the 8-day blocks of its month before its block, and the days of its
block up to as_of (facts.buckets). Two sums are read: the level measures on as_of (with
the open enrollments the day before the period, for the managed patients the period does
not touch: facts._enrollment_periods), and the period's own rows up to as_of."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from .. import queries
from . import facts
from .hooks import sync

MEASURES = facts.LEVEL_MEASURES + facts.PERIOD_MEASURES


def span_of(start: date, end: date) -> str:
    if (start.month, end.month) == (1, 12):
        return "Y"
    return "Q" if end.month - start.month == 2 else "M"


def _prefix(table: str, prefix: str, where: str = "", columns: str = "*") -> str:
    """The bucket rows of `table` holding the changes up to :{prefix}as_of, each once: four
    ranges of the primary key (grain, bucket, ...), read as such (an OR of them is not)."""
    ranges = (f"grain = 'y' AND bucket < :{prefix}year",
              f"grain = 'm' AND bucket >= :{prefix}year AND bucket < :{prefix}month",
              f"grain = 'b' AND bucket >= :{prefix}month AND bucket < :{prefix}block",
              f"grain = 'd' AND bucket >= :{prefix}block AND bucket <= :{prefix}as_of")
    return "(" + " UNION ALL ".join(f"SELECT {columns} FROM {table} WHERE {r}{where}"
                                    for r in ranges) + ") AS f"


def _sums(columns, present) -> str:
    return ", ".join(f"SUM({c}) AS {c}" if c in present else f"0 AS {c}" for c in columns)


def _bounds(prefix: str, day: date) -> dict:
    return {f"{prefix}{k}": v for k, v in facts.prefix_bounds(day).items()}


def read(session: Session, w: queries.Window, end: date, live: bool,
         institution_id: int | None, team_ids: list[int]) -> tuple[pd.DataFrame, dict,
                                                                   pd.DataFrame]:
    """(per-grid counts as queries.per_grid gives them, the same as dictionaries, (team_id,
    item) provided)."""
    sync(session)
    level, period = set(facts.LEVEL_MEASURES), set(facts.PERIOD_MEASURES)
    in_period = " AND span = :span AND period_start = :start"
    # The open enrollments the day before the period: those on as_of less the changes
    # since the period began, which are the month, block and day rows of as_of's year
    # from the period's first month on (a period starts on the first of a month).
    since = ", ".join(f"SUM(CASE WHEN grain <> 'y' AND bucket >= :start THEN {m} ELSE 0 END)"
                      f" AS {m}_since" for m in ("htn_open", "dm_open"))
    sql = f"""
        SELECT 'a' AS part, 'g' AS owner_kind, grid_id AS owner_id, {_sums(MEASURES, level)},
          {since}
        FROM {_prefix('kpi_level_fact', 'a_')} WHERE grid_id IN :grids GROUP BY grid_id
        UNION ALL
        SELECT 'p', owner_kind, owner_id, {_sums(MEASURES, period)}, 0, 0
        FROM {_prefix('kpi_period_fact', 'a_', in_period)}
        WHERE (owner_kind = 'g' AND owner_id IN :grids)
           OR (owner_kind = 't' AND owner_id IN :teams)
           OR (owner_kind = 'i' AND owner_id = :institution)
        GROUP BY owner_kind, owner_id"""
    params = {"grids": list(w.grids) or [-1], "teams": list(team_ids) or [-1],
              "institution": institution_id or -1, "span": span_of(w.start, end),
              "start": w.start, **_bounds("a_", w.as_of)}
    found: dict[tuple[str, str], dict[int, dict]] = {}
    for row in session.execute(queries.statement(sql, params), params):
        found.setdefault((row[0], row[1]), {})[int(row[2])] = dict(zip(WITH_SINCE, row[3:]))
    by_grid = _counts(found, w, live)
    counts = pd.DataFrame.from_dict(by_grid, orient="index").astype("int64")
    counts.index.name = "grid_id"
    return counts, by_grid, _provided(found.get(("p", "t"), {}))


WITH_SINCE = (*MEASURES, "htn_open_since", "dm_open_since")
NOTHING = dict.fromkeys(WITH_SINCE, 0)
PLAIN = ("residents", "e_archives", "elderly", "children", "pregnant", "smi", "disabled",
         "contracted", "households", "used_archives")
IN_PERIOD = ("responses", "aware", "rated", "satisfied", "down_received", "down_visited",
             "elderly_checked")


def _counts(found: dict, w: queries.Window, live: bool) -> dict[int, dict[str, int]]:
    """Per grid (and row 0: the centre's down referrals of people without an archive here),
    the counts queries.per_grid gives. Plain dictionaries: hundreds of grids."""
    on_days = found.get(("a", "g"), {})
    periods = found.get(("p", "g"), {})
    required_all_days = facts.required_followups((w.as_of - w.start).days + 1)
    out = {}
    for grid_id in sorted(set(w.grids) | {0}):
        on_day = on_days.get(grid_id, NOTHING)
        rows = periods.get(grid_id, NOTHING)
        if grid_id == 0:
            rows = {m: sum(r[m] for r in found.get(("p", "i"), {}).values()) for m in MEASURES}
        c = {name: int(on_day[name]) for name in PLAIN}
        c.update((name, int(rows[name])) for name in IN_PERIOD)
        c["archived_in_period"] = int(rows["archived"])
        for prefix in ("htn", "dm"):
            before = int(on_day[f"{prefix}_open"]) - int(on_day[f"{prefix}_open_since"])
            untouched = before - int(rows[f"{prefix}_carry"])
            c[f"{prefix}_managed"] = untouched + int(rows[f"{prefix}_managed_t"])
            c[f"{prefix}_visits_required"] = (untouched * required_all_days
                                              + int(rows[f"{prefix}_visits_required_t"]))
            for name in ("standard", "controlled", "visits_done", "visits"):
                c[f"{prefix}_{name}"] = int(rows[f"{prefix}_{name}"])
        c["chronic_active"] = int(on_day["htn_open"]) + int(on_day["dm_open"])
        c["chronic_overdue"] = int(on_day["chronic_overdue_live" if live else "chronic_overdue"])
        c["key_pop"] = int(on_day["key_by_profile"]) + int(on_day["key_by_disease"])
        c["key_contracted"] = (int(on_day["key_contracted_by_profile"])
                               + int(on_day["key_contracted_by_disease"]))
        out[grid_id] = c
    return out


def _provided(teams: dict[int, dict]) -> pd.DataFrame:
    rows = [(team_id, measure[len("prov_"):]) for team_id, row in teams.items()
            for measure, n in row.items() if measure.startswith("prov_") and n > 0]
    return pd.DataFrame(rows, columns=["team_id", "item"])


def monthly(session: Session, w: queries.Window) -> pd.DataFrame:
    """Per month of the period up to as_of: survey counts and visits at target by program
    (as queries.monthly): the month rows of each past month, the current one up to as_of."""
    sync(session)
    columns = ("responses", "aware", "rated", "satisfied", "htn_all_visits",
               "htn_all_at_target", "dm_all_visits", "dm_all_at_target")
    month = date(w.as_of.year, w.as_of.month, 1)
    sql = f"""
        SELECT period_start, {_sums(columns, set(columns))} FROM (
          SELECT * FROM kpi_period_fact WHERE span = 'M' AND period_start >= :start
            AND period_start < :month AND grain = 'm'
          UNION ALL SELECT * FROM {_prefix('kpi_period_fact', 'a_',
                                           " AND span = 'M' AND period_start = :month")}
        ) AS months WHERE owner_kind = 'g' AND owner_id IN :grids
        GROUP BY period_start"""
    params = {"grids": list(w.grids) or [-1], "start": w.start, "month": month,
              **_bounds("a_", w.as_of)}
    result = session.execute(queries.statement(sql, params), params)
    found = pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
    if not len(found):
        return pd.DataFrame()
    found["month"] = [pd.Timestamp(d).strftime("%Y-%m") for d in found.pop("period_start")]
    found = found.set_index("month").astype("int64")
    found = found[(found != 0).any(axis=1)].sort_index()
    surveys = found[["responses", "aware", "rated", "satisfied"]]
    visits = found[list(columns[4:])].rename(columns=lambda c: c.replace("_all", ""))
    frames = [f for f in (surveys, visits) if f.to_numpy().any()]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, axis=1)
