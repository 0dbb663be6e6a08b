"""Two-way referrals (双向转诊) and their history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthgrid.clock import utcnow
from healthgrid.extensions import db


class Referral(db.Model):
    __table_args__ = (
        Index("ix_referral_to_status", "to_institution_id", "status"),
        Index("ix_referral_team_status", "assigned_team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))
    urgency: Mapped[str] = mapped_column(String(8), default="routine")
    status: Mapped[str] = mapped_column(String(12), default="requested")
    # Null for a down referral of someone with no archive here (the unassigned queue).
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    patient_name: Mapped[str] = mapped_column(String(64))
    patient_sex: Mapped[str | None] = mapped_column(String(6))
    patient_birth_date: Mapped[date | None]
    id_number: Mapped[str | None] = mapped_column(String(18))
    from_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    to_institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    department: Mapped[str | None] = mapped_column(String(64))
    # Up: the team that sent the patient. Down: the team the patient was routed to.
    from_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    referred_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    initial_impression: Mapped[str | None] = mapped_column(Text)
    past_history: Mapped[str | None] = mapped_column(Text)
    treatment: Mapped[str | None] = mapped_column(Text)
    diagnosis: Mapped[str | None] = mapped_column(Text)
    inpatient_no: Mapped[str | None] = mapped_column(String(32))
    key_results: Mapped[str | None] = mapped_column(Text)
    treatment_advice: Mapped[str | None] = mapped_column(Text)
    rehab_advice: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    contact_doctor: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id"))
    visit_due_date: Mapped[date | None]
    visited_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    resident = relationship("Resident")
    from_institution = relationship("Institution", foreign_keys=[from_institution_id])
    to_institution = relationship("Institution", foreign_keys=[to_institution_id])
    from_team = relationship("Team", foreign_keys=[from_team_id])
    assigned_team = relationship("Team", foreign_keys=[assigned_team_id])
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ReferralEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="events")
    user = relationship("User")  # the history names the person (username kept as written)
