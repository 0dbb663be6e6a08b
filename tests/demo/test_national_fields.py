"""The demo fills the national forms' fields plausibly: about a quarter of adults smoke,
mostly men; diabetics' HbA1c around 6.5–9 %; one or two drugs of the usual classes; the
annual check's findings; the residents' basic information."""
from collections import Counter
from statistics import mean

from sqlalchemy import func, select

from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp, FollowUpMedicine
from healthgrid.extensions import db
from healthgrid.records.models import Resident, ResidentHistory


def test_chronic_visits_carry_lifestyle_regimen_and_diabetes_fields(demo_district):
    rows = db.session.execute(
        select(Enrollment.program, Resident.sex, FollowUp.cigarettes, FollowUp.hba1c,
               FollowUp.salt, FollowUp.staple_grams, FollowUp.weight_target, FollowUp.id)
        .join(Enrollment, Enrollment.id == FollowUp.enrollment_id)
        .join(Resident, Resident.id == Enrollment.resident_id)).all()
    assert rows
    smokers = [sex for _p, sex, cigarettes, *_rest in rows if cigarettes]
    assert 0.15 < len(smokers) / len(rows) < 0.35
    assert Counter(smokers)["male"] > 0.8 * len(smokers)
    hba1c = [value for program, _s, _c, value, *_r in rows if value is not None]
    assert hba1c and 6.5 <= mean(hba1c) <= 9.0 and min(hba1c) >= 4.5
    assert all(p == "diabetes" for p, _s, _c, value, *_r in rows if value is not None)
    assert all((salt is None) == (p == "diabetes") and (staple is None) == (p != "diabetes")
               for p, _s, _c, _h, salt, staple, *_r in rows)
    assert all(target for *_r, target, _id in rows)
    per_visit = Counter(db.session.scalars(select(FollowUpMedicine.followup_id)))
    assert len(per_visit) == len(rows)                      # every visit has its regimen
    counts = Counter(per_visit.values())
    assert set(counts) <= {1, 2} and counts[1] > counts[2]


def test_checks_residents_and_history_are_filled(demo_district):
    details = db.session.scalars(select(ElderlyCheck.details)).all()
    assert details and all(d and "cholesterol" in d and "cognition" in d for d in details)
    educations = db.session.scalars(select(Resident.education)).all()
    assert sum(e is not None for e in educations) > 0.8 * len(educations)
    assert db.session.scalar(select(func.count()).select_from(Resident).where(
        Resident.kitchen.is_(None))) == 0
    diseases = db.session.scalar(select(func.count()).select_from(ResidentHistory).where(
        ResidentHistory.kind == "disease"))
    enrollments = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.program.in_(("hypertension", "diabetes"))))
    assert diseases == enrollments
