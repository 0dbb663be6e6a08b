"""A team's worklist as the day's plan: urgent follow-ups, down referrals to visit, suggested
referrals, overdue hypertension and diabetes (most overdue first), overdue annual checks,
then what falls due this week. One ordered list, searched by name and paged as a whole; a
page shows each section's heading where its items begin."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from healthgrid.extensions import db
from healthgrid.records.models import Resident
from healthgrid.referral.rules import programs_named

from . import rules, services
from .models import Enrollment

SECTIONS = ("urgent", "down-referrals", "suggested", "overdue-chronic", "overdue-checks",
            "due-soon")


@dataclass
class PlanItem:
    section: str
    name: str
    resident_id: int | None
    phone: str | None = None
    grid_id: int | None = None
    program: str | None = None
    due: date | None = None
    days_overdue: int = 0
    enrollment_id: int | None = None
    referral: object = None  # a down referral to visit


def _suggested(grid_ids, program: str | None, listed: set[int], day: date) -> list[PlanItem]:
    """Patients whose latest visit suggested a referral (two visits off target, a new
    complication...), not already in the plan for a visit due."""
    query = (select(Enrollment.id, Enrollment.resident_id, Resident.name, Resident.phone,
                    Resident.grid_id, Enrollment.program, Enrollment.next_due_date)
             .join(Resident, Resident.id == Enrollment.resident_id)
             .where(Resident.grid_id.in_(sorted(grid_ids)), Resident.status == "active",
                    Enrollment.status == "active", Enrollment.last_referral == "suggested"))
    if program:
        query = query.where(Enrollment.program == program)
    return [PlanItem("suggested", name, resident_id, phone, grid_id, program_, due,
                     max(0, (day - due).days) if due else 0, enrollment_id=enrollment_id)
            for enrollment_id, resident_id, name, phone, grid_id, program_, due
            in db.session.execute(query) if enrollment_id not in listed]


def day_plan(grid_ids, day: date, program: str | None, down_referrals: list,
             q: str = "") -> list[PlanItem]:
    """The whole plan, in order (services.worklist gives the due lists)."""
    overdue, due_soon = services.worklist(grid_ids, day, program)
    items: list[PlanItem] = []

    def add(section, w):
        items.append(PlanItem(section, w.name, w.resident_id, w.phone, w.grid_id, w.program,
                              w.next_due_date, w.days_overdue, w.enrollment_id))

    for w in overdue + due_soon:
        if w.urgent:
            add("urgent", w)
    # With a program chosen, the patients sent down whose diagnosis names it.
    items += [PlanItem("down-referrals", r.patient_name, r.resident_id, due=r.visit_due_date,
                       days_overdue=max(0, (day - r.visit_due_date).days)
                       if r.visit_due_date else 0, referral=r) for r in down_referrals
              if program is None or program in programs_named(r.diagnosis)]
    suggested_listed = {w.enrollment_id for w in overdue if w.urgent}
    suggested = _suggested(grid_ids, program, suggested_listed, day)
    items += suggested
    in_suggested = {i.enrollment_id for i in suggested}
    for w in overdue:  # most overdue first (services.worklist's order after the urgent)
        if not w.urgent and w.program in rules.VISIT_PROGRAMS and \
                w.enrollment_id not in in_suggested:
            add("overdue-chronic", w)
    for w in overdue:
        if not w.urgent and w.program not in rules.VISIT_PROGRAMS:
            add("overdue-checks", w)
    for w in due_soon:
        if not w.urgent and w.enrollment_id not in in_suggested:
            add("due-soon", w)
    words = "".join((q or "").split())
    if words:
        items = [i for i in items if words in i.name]
    return items


def counts(items: list[PlanItem]) -> dict[str, int]:
    found = dict.fromkeys(SECTIONS, 0)
    for item in items:
        found[item.section] += 1
    return found
