"""Schedules and worklists as a team sees them."""
from datetime import date

from sqlalchemy import func, select

from healthgrid.chronic import services
from healthgrid.chronic.models import Enrollment
from healthgrid.records.services import record_exit
from tests import factories


def _patient(district, grid=0, name="病人", birth=date(1970, 1, 1)):
    return factories.resident(factories.household(district.grids[grid]), name=name,
                              birth_date=birth, with_id=False)


def _visit(enrollment, day, sbp, dbp=80, **kw):
    return services.record_followup(enrollment, {"visit_date": day, "sbp": sbp, "dbp": dbp, **kw},
                                    None)


def test_back_dated_visit_is_classified_against_earlier_visits_only(district, db):
    enrollment = services.enroll(_patient(district), "hypertension", date(2026, 1, 1))
    _visit(enrollment, date(2026, 3, 1), 150, 95)   # uncontrolled, first
    late = _visit(enrollment, date(2026, 1, 20), 128)  # recorded later, dated earlier
    assert late.classification == "controlled" and late.referral == "none"
    # the schedule follows the latest visit by date, not the latest recorded
    assert enrollment.next_due_date == date(2026, 3, 15)
    after = _visit(enrollment, date(2026, 3, 10), 152, 96)
    assert "two_consecutive_uncontrolled" in after.reason_list


def test_back_dated_visit_between_two_sees_the_one_before(district, db):
    enrollment = services.enroll(_patient(district), "hypertension", date(2026, 1, 1))
    _visit(enrollment, date(2026, 1, 10), 150, 95)
    _visit(enrollment, date(2026, 3, 1), 120)
    middle = _visit(enrollment, date(2026, 2, 1), 150, 95)
    assert middle.referral == "suggested"  # its previous (10 Jan) was uncontrolled too
    assert enrollment.next_due_date == date(2026, 5, 30)  # still the 1 March visit's


def test_worklist_puts_urgent_first_then_most_overdue(district, db):
    day = date(2026, 6, 1)
    a = services.enroll(_patient(district, name="甲"), "hypertension", date(2026, 1, 1))
    b = services.enroll(_patient(district, name="乙"), "hypertension", date(2026, 1, 1))
    c = services.enroll(_patient(district, name="丙"), "hypertension", date(2026, 1, 1))
    _visit(a, date(2026, 4, 1), 130)                 # due 30 Jun: not on the list
    _visit(b, date(2026, 3, 1), 130)                 # due 30 May: 2 days overdue
    _visit(c, date(2026, 5, 10), 185, 100)           # urgent, due 24 May: 8 days overdue
    d = services.enroll(_patient(district, name="丁"), "diabetes", date(2026, 5, 20))  # due 3 Jun
    e = services.enroll(_patient(district, name="戊"), "hypertension", date(2026, 1, 1))
    _visit(e, date(2026, 1, 20), 130)                # due 20 Apr: 42 days overdue
    overdue, due_soon = services.worklist({district.grids[0].id}, day)
    assert [i.name for i in overdue] == ["丙", "戊", "乙"]
    assert overdue[0].urgent and overdue[0].days_overdue == 8
    assert [i.name for i in due_soon] == ["丁"]
    assert d.id == due_soon[0].enrollment_id


def test_worklist_only_covers_the_teams_grids(district, db):
    services.enroll(_patient(district, grid=1, name="外"), "hypertension", date(2026, 1, 1))
    overdue, _ = services.worklist({district.grids[0].id}, date(2026, 6, 1))
    assert "外" not in [i.name for i in overdue]


def test_ended_enrollment_leaves_the_worklist(district, db):
    enrollment = services.enroll(_patient(district, name="退"), "hypertension", date(2026, 1, 1))
    services.end_enrollment(enrollment, "refused", date(2026, 2, 1))
    overdue, _ = services.worklist({district.grids[0].id}, date(2026, 6, 1))
    assert overdue == []


def test_death_ends_every_active_enrollment_with_that_reason(district, db):
    resident = _patient(district, birth=date(1950, 1, 1))  # 65+: elderly enrollment too
    services.enroll(resident, "diabetes", date(2026, 1, 1))
    record_exit(resident, "deceased", date(2026, 4, 1), resident.version)
    rows = db.session.execute(select(Enrollment.program, Enrollment.status, Enrollment.exit_reason)
                              .where(Enrollment.resident_id == resident.id)).all()
    assert sorted(rows) == [("diabetes", "exited", "deceased"), ("elderly", "exited", "deceased")]


def test_residents_turning_65_are_enrolled_by_the_daily_command(app, district, db):
    young = _patient(district, birth=date(1961, 12, 1))
    old = _patient(district, birth=date(1955, 1, 1))  # enrolled when registered
    runner = app.test_cli_runner()
    result = runner.invoke(args=["chronic", "enroll-elderly", "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "enrolled 1" in result.output
    count = db.session.scalar(select(func.count(Enrollment.id)).where(
        Enrollment.program == "elderly", Enrollment.resident_id.in_([young.id, old.id])))
    assert count == 2
    again = runner.invoke(args=["chronic", "enroll-elderly", "--as-of", "2026-12-01"])
    assert "enrolled 0" in again.output


def test_elderly_enrollment_needs_age_65(district, db):
    import pytest
    with pytest.raises(services.ChronicError):
        services.enroll(_patient(district, birth=date(1970, 1, 1)), "elderly", date(2026, 1, 1))
