"""Health archives: one file per household, one archive per resident."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db

RESIDENT_STATUSES = ("active", "moved_out", "deceased")


class Household(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    head_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grid = relationship("Grid")
    members: Mapped[list[Resident]] = relationship(
        back_populates="household", order_by="Resident.id")


class Resident(db.Model):
    __table_args__ = (
        # Scope filters group by grid and status.
        Index("ix_resident_grid_status", "grid_id", "status"),
        # The indicators count residents per grid and profile from this index alone, in its
        # order: a tenth of the reading of the table's wide rows (kpi/queries.py).
        Index("ix_resident_profile", "grid_id", "archive_medium", "pregnant",
              "severe_mental_illness", "disabled", "birth_date", "created_on", "status",
              "status_date"),
        Index("ix_resident_created_on", "created_on", "grid_id"),
        # Prefix search (name, pinyin initials, phone); on PostgreSQL LIKE 'x%' needs
        # pattern ops to use an index whatever the database collation.
        Index("ix_resident_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
        Index("ix_resident_name_initials", "name_initials",
              postgresql_ops={"name_initials": "text_pattern_ops"}),
        Index("ix_resident_phone", "phone", postgresql_ops={"phone": "text_pattern_ops"}),
        Index("ix_resident_name_pinyin", "name_pinyin",
              postgresql_ops={"name_pinyin": "text_pattern_ops"}),
        # The last four of a phone or an ID number, typed in the search box.
        Index("ix_resident_phone_tail", "phone_tail"),
        Index("ix_resident_id_tail", "id_tail"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    # Copied from the household: scope checks and per-grid counts avoid a join.
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    archive_no: Mapped[str] = mapped_column(String(17), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    name_initials: Mapped[str] = mapped_column(String(16))
    name_pinyin: Mapped[str | None] = mapped_column(String(64))
    phone_tail: Mapped[str | None] = mapped_column(String(4))
    id_tail: Mapped[str | None] = mapped_column(String(4))
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    relation_to_head: Mapped[str | None] = mapped_column(String(16))
    residence_type: Mapped[str] = mapped_column(String(16), default="registered")
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    blood_type: Mapped[str | None] = mapped_column(String(8))
    payment_type: Mapped[str | None] = mapped_column(String(32))
    allergies: Mapped[str | None] = mapped_column(Text)
    past_history: Mapped[str | None] = mapped_column(Text)
    family_history: Mapped[str | None] = mapped_column(Text)
    disability: Mapped[str | None] = mapped_column(String(64))
    pregnant: Mapped[bool] = mapped_column(default=False)
    severe_mental_illness: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    archive_medium: Mapped[str] = mapped_column(String(16), default="electronic")
    # The rest of the personal basic information form (FORMS.md §1, records/profile.py):
    # codes; several-allowed ones comma-separated. `allergies` and `disability` hold the
    # "other" detail; `past_history` and `family_history` the free text of older archives.
    workplace: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    rh: Mapped[str | None] = mapped_column(String(8))
    education: Mapped[str | None] = mapped_column(String(20))
    occupation: Mapped[str | None] = mapped_column(String(16))
    marital_status: Mapped[str | None] = mapped_column(String(12))
    payment_types: Mapped[str | None] = mapped_column(String(200))
    payment_other: Mapped[str | None] = mapped_column(String(64))
    drug_allergies: Mapped[str | None] = mapped_column(String(80))
    exposures: Mapped[str | None] = mapped_column(String(64))
    hereditary: Mapped[str | None] = mapped_column(String(8))
    hereditary_name: Mapped[str | None] = mapped_column(String(100))
    disabilities: Mapped[str | None] = mapped_column(String(100))
    kitchen: Mapped[str | None] = mapped_column(String(16))
    fuel: Mapped[str | None] = mapped_column(String(16))
    fuel_other: Mapped[str | None] = mapped_column(String(64))
    water: Mapped[str | None] = mapped_column(String(16))
    water_other: Mapped[str | None] = mapped_column(String(64))
    toilet: Mapped[str | None] = mapped_column(String(16))
    livestock: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_date: Mapped[date | None]
    created_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    household: Mapped[Household] = relationship(back_populates="members")
    history: Mapped[list[ResidentHistory]] = relationship(
        order_by="(ResidentHistory.kind, ResidentHistory.relative, ResidentHistory.id)",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ResidentHistory(db.Model):
    """A dated line of the history: a past disease with its diagnosis month, an operation,
    injury or transfusion with its date, or a relative's disease (family history). A row
    with code "none" records that the doctor asked and there is none."""
    __tablename__ = "resident_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(12))   # disease, operation, injury, ...
    relative: Mapped[str | None] = mapped_column(String(10))  # family history only
    code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    on_date: Mapped[date | None]


class Contract(db.Model):
    """A family-doctor service contract (家庭医生签约) between a resident and a team."""
    __table_args__ = (
        # Whether a resident holds a contract on a day, answered from the index alone.
        Index("ix_contract_resident_period", "resident_id", "start_date", "end_date",
              "terminated_on"),
        # Whether a team signed any contract in a period: one seek per team.
        Index("ix_contract_team_start", "team_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    # Set when the term is cut short (death, moving out); the contract then ends that day.
    terminated_on: Mapped[date | None]
    terminated_reason: Mapped[str | None] = mapped_column(String(32))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()
    team = relationship("Team")

    @property
    def last_day(self) -> date:
        return self.terminated_on or self.end_date

    def active_on(self, day: date) -> bool:
        return self.start_date <= day <= self.last_day


class ServiceRecord(db.Model):
    """A service a team delivered that has no form of its own (health education, maternal
    and child visits, reports...): it counts for service provision and archive use."""
    __table_args__ = (Index("ix_service_record_team_date", "team_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    date: Mapped[date]
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
