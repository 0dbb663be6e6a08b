"""Organisation: institutions, communities, grids, staff and "3+X" teams."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db

INSTITUTION_KINDS = ("health_center", "hospital", "public_health_agency")
COMMUNITY_KINDS = ("neighborhood", "village")
GRID_KINDS = ("residential", "township", "village")
MEMBER_ROLES = ("gp", "nurse", "public_health", "specialist", "other")
CORE_ROLES = ("gp", "nurse", "public_health")


class Institution(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    county_code: Mapped[str | None] = mapped_column(String(6))
    township_code: Mapped[str | None] = mapped_column(String(3))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    communities: Mapped[list[Community]] = relationship(
        back_populates="institution", order_by="Community.code")


class Community(db.Model):
    __table_args__ = (UniqueConstraint("institution_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    # Last archive sequence handed out in this community: numbers are never reused.
    archive_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution] = relationship(back_populates="communities")
    grids: Mapped[list[Grid]] = relationship(back_populates="community", order_by="Grid.code")


class Grid(db.Model):
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint("population >= 0", name="population_nonneg"),
        CheckConstraint("households >= 0", name="households_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    # Official figures entered by the manager (targets: 1,500 people, 500 households).
    population: Mapped[int] = mapped_column(default=0)
    households: Mapped[int] = mapped_column(default=0)
    streets: Mapped[str | None] = mapped_column(String(500))
    # At most one team serves a grid at a time: the column itself enforces it.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(back_populates="grids")
    team: Mapped[Team | None] = relationship(back_populates="grids")


class Staff(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    is_medical: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution] = relationship()
    memberships: Mapped[list[TeamMembership]] = relationship(back_populates="staff")


class Team(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    service_hours: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution] = relationship()
    grids: Mapped[list[Grid]] = relationship(back_populates="team", order_by="Grid.code")
    memberships: Mapped[list[TeamMembership]] = relationship(
        back_populates="team", order_by="TeamMembership.start_date",
        cascade="all, delete-orphan")


class TeamMembership(db.Model):
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date]
    # Kept (not deleted) when a member leaves, so that past KPIs stay reproducible.
    end_date: Mapped[date | None]

    team: Mapped[Team] = relationship(back_populates="memberships")
    staff: Mapped[Staff] = relationship(back_populates="memberships")

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)
