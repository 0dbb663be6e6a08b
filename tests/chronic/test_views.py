"""Programs through the pages: the phone form, the result, the archive panel, the worklist."""
from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from healthgrid.auth.models import AuditEntry
from healthgrid.chronic import services
from tests import factories
from tests.helpers import submit


def _patient(district, **kw):
    kw.setdefault("birth_date", date(1970, 1, 1))
    return factories.resident(factories.household(district.grids[0]), with_id=False, **kw)


def test_doctor_enrolls_and_records_an_urgent_visit(login_as, district, db):
    resident = _patient(district, name="周九")
    doctor = login_as("doctor")
    page_url = f"/records/residents/{resident.id}"
    response = submit(doctor, f"/chronic/residents/{resident.id}/enrollments",
                      {"program": "hypertension", "enrolled_on": "2026-01-05"}, form_url=page_url)
    assert response.status_code == 302
    enrollment = services.active_enrollment(resident.id, "hypertension")
    form_url = f"/chronic/enrollments/{enrollment.id}/followups/new"
    response = submit(doctor, form_url, {"visit_date": "2026-02-01", "method": "home",
                                         "sbp": "186", "dbp": "102", "symptoms": "chest_pain"})
    assert response.status_code == 302
    result = doctor.get(response.headers["Location"]).get_data(as_text=True)
    assert "控制不满意" in result and "紧急转诊" in result
    assert "心前区疼痛" in result and "2026-02-15" in result
    assert "收缩压 ≥ 180 mmHg" in result and "sbp&gt;=" not in result  # the reading, named


def test_invalid_visit_shows_field_messages_and_saves_nothing(login_as, district, db):
    enrollment = services.enroll(_patient(district), "hypertension", date(2026, 1, 5))
    doctor = login_as("doctor")
    response = submit(doctor, f"/chronic/enrollments/{enrollment.id}/followups/new",
                      {"visit_date": "2026-02-01", "sbp": "80", "dbp": "95"})
    assert response.status_code == 422
    assert "舒张压必须低于收缩压" in response.get_data(as_text=True)
    db.session.refresh(enrollment)
    assert enrollment.followups == []


def test_archive_page_shows_visits_and_a_trend_chart_with_targets(login_as, district, db):
    resident = _patient(district, name="吴十")
    enrollment = services.enroll(resident, "hypertension", date(2026, 1, 5))
    for day, sbp in ((date(2026, 2, 1), 150), (date(2026, 2, 15), 136)):
        services.record_followup(enrollment, {"visit_date": day, "sbp": sbp, "dbp": 85}, None)
    page = login_as("doctor").get(f"/records/residents/{resident.id}").get_data(as_text=True)
    assert "<svg" in page and "收缩压目标" in page and "150/85" in page
    assert "高血压患者健康管理" in page


def test_nurse_records_an_elderly_check(login_as, district, db):
    resident = _patient(district, birth_date=date(1950, 1, 1))
    enrollment = services.active_enrollment(resident.id, "elderly")
    nurse = login_as("doctor")
    response = submit(nurse, f"/chronic/enrollments/{enrollment.id}/checks/new", {
        "check_date": "2026-03-01", "sbp": "150", "dbp": "85", "selfcare_eating": "2",
        "selfcare_washing": "3", "selfcare_dressing": "2", "selfcare_toileting": "2",
        "selfcare_mobility": "1"})
    assert response.status_code == 302
    page = nurse.get(response.headers["Location"]).get_data(as_text=True)
    assert "自理能力评分 19" in page and "不能自理" in page and "高血压筛查" in page
    assert "2027-03-01" in page


def test_worklist_page_lists_phones_and_is_audited(login_as, district, db):
    resident = _patient(district, name="郑一", phone="13511112222")
    services.enroll(resident, "hypertension", date(2026, 1, 5))
    doctor = login_as("doctor")
    page = doctor.get("/chronic/worklist").get_data(as_text=True)
    assert "郑一" in page and "13511112222" in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "worklist.view"))


def test_worklist_downloads_as_excel(login_as, district, db):
    services.enroll(_patient(district, name="王二", phone="13511113333"), "diabetes",
                    date(2026, 1, 5))
    response = login_as("doctor").get(f"/chronic/worklist.xlsx?team_id={district.teams[0].id}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("王二" in row and "13511113333" in row for row in rows)


def test_other_team_gets_404_on_worklist_and_visit_pages(login_as, district, db):
    enrollment = services.enroll(_patient(district), "hypertension", date(2026, 1, 5))
    other = login_as("doctor", team_index=1)
    assert other.get(f"/chronic/worklist?team_id={district.teams[0].id}").status_code == 404
    assert other.get(f"/chronic/enrollments/{enrollment.id}/followups/new").status_code == 404
