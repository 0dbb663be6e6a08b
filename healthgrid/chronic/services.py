"""Program use cases: enroll, record visits and checks, end, and the team worklist."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from healthgrid.domain import DomainError
from healthgrid.auth.models import User
from healthgrid.auth.services import audit
from healthgrid.extensions import db
from healthgrid.hooks import Hooks
from healthgrid.records import services as records
from healthgrid.records.models import Resident
from healthgrid.records.rules import age_on, latest_birth_date_for_age

from . import checkform, national, rules
from .models import CheckRow, ElderlyCheck, Enrollment, FollowUp, FollowUpMedicine

# Functions (enrollment) -> date | None giving a latest allowed next-due date (referrals).
DUE_LIMITS = Hooks()


class ChronicError(DomainError):
    """A user-caused problem in this domain (see healthgrid.domain)."""


def active_enrollment(resident_id: int, program: str) -> Enrollment | None:
    return db.session.scalar(select(Enrollment).where(
        Enrollment.resident_id == resident_id, Enrollment.program == program,
        Enrollment.status == "active"))


def enrollments_of(resident: Resident) -> list[Enrollment]:
    # The archive lists every visit with its regimen and recorder: loaded with them.
    visits = selectinload(Enrollment.followups)
    return list(db.session.scalars(select(Enrollment).where(
        Enrollment.resident_id == resident.id).order_by(Enrollment.status, Enrollment.program,
                                                          Enrollment.enrolled_on.desc())
        .options(visits.selectinload(FollowUp.medicines),
                 visits.selectinload(FollowUp.recorded_by).selectinload(User.staff))))


def enroll(resident: Resident, program: str, enrolled_on: date) -> Enrollment:
    if resident.status != "active":
        raise ChronicError("program", _l("This archive is closed history and cannot change."), 409)
    if enrolled_on < resident.birth_date:
        raise ChronicError("enrolled_on", _l("The date is before the birth date."))
    if program == "elderly" and age_on(resident.birth_date, enrolled_on) < rules.SETTINGS.elderly_age:
        raise ChronicError("program", _l("The elderly program starts at age 65."))
    if active_enrollment(resident.id, program):
        raise ChronicError("program", _l("The resident is already enrolled in this program."), 409)
    enrollment = Enrollment(resident_id=resident.id, program=program, enrolled_on=enrolled_on,
                            status="active",
                            next_due_date=rules.first_due_date(program, enrolled_on))
    db.session.add(enrollment)
    db.session.flush()
    audit("enrollment.create", enrollment, resident_id=resident.id, detail=f"program={program}")
    return enrollment


def end_enrollment(enrollment: Enrollment, reason: str, on: date) -> None:
    if enrollment.status != "active":
        raise ChronicError("reason", _l("This enrollment has already ended."), 409)
    if on < enrollment.enrolled_on:
        raise ChronicError("exited_on", _l("The date is before the enrollment."))
    enrollment.status, enrollment.exit_reason, enrollment.exited_on = "exited", reason, on
    db.session.flush()
    audit("enrollment.end", enrollment, resident_id=enrollment.resident_id,
          detail=f"reason={reason}")


def _ensure_open(enrollment: Enrollment) -> None:
    if enrollment.status != "active":
        raise ChronicError("visit_date", _l("This enrollment has ended."), 409)


def _previous_visit(enrollment: Enrollment, visit_date: date) -> FollowUp | None:
    """The latest visit before this date (a back-dated visit looks only backwards)."""
    return db.session.scalar(select(FollowUp).where(
        FollowUp.enrollment_id == enrollment.id, FollowUp.visit_date < visit_date)
        .order_by(FollowUp.visit_date.desc(), FollowUp.id.desc()).limit(1))


def refresh_schedule(enrollment: Enrollment) -> None:
    """The next due date follows the latest visit or check, then any referral limit."""
    if enrollment.program == "elderly":
        latest = db.session.scalar(select(ElderlyCheck).where(
            ElderlyCheck.enrollment_id == enrollment.id)
            .order_by(ElderlyCheck.check_date.desc(), ElderlyCheck.id.desc()).limit(1))
        due = latest.next_due_date if latest else rules.first_due_date(
            "elderly", enrollment.enrolled_on)
        enrollment.last_visit_date = latest.check_date if latest else None
    else:
        latest = db.session.scalar(select(FollowUp).where(
            FollowUp.enrollment_id == enrollment.id)
            .order_by(FollowUp.visit_date.desc(), FollowUp.id.desc()).limit(1))
        due = latest.next_due_date if latest else rules.first_due_date(
            enrollment.program, enrollment.enrolled_on)
        enrollment.last_referral = latest.referral if latest else None
        enrollment.last_visit_date = latest.visit_date if latest else None
    for limit in DUE_LIMITS:
        cap = limit(enrollment)
        if cap is not None and cap < due:
            due = cap
    enrollment.next_due_date = due


def record_followup(enrollment: Enrollment, data: dict, user_id: int | None) -> FollowUp:
    _ensure_open(enrollment)
    if enrollment.program not in rules.VISIT_PROGRAMS:
        raise ChronicError("visit_date", _l("The elderly program records annual checks."))
    resident = db.session.get(Resident, enrollment.resident_id)
    if data.get("pregnant_or_lactating") and not national.pregnancy_applies(
            resident.sex, age_on(resident.birth_date, data["visit_date"])):
        raise ChronicError("pregnant_or_lactating",
                           _l("Pregnancy is recorded for women aged 15 to 49 only."))
    previous = _previous_visit(enrollment, data["visit_date"])
    visit = rules.Visit(
        program=enrollment.program, visit_date=data["visit_date"],
        age=age_on(resident.birth_date, data["visit_date"]),
        sbp=data.get("sbp"), dbp=data.get("dbp"), fpg=data.get("fpg"),
        heart_rate=data.get("heart_rate"), temperature=data.get("temperature"),
        symptoms=tuple(data.get("symptoms") or ()),
        adverse_reaction=data.get("adverse_reaction", False),
        new_complication=data.get("new_complication", False),
        pregnant_or_lactating=data.get("pregnant_or_lactating", False))
    outcome = rules.classify(visit, previous and rules.Previous(previous.at_target,
                                                                previous.adverse_reaction))
    followup = FollowUp(
        enrollment_id=enrollment.id, **sheet_columns(data),
        symptoms=",".join(visit.symptoms) or None, classification=outcome.classification,
        at_target=outcome.at_target, referral=outcome.referral,
        reasons=",".join(outcome.reasons) or None, next_due_date=outcome.next_due_date,
        recorded_by_id=user_id)
    db.session.add(followup)
    db.session.flush()
    refresh_schedule(enrollment)
    db.session.flush()
    audit("followup.create", followup, resident_id=enrollment.resident_id,
          detail=f"classification={outcome.classification} referral={outcome.referral}")
    return followup


def sheet_columns(data: dict) -> dict:
    """A visit's validated input as the follow-up's columns and medicine rows."""
    columns = {k: v for k, v in data.items()
               if k not in ("symptoms", "lifestyle", "insulin", "medicines")}
    columns.update({k: v for k, v in (data.get("lifestyle") or {}).items()})
    insulin = data.get("insulin") or {}
    columns["insulin_kind"], columns["insulin_usage"] = insulin.get("kind"), insulin.get("usage")
    columns["medicines"] = [FollowUpMedicine(position=i, **row)
                            for i, row in enumerate(data.get("medicines") or ())]
    return columns


def visit_context(enrollment: Enrollment, day: date) -> dict:
    """What the doctor sees above a new visit's form: age, the last three readings, the
    current medicines, days since the last visit, and the values the form starts from."""
    resident = db.session.get(Resident, enrollment.resident_id)
    visits = enrollment.followups
    last = visits[-1] if visits else None
    carried = {}
    if last is not None:
        carried = national.carried_forward({name: getattr(last, name)
                                            for name in national.CARRIED})
    return {"age": age_on(resident.birth_date, day), "last_visits": visits[-3:][::-1],
            "last": last, "medicines": list(last.medicines) if last else [],
            "days_since": (day - last.visit_date).days if last else None,
            "carried": carried,
            "pregnancy_applies": national.pregnancy_applies(
                resident.sex, age_on(resident.birth_date, day))}


def record_check(enrollment: Enrollment, data: dict, user_id: int | None) -> ElderlyCheck:
    _ensure_open(enrollment)
    if enrollment.program != "elderly":
        raise ChronicError("check_date", _l("Annual checks belong to the elderly program."))
    levels = data["selfcare"]
    score = rules.selfcare_score(levels)
    in_htn = active_enrollment(enrollment.resident_id, "hypertension") is not None
    in_dm = active_enrollment(enrollment.resident_id, "diabetes") is not None
    details = {name: data[name] for name in checkform.detail_names()
               if data.get(name) not in (None, [], "")}
    check = ElderlyCheck(
        enrollment_id=enrollment.id, check_date=data["check_date"], **levels,
        selfcare_score=score, selfcare_level=rules.selfcare_level(score),
        sbp=data.get("sbp"), dbp=data.get("dbp"), weight=data.get("weight"),
        height=data.get("height"), bmi=rules.bmi(data.get("weight"), data.get("height")),
        fpg=data.get("fpg"), lab_results=data.get("lab_results"), guidance=data.get("guidance"),
        flags=",".join(rules.screening_flags(data.get("sbp"), data.get("dbp"), data.get("fpg"),
                                             in_htn, in_dm)) or None,
        details=details or None, rows=_check_rows(data),
        next_due_date=rules.check_next_due(data["check_date"]), recorded_by_id=user_id)
    db.session.add(check)
    db.session.flush()
    refresh_schedule(enrollment)
    db.session.flush()
    audit("check.create", check, resident_id=enrollment.resident_id,
          detail=f"selfcare={check.selfcare_level}")
    return check


def _check_rows(data: dict) -> list[CheckRow]:
    rows = [CheckRow(kind="medicine", position=i, **row)
            for i, row in enumerate(data.get("medicines") or ())]
    rows += [CheckRow(kind=row["kind"] or "hospital", position=i, name=row["reason"],
                      start_date=row.get("admitted"), end_date=row.get("discharged"),
                      institution=row.get("institution"), record_no=row.get("record_no"))
             for i, row in enumerate(data.get("stays") or ())]
    rows += [CheckRow(kind="vaccination", position=i, name=row["name"],
                      start_date=row.get("date"), institution=row.get("place"))
             for i, row in enumerate(data.get("vaccinations") or ())]
    return rows


def enroll_elderly(day: date) -> int:
    """Enroll every active resident aged 65+ on `day` not yet in the elderly program."""
    latest_birth = latest_birth_date_for_age(day, rules.SETTINGS.elderly_age)
    enrolled = select(Enrollment.resident_id).where(
        Enrollment.program == "elderly", Enrollment.status == "active")
    ids = db.session.scalars(select(Resident.id).where(
        Resident.status == "active", Resident.birth_date <= latest_birth,
        Resident.id.not_in(enrolled))).all()
    rows = [{"resident_id": rid, "program": "elderly", "enrolled_on": day, "status": "active",
             "next_due_date": rules.first_due_date("elderly", day), "version": 1}
            for rid in ids]
    for start in range(0, len(rows), 5000):
        db.session.execute(Enrollment.__table__.insert(), rows[start:start + 5000])
    if rows:
        audit("enrollment.elderly_batch", detail=f"count={len(rows)}")
    return len(rows)


# --- worklist ---------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkItem:
    enrollment_id: int
    resident_id: int
    name: str
    phone: str | None
    grid_id: int
    program: str
    next_due_date: date
    days_overdue: int
    urgent: bool


@lru_cache(maxsize=2)
def _worklist_statement(by_program: bool):
    """Built once: a team's worklist is opened often, and building the statement each time
    cost more than running it."""
    query = (select(Enrollment.id, Enrollment.resident_id, Resident.name, Resident.phone,
                    Resident.grid_id, Enrollment.program, Enrollment.next_due_date,
                    Enrollment.last_referral)
             .join(Resident, Resident.id == Enrollment.resident_id)
             .where(Resident.grid_id.in_(bindparam("grid_ids", expanding=True)),
                    Resident.status == "active", Enrollment.status == "active",
                    Enrollment.next_due_date <= bindparam("horizon")))
    if by_program:
        query = query.where(Enrollment.program == bindparam("program"))
    return query


def worklist(grid_ids, day: date, program: str | None = None) -> tuple[list, list]:
    """(overdue, due_soon) of the grids' active enrollments: urgent first, then most overdue."""
    params = {"grid_ids": sorted(grid_ids),
              "horizon": day + timedelta(days=rules.SETTINGS.due_soon_days)}
    if program:
        params["program"] = program
    overdue, due_soon = [], []
    for (enrollment_id, resident_id, name, phone, grid_id, program_, next_due,
         last_referral) in db.session.execute(_worklist_statement(bool(program)), params):
        item = WorkItem(enrollment_id, resident_id, name, phone, grid_id, program_, next_due,
                        max(0, (day - next_due).days), last_referral == "urgent")
        (overdue if next_due < day else due_soon).append(item)
    overdue.sort(key=lambda i: (not i.urgent, -i.days_overdue, i.name))
    due_soon.sort(key=lambda i: (not i.urgent, i.next_due_date, i.name))
    return overdue, due_soon


# --- reactions to archive events and contributions to the resident's page ---------------

def _enroll_new_elderly(resident: Resident, day: date, **_kw) -> None:
    if age_on(resident.birth_date, day) >= rules.SETTINGS.elderly_age:
        enroll(resident, "elderly", day)


def _end_on_exit(resident: Resident, status: str, day: date, **_kw) -> None:
    for enrollment in db.session.scalars(select(Enrollment).where(
            Enrollment.resident_id == resident.id, Enrollment.status == "active")):
        end_enrollment(enrollment, status, max(day, enrollment.enrolled_on))


def programs_of_resident(resident: Resident) -> list[str]:
    return list(db.session.scalars(select(Enrollment.program).where(
        Enrollment.resident_id == resident.id, Enrollment.status == "active")))


def programs_of_residents(resident_ids: list[int]) -> dict[int, list[str]]:
    """Active programs of a page of residents, in one query."""
    found: dict[int, list[str]] = {}
    if resident_ids:
        for resident_id, program in db.session.execute(select(
                Enrollment.resident_id, Enrollment.program).where(
                Enrollment.resident_id.in_(resident_ids), Enrollment.status == "active")
                .order_by(Enrollment.program)):
            found.setdefault(resident_id, []).append(program)
    return found


def timeline_of_resident(resident: Resident) -> list:
    from flask import url_for
    from flask_babel import gettext as _
    from healthgrid.labels import label
    entries = []
    for enrollment in enrollments_of(resident):
        name = label("program", enrollment.program)
        entries.append(records.TimelineEntry(enrollment.enrolled_on, "enrollment",
                                             _("Enrolled: %(program)s", program=name)))
        for f in enrollment.followups:
            entries.append(records.TimelineEntry(
                f.visit_date, "followup",
                _("%(program)s follow-up: %(result)s", program=name,
                  result=label("classification", f.classification)),
                url_for("chronic.followup", followup_id=f.id)))
        for c in enrollment.checks:
            entries.append(records.TimelineEntry(
                c.check_date, "check", _("Annual health check: %(level)s",
                                         level=label("selfcare_level", c.selfcare_level)),
                url_for("chronic.check", check_id=c.id)))
        if enrollment.exited_on:
            entries.append(records.TimelineEntry(
                enrollment.exited_on, "enrollment_end",
                _("Left %(program)s: %(reason)s", program=name,
                  reason=label("exit_reason", enrollment.exit_reason))))
    return entries


def follow_archive_events() -> None:
    """New residents of 65 are enrolled, departed ones let go (blinker keeps one connection
    per receiver, however often the app is made)."""
    records.resident_registered.connect(_enroll_new_elderly, weak=False)
    records.resident_exited.connect(_end_on_exit, weak=False)

