"""Score weights a centre has chosen (RULES.md §7 defaults apply where none is stored), and
the indicator store's tables."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthgrid.extensions import db

from .store.facts import LEVEL_MEASURES, PERIOD_MEASURES


class KpiWeight(db.Model):
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    code: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float]


# --- the indicator store (kpi/store/): sums of deltas per owner, grain and bucket ---------

def _measure_columns(names) -> dict:
    return {name: mapped_column(Integer, nullable=False, default=0, server_default="0")
            for name in names}


class KpiLevelFact(db.Model):
    """Level measures per grid (active residents, contracted, open enrollments...): the
    changes dated within a bucket (grain y year, m month, b 8-day block, d day)."""
    __tablename__ = "kpi_level_fact"
    # SQLite: the rows live in their primary key's order, read as ranges of it, without
    # a lookup from index to row for each.
    __table_args__ = {"sqlite_with_rowid": False}
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locals().update(_measure_columns(LEVEL_MEASURES))


class KpiPeriodFact(db.Model):
    """Period measures per owner (g grid, t team, i institution) and period (span Y, Q, M
    starting on period_start): the changes dated within a bucket."""
    __tablename__ = "kpi_period_fact"
    __table_args__ = {"sqlite_with_rowid": False}
    span: Mapped[str] = mapped_column(String(1), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    bucket: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locals().update(_measure_columns(PERIOD_MEASURES))
