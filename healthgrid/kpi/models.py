"""Score weights a centre has chosen (RULES.md §7 defaults apply where none is stored)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthgrid.extensions import db


class KpiWeight(db.Model):
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    code: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float]
