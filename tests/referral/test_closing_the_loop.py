"""Referrals that close the loop (issue #17): completion needs the feedback, a referral on the
day of a visit still brings the next one within 14 days, a down referral names the sending
department and leads to the visit (and the enrollment), the desk reaches the patient, the
up form groups its targets and reads as Chinese."""
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from healthgrid.auth.models import AuditEntry
from healthgrid.chronic import services as chronic
from healthgrid.chronic.models import Enrollment
from healthgrid.referral.models import Referral
from tests import factories
from tests.helpers import submit

from .conftest import DAY, patient


def _to_arrived(referral_id, client, headers):
    url = f"/api/v1/referrals/{referral_id}/transitions"
    for action in ("accept", "arrive"):
        assert client.post(url, headers=headers, json={"action": action}).status_code == 200


def test_completing_needs_the_feedback_in_the_api(api_as, send_up, district, db):
    referral_id = send_up(patient(district)).json["id"]
    desk, headers = api_as("referral_desk")
    _to_arrived(referral_id, desk, headers)
    url = f"/api/v1/referrals/{referral_id}/transitions"
    for payload in ({"action": "complete"}, {"action": "complete", "note": "  "}):
        response = desk.post(url, headers=headers, json=payload)
        assert response.status_code == 422 and "note" in response.json["errors"], payload
    db.session.expire_all()
    referral = db.session.get(Referral, referral_id)
    assert referral.status == "arrived" and referral.feedback is None
    assert len(referral.events) == 3
    done = desk.post(url, headers=headers, json={"action": "complete", "note": "血压已控制"})
    assert done.status_code == 200 and done.json["feedback"] == "血压已控制"


def test_completing_on_the_page_without_feedback_is_refused(api_as, login_as, send_up,
                                                           district, db):
    referral_id = send_up(patient(district)).json["id"]
    _to_arrived(referral_id, *api_as("referral_desk"))
    desk = login_as("referral_desk")
    url = f"/referrals/{referral_id}"
    refused = submit(desk, f"{url}/transitions", {"action": "complete", "note": ""},
                     form_url=url)
    assert refused.status_code == 422
    assert "请填写诊疗反馈" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).status == "arrived"


def test_referral_on_the_day_of_a_controlled_visit_brings_the_next_within_14_days(
        send_up, district, db):
    resident = patient(district)
    enrollment = chronic.enroll(resident, "hypertension", date(2025, 12, 1))
    chronic.record_followup(enrollment, {"visit_date": DAY, "sbp": 128, "dbp": 78}, None)
    db.session.commit()
    assert enrollment.next_due_date == DAY + timedelta(days=90)
    assert send_up(resident).status_code == 201
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).next_due_date <= DAY + timedelta(days=14)


def test_a_visit_after_the_referral_on_the_same_day_follows_it(send_up, district, db):
    """Recorded after the referral, the visit is the one that follows it up: its own date."""
    resident = patient(district)
    enrollment = chronic.enroll(resident, "hypertension", date(2025, 12, 1))
    db.session.commit()
    assert send_up(resident).status_code == 201
    chronic.record_followup(db.session.get(Enrollment, enrollment.id),
                            {"visit_date": DAY, "sbp": 128, "dbp": 78}, None)
    db.session.commit()
    assert db.session.get(Enrollment, enrollment.id).next_due_date == DAY + timedelta(days=90)


def test_down_referral_names_the_hospitals_sending_department(login_as, send_down, district):
    resident = patient(district)
    referral_id = send_down(resident.id_number, department="心血管内科").json["id"]
    doctor = login_as("doctor")
    page = doctor.get(f"/referrals/{referral_id}").get_data(as_text=True)
    sent_from = re.search(r'<dd id="sent-from">(.*?)</dd>', page, re.S).group(1)
    sent_to = re.search(r'<dd id="sent-to">(.*?)</dd>', page, re.S).group(1)
    assert "区人民医院" in sent_from and "心血管内科" in sent_from
    assert "测试社区卫生服务中心" in sent_to and "心血管内科" not in sent_to
    listing = doctor.get("/referrals/").get_data(as_text=True)
    row = re.search(rf'/referrals/{referral_id}"(.*?)</tr>', listing,
                    re.S).group(0)
    assert "区人民医院 · 心血管内科" in row
    assert "测试社区卫生服务中心 · 心血管内科" not in listing


def test_accepting_a_down_referral_offers_the_visit_and_the_enrollment(login_as, send_down,
                                                                      district, db):
    resident = patient(district)
    referral_id = send_down(resident.id_number, diagnosis="高血压3级，冠心病").json["id"]
    doctor = login_as("doctor")
    url = f"/referrals/{referral_id}"
    before = doctor.get(url).get_data(as_text=True)
    assert 'id="next-for-patient"' not in before
    assert submit(doctor, f"{url}/transitions", {"action": "accept"}).status_code == 302
    page = doctor.get(url).get_data(as_text=True)
    assert 'id="next-for-patient"' in page
    assert f"/records/residents/{resident.id}#programs" in page  # record a visit
    assert f"/chronic/residents/{resident.id}/enrollments" in page
    assert 'name="program" value="hypertension"' in page
    assert 'value="diabetes"' not in page  # the diagnosis names no diabetes

    enrolled = chronic.enroll(db.session.get(type(resident), resident.id), "hypertension",
                              DAY)
    db.session.commit()
    page = doctor.get(url).get_data(as_text=True)
    assert f"/chronic/enrollments/{enrolled.id}/followups/new" in page
    assert 'name="program" value="hypertension"' not in page


def test_the_desk_sees_how_to_reach_the_patient_and_the_view_is_audited(login_as, send_up,
                                                                       district, db):
    resident = patient(district, name="张三", phone="13912345678")
    referral_id = send_up(resident).json["id"]
    desk = login_as("referral_desk")
    page = desk.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "13912345678" in page and "幸福里8号楼302" in page
    assert resident.id_number not in page  # the ID number stays masked
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "referral.view_contact"))
    assert entry is not None and entry.object_id == referral_id
    assert entry.resident_id == resident.id and "13912345678" not in (entry.detail or "")


def test_up_targets_are_grouped_by_kind(login_as, district):
    factories.institution(kind="public_health_agency", name="区疾病预防控制中心")
    resident = patient(district)
    page = login_as("doctor").get(f"/referrals/new?resident_id={resident.id}").get_data(
        as_text=True)
    select_html = re.search(r'<select id="f-to_institution_id".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html, re.S)
    assert [g[0] for g in groups] == ["上级医院", "专业公共卫生机构"]
    assert "区人民医院" in groups[0][1] and "区疾病预防控制中心" in groups[1][1]


def test_prefilled_reason_reads_as_chinese_without_repeats(login_as, district):
    resident = patient(district)
    enrollment = chronic.enroll(resident, "hypertension", date(2026, 1, 5))
    chronic.record_followup(enrollment, {"visit_date": date(2026, 2, 1), "sbp": 150,
                                         "dbp": 95}, None)
    visit = chronic.record_followup(enrollment, {
        "visit_date": date(2026, 3, 1), "sbp": 186, "dbp": 102,
        "symptoms": ["chest_pain", "vomiting"]}, None)
    page = login_as("doctor").get(f"/referrals/new?followup_id={visit.id}").get_data(
        as_text=True)
    reason = re.search(r'<textarea id="f-reason"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert reason.count("心前区疼痛") == 1  # the symptoms once, not again as reasons
    assert "," not in reason and "心前区疼痛、" in reason or "、心前区疼痛" in reason
    assert "未达标" not in reason and "186/102" in reason


def test_dates_and_status_chips_do_not_wrap():
    css = (Path(__file__).parents[2] / "static" / "css" / "app.css").read_text()
    rule = re.search(r"\.tag\s*(,[^{]*)?\{[^}]*\}", css).group(0)
    assert "white-space: nowrap" in rule
    assert re.search(r"\.nowrap[^{]*\{[^}]*white-space: nowrap", css)


def test_referral_dates_on_the_list_are_kept_whole(login_as, send_up, district):
    send_up(patient(district))
    page = login_as("doctor").get("/referrals/").get_data(as_text=True)
    assert f'<td data-label="日期" class="nowrap">{DAY.isoformat()}</td>' in page


def test_a_referral_from_before_the_enrollment_does_not_set_its_first_visit(send_up,
                                                                           send_down,
                                                                           district, db):
    """A patient sent down months ago and enrolled now is first seen 14 days after the
    enrollment, not 14 days after that old referral (a date long past)."""
    from tests.helpers import today_is
    resident = patient(district)
    assert send_down(resident.id_number).status_code == 201
    later = DAY + timedelta(days=120)
    with today_is(later):
        enrollment = chronic.enroll(db.session.get(type(resident), resident.id),
                                    "hypertension", later)
        chronic.refresh_schedule(enrollment)
        db.session.commit()
        assert enrollment.next_due_date == later + timedelta(days=14)
