"""Chronic-disease and elderly programs: enrollments, follow-up visits, annual checks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
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
    # The national sheet's fields (FORMS.md §2, §3); `drugs` keeps the free-text line of
    # visits recorded before medicines were rows, shown beside them.
    symptom_other: Mapped[str | None] = mapped_column(String(200))
    weight_target: Mapped[float | None]
    signs_other: Mapped[str | None] = mapped_column(String(200))
    cigarettes: Mapped[int | None]
    cigarettes_target: Mapped[int | None]
    alcohol_liang: Mapped[float | None]
    alcohol_liang_target: Mapped[float | None]
    exercise_per_week: Mapped[int | None]
    exercise_minutes: Mapped[int | None]
    exercise_per_week_target: Mapped[int | None]
    exercise_minutes_target: Mapped[int | None]
    salt: Mapped[str | None] = mapped_column(String(8))
    salt_target: Mapped[str | None] = mapped_column(String(8))
    staple_grams: Mapped[int | None]
    staple_grams_target: Mapped[int | None]
    psychology: Mapped[str | None] = mapped_column(String(8))
    compliance: Mapped[str | None] = mapped_column(String(8))
    exam_note: Mapped[str | None] = mapped_column(String(500))
    adverse_reaction_detail: Mapped[str | None] = mapped_column(String(200))
    hba1c: Mapped[float | None]
    hba1c_date: Mapped[date | None]
    hypoglycemia: Mapped[str | None] = mapped_column(String(12))
    foot_pulse: Mapped[str | None] = mapped_column(String(12))
    insulin_kind: Mapped[str | None] = mapped_column(String(64))
    insulin_usage: Mapped[str | None] = mapped_column(String(200))
    referral_reason: Mapped[str | None] = mapped_column(String(200))
    referral_to: Mapped[str | None] = mapped_column(String(200))
    classification: Mapped[str] = mapped_column(String(20))
    at_target: Mapped[bool]
    referral: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[str | None] = mapped_column(String(300))  # comma-separated
    next_due_date: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="followups")
    medicines: Mapped[list[FollowUpMedicine]] = relationship(
        order_by="FollowUpMedicine.position", cascade="all, delete-orphan")
    recorded_by = relationship("User")

    @property
    def bmi(self) -> float | None:
        from .rules import bmi
        return bmi(self.weight, self.height)

    @property
    def bmi_target(self) -> float | None:
        from .rules import bmi
        return bmi(self.weight_target, self.height)

    @property
    def symptom_list(self) -> list[str]:
        return [s for s in (self.symptoms or "").split(",") if s]

    @property
    def reason_list(self) -> list[str]:
        return [s for s in (self.reasons or "").split(",") if s]

    @property
    def regimen_text(self) -> str:
        """The medicines in one line (rows, then any free text of older visits)."""
        parts = [m.text for m in self.medicines]
        if self.insulin_kind or self.insulin_usage:
            parts.append(" ".join(p for p in (self.insulin_kind, self.insulin_usage) if p))
        if self.drugs:
            parts.append(self.drugs)
        return "；".join(parts)


class FollowUpMedicine(db.Model):
    """One drug of a visit's regimen as the sheet writes it: name, times a day, dose."""
    __tablename__ = "follow_up_medicine"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(64))
    times_per_day: Mapped[int | None]
    dose: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(String(16))

    @property
    def text(self) -> str:
        """As a prescription writes it: 氨氯地平 5mg ×1/d."""
        dose = f" {self.dose:g}{self.unit or ''}" if self.dose else ""
        times = f" ×{self.times_per_day}/d" if self.times_per_day else ""
        return f"{self.name}{dose}{times}"


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
    # The rest of the national check form (chronic/checkform.py): its named fields, each
    # validated on the way in, kept together because they are read as one sheet.
    details: Mapped[dict | None] = mapped_column(JSON)
    next_due_date: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="checks")
    rows: Mapped[list[CheckRow]] = relationship(
        order_by="(CheckRow.kind, CheckRow.position)", cascade="all, delete-orphan")
    recorded_by = relationship("User")

    def rows_of(self, kind: str) -> list[CheckRow]:
        return [row for row in self.rows if row.kind == kind]

    @property
    def flag_list(self) -> list[str]:
        return [s for s in (self.flags or "").split(",") if s]


class CheckRow(db.Model):
    """A line of the check's lists: a main medicine (name, usage, dose, duration, adherence),
    a hospital stay or family sickbed (admitted, discharged, reason, institution, record
    number) or a non-programme vaccination (name, date, place)."""
    __tablename__ = "check_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("elderly_check.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(12))  # medicine | hospital | sickbed | vaccination
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))  # drug, reason or vaccine
    usage: Mapped[str | None] = mapped_column(String(64))
    dose: Mapped[str | None] = mapped_column(String(32))
    duration: Mapped[str | None] = mapped_column(String(32))
    adherence: Mapped[str | None] = mapped_column(String(16))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    institution: Mapped[str | None] = mapped_column(String(100))  # or the vaccination's place
    record_no: Mapped[str | None] = mapped_column(String(32))
