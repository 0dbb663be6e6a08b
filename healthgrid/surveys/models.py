"""Resident survey responses: awareness of the grid team and satisfaction."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthgrid.clock import utcnow
from healthgrid.extensions import db

CHANNELS = ("door", "phone", "qr")


class SurveyResponse(db.Model):
    __table_args__ = (Index("ix_survey_response_grid_date", "grid_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    date: Mapped[date]
    channel: Mapped[str] = mapped_column(String(8))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    aware: Mapped[bool]
    knows_doctor: Mapped[bool | None]
    satisfaction: Mapped[int | None]  # 1 very dissatisfied … 5 very satisfied
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicSurveyMark(db.Model):
    """That some device answered a grid's public survey on a day: one answer per device per
    day per grid. Only a hash of (device id, grid, day) is kept, never linked to the answer,
    so the mark tells nobody what was answered nor who answered."""
    __table_args__ = (Index("ix_public_survey_mark_date", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
