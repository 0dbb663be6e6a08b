"""The indicator store against the reference counting (kpi/queries.py): every count of every
grid, every indicator of every scope, the provided service items and the monthly trend."""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select

from healthgrid.auth.scope import Scope
from healthgrid.extensions import db
from healthgrid.kpi import rules, services
from healthgrid.org.models import Community, Grid, Institution, Team

ADMIN = Scope(None, None, None, "admin")


def scopes() -> list[str]:
    found = [f"institution:{i}" for i in db.session.scalars(
        select(Institution.id).where(Institution.kind == "health_center"))]
    found += [f"community:{i}" for i in db.session.scalars(select(Community.id))]
    found += [f"team:{i}" for i in db.session.scalars(select(Team.id))]
    found += [f"grid:{i}" for i in db.session.scalars(select(Grid.id))]
    return found


def _trend(frame: pd.DataFrame) -> dict:
    return {month: {k: int(v) for k, v in row.items() if v} for month, row in
            frame.to_dict("index").items()} if len(frame) else {}


def differences(period_text: str, as_of: date, today: date, scope_texts=None) -> list[str]:
    """What the store says differently from the reference (empty when they agree)."""
    period = rules.parse_period(period_text)
    out = []
    for text in scope_texts or scopes():
        scope = services.resolve_scope(text, ADMIN)
        got = services.compute(scope, period, as_of, today, with_trend=True, source="store")
        ref = services.compute(scope, period, as_of, today, with_trend=True,
                               source="reference")
        where = f"{text} {period_text} as of {as_of}"
        for grid_id in sorted(set(got.by_grid) | set(ref.by_grid)):
            a, b = got.by_grid.get(grid_id, {}), ref.by_grid.get(grid_id, {})
            for name in sorted(set(a) | set(b)):
                if a.get(name, 0) != b.get(name, 0):
                    out.append(f"{where} grid {grid_id} {name}: store {a.get(name, 0)}, "
                               f"reference {b.get(name, 0)}")
        for code, value in ref.values.items():
            mine = got.values[code]
            if (mine.numerator, mine.denominator) != (value.numerator, value.denominator):
                out.append(f"{where} {code}: store {mine.numerator}/{mine.denominator}, "
                           f"reference {value.numerator}/{value.denominator}")
        provided = [set(map(tuple, r.provided[["team_id", "item"]].itertuples(index=False)))
                    for r in (got, ref)]
        if provided[0] != provided[1]:
            out.append(f"{where} provided: store {provided[0] ^ provided[1]}")
        if got.required != ref.required:
            out.append(f"{where} required differ")
        if _trend(got.trend) != _trend(ref.trend):
            out.append(f"{where} trend: store {_trend(got.trend)}, reference {_trend(ref.trend)}")
    return out
