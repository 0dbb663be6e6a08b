"""Grid events (网格事件): health-supervision and public-health events reported by the grid
teams, their steps through the closed loop, and their photos."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db


class GridEvent(db.Model):
    __table_args__ = (
        Index("ix_grid_event_grid_status", "grid_id", "status"),
        Index("ix_grid_event_grid_reported", "grid_id", "reported_on"),
        Index("ix_grid_event_status_mode", "status", "mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(24))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8), default="routine")
    level: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="reported")
    # Set at the report from mode and urgency; the dispatch sets the handling deadline.
    deadline: Mapped[date | None]
    assignee: Mapped[str | None] = mapped_column(String(120))
    feedback: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[date]  # the centre's day of the report
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first acceptance: an emergency leaves the centre's dashboard then.
    accepted_at: Mapped[datetime | None]
    closed_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reporter_name: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    grid = relationship("Grid")
    steps: Mapped[list[GridEventStep]] = relationship(
        back_populates="event", order_by="GridEventStep.id", cascade="all, delete-orphan")
    photos: Mapped[list[GridEventPhoto]] = relationship(
        back_populates="event", order_by="GridEventPhoto.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class GridEventStep(db.Model):
    """One line of the event's timeline: who, when, what, from/to status, at which level."""
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("grid_event.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None]
    assignee: Mapped[str | None] = mapped_column(String(120))

    event: Mapped[GridEvent] = relationship(back_populates="steps")


class GridEventPhoto(db.Model):
    """A photo kept under the instance folder (never under static/), served only through
    the scope-checked photo route."""
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("grid_event.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("grid_event_step.id"))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(16))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[GridEvent] = relationship(back_populates="photos")
