"""Chronic-disease and elderly programs: enrollments, follow-up visits, annual checks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db


class Enrollment(db.Model):
    __table_args__ = (
        Index("ix_enrollment_resident_program", "resident_id", "program"),
        # The worklist: active enrollments by due date.
        Index("ix_enrollment_status_due", "status", "next_due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    program: Mapped[str] = mapped_column(String(16))
    enrolled_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default="active")
    exit_reason: Mapped[str | None] = mapped_column(String(16))
    exited_on: Mapped[date | None]
    next_due_date: Mapped[date | None]
    # The latest visit's referral: an urgent one puts the patient first on the worklist.
    last_referral: Mapped[str | None] = mapped_column(String(12))
    last_visit_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    resident = relationship("Resident")
    followups: Mapped[list[FollowUp]] = relationship(
        back_populates="enrollment", order_by="(FollowUp.visit_date, FollowUp.id)")
    checks: Mapped[list[ElderlyCheck]] = relationship(
        back_populates="enrollment", order_by="(ElderlyCheck.check_date, ElderlyCheck.id)")

    __mapper_args__ = {"version_id_col": version}


class FollowUp(db.Model):
    # An enrollment's visits by date, with the latest one's result read from the index:
    # the indicators ask it of every managed patient.
    __table_args__ = (Index("ix_follow_up_enrollment_latest", "enrollment_id", "visit_date",
                            "id", "at_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"))
    visit_date: Mapped[date] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(String(8), default="clinic")
    sbp: Mapped[int | None]
    dbp: Mapped[int | None]
    fpg: Mapped[float | None]
    heart_rate: Mapped[int | None]
    temperature: Mapped[float | None]
    weight: Mapped[float | None]
    height: Mapped[float | None]
    symptoms: Mapped[str | None] = mapped_column(String(300))  # comma-separated codes
    adverse_reaction: Mapped[bool] = mapped_column(default=False)
    new_complication: Mapped[bool] = mapped_column(default=False)
    pregnant_or_lactating: Mapped[bool] = mapped_column(default=False)
    medication_adherence: Mapped[str | None] = mapped_column(String(16))
    drugs: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(20))
    at_target: Mapped[bool]
    referral: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[str | None] = mapped_column(String(300))  # comma-separated
    next_due_date: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="followups")

    @property
    def symptom_list(self) -> list[str]:
        return [s for s in (self.symptoms or "").split(",") if s]

    @property
    def reason_list(self) -> list[str]:
        return [s for s in (self.reasons or "").split(",") if s]


class ElderlyCheck(db.Model):
    __table_args__ = (Index("ix_elderly_check_enrollment_date", "enrollment_id", "check_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"))
    check_date: Mapped[date] = mapped_column(index=True)
    eating: Mapped[int]
    washing: Mapped[int]
    dressing: Mapped[int]
    toileting: Mapped[int]
    mobility: Mapped[int]
    selfcare_score: Mapped[int]
    selfcare_level: Mapped[str] = mapped_column(String(12))
    sbp: Mapped[int | None]
    dbp: Mapped[int | None]
    weight: Mapped[float | None]
    height: Mapped[float | None]
    bmi: Mapped[float | None]
    fpg: Mapped[float | None]
    lab_results: Mapped[str | None] = mapped_column(Text)
    guidance: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[str | None] = mapped_column(String(200))
    next_due_date: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="checks")

    @property
    def flag_list(self) -> list[str]:
        return [s for s in (self.flags or "").split(",") if s]
