"""Referral pages: the pre-filled up form, the desk's actions with notes, the down form and
the queue, the team's worklist, the archive's panel and the navigation's counters."""
import re
from datetime import date, timedelta

from sqlalchemy import select

from healthgrid.chronic import services as chronic
from healthgrid.chronic.models import Enrollment
from healthgrid.referral.models import Referral
from tests import factories
from tests.helpers import submit

from .conftest import DAY, patient


def _urgent_visit(resident):
    enrollment = chronic.enroll(resident, "hypertension", date(2026, 1, 5))
    return enrollment, chronic.record_followup(enrollment, {
        "visit_date": date(2026, 3, 1), "sbp": 186, "dbp": 102, "symptoms": ["chest_pain"],
        "drugs": "氨氯地平 5mg qd"}, None)


def test_urgent_follow_up_offers_a_prefilled_up_referral(login_as, district, db):
    resident = patient(district, name="周九", past_history="2016年确诊高血压")
    _enrollment, visit = _urgent_visit(resident)
    doctor = login_as("doctor")
    result = doctor.get(f"/chronic/followups/{visit.id}").get_data(as_text=True)
    assert f"/referrals/new?followup_id={visit.id}" in result
    page = doctor.get(f"/referrals/new?followup_id={visit.id}").get_data(as_text=True)
    assert '<option value="urgent" selected>' in page
    assert "2016年确诊高血压" in page  # past history from the archive
    assert "控制不满意" in page and "186/102" in page and "心前区疼痛" in page
    assert "氨氯地平 5mg qd" in page
    assert "高血压" in page and "区人民医院" in page


def test_doctor_sends_the_form_and_the_schedule_comes_within_14_days(login_as, district, db):
    resident = patient(district)
    enrollment = chronic.enroll(resident, "hypertension", date(2025, 12, 1))
    chronic.record_followup(enrollment, {"visit_date": date(2026, 2, 20), "sbp": 126,
                                         "dbp": 80}, None)
    doctor = login_as("doctor")
    url = f"/referrals/new?resident_id={resident.id}"
    response = submit(doctor, url, {"to_institution_id": district.hospital.id,
                                    "department": "心内科", "urgency": "routine",
                                    "reason": "反复胸闷一周", "initial_impression": "冠心病？"})
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id))
    assert response.headers["Location"].endswith(f"/referrals/{referral.id}")
    assert referral.reason == "反复胸闷一周" and referral.created_by_id == doctor.user.id
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).next_due_date <= DAY + timedelta(days=14)
    page = doctor.get(response.headers["Location"]).get_data(as_text=True)
    assert "反复胸闷一周" in page and "待接收" in page


def test_invalid_form_shows_field_messages_and_saves_nothing(login_as, district, db):
    resident = patient(district)
    doctor = login_as("doctor")
    response = submit(doctor, f"/referrals/new?resident_id={resident.id}",
                      {"to_institution_id": district.centre.id, "reason": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请更正标出的字段" in page or "has-error" in page
    assert db.session.scalar(select(Referral)) is None


def test_new_without_a_resident_sends_to_the_archives(login_as, district):
    response = login_as("doctor").get("/referrals/new")
    assert response.status_code == 302 and "/records/residents" in response.headers["Location"]


def test_referral_desk_cannot_open_the_up_form_or_a_resident(login_as, district):
    resident = patient(district)
    desk = login_as("referral_desk")
    assert desk.get(f"/referrals/new?resident_id={resident.id}").status_code == 403
    assert desk.get(f"/records/residents/{resident.id}").status_code == 403


def test_archive_page_lists_referrals_and_offers_to_refer_up(login_as, district, send_up):
    resident = patient(district)
    send_up(resident)
    page = login_as("doctor").get(f"/records/residents/{resident.id}").get_data(as_text=True)
    assert 'id="referrals"' in page and "区人民医院" in page
    assert f"/referrals/new?resident_id={resident.id}" in page


def test_desk_sees_only_what_the_referral_needs_and_acts(login_as, district, send_up, db):
    resident = patient(district, name="张三", phone="13912345678")
    referral_id = send_up(resident).json["id"]
    desk = login_as("referral_desk")
    url = f"/referrals/{referral_id}"
    page = desk.get(url).get_data(as_text=True)
    assert "张三" in page and resident.id_number not in page
    assert resident.id_number[:6] + "********" + resident.id_number[-4:] in page
    # The phone reaches the patient (issue #17, audited there); the archive stays closed.
    assert resident.archive_no not in page
    assert 'value="accept"' in page and 'value="reject"' in page
    assert 'value="cancel"' not in page and "/records/residents/" not in page

    refused = submit(desk, f"{url}/transitions", {"action": "reject"}, form_url=url)
    assert refused.status_code == 422
    assert "请填写拒收原因" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).status == "requested"

    accepted = submit(desk, f"{url}/transitions", {"action": "accept", "note": "请带病历"},
                      form_url=url)
    assert accepted.status_code == 302
    page = desk.get(url).get_data(as_text=True)
    assert "请带病历" in page and desk.user.username in page
    assert 'value="arrive"' in page and 'value="accept"' not in page


def test_refused_transition_on_the_page_is_409_and_changes_nothing(login_as, district,
                                                                  send_up, db):
    referral_id = send_up(patient(district)).json["id"]
    desk = login_as("referral_desk")
    url = f"/referrals/{referral_id}"
    response = submit(desk, f"{url}/transitions", {"action": "complete", "note": "x"},
                      form_url=url)
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).status == "requested"
    assert len(db.session.get(Referral, referral_id).events) == 1


def test_doctor_sees_the_history_and_the_feedback(login_as, district, send_up, api_as):
    referral_id = send_up(patient(district)).json["id"]
    desk, headers = api_as("referral_desk")
    url = f"/api/v1/referrals/{referral_id}/transitions"
    for payload in ({"action": "accept"}, {"action": "arrive"},
                    {"action": "complete", "note": "诊断：原发性高血压3级，已调整用药"}):
        assert desk.post(url, headers=headers, json=payload).status_code == 200
    page = login_as("doctor").get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert 'id="feedback"' in page and "诊断：原发性高血压3级，已调整用药" in page
    history = page[page.index('id="history"'):]
    assert history.count("<tr>") == 5  # header + create, accept, arrive, complete
    assert desk.user.username in history and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", history)


def test_doctor_never_opens_another_teams_referral(login_as, district, send_up, send_down):
    up_id = send_up(patient(district)).json["id"]
    down_id = send_down(patient(district).id_number).json["id"]
    other = login_as("doctor", team_index=1)
    for referral_id in (up_id, down_id):
        assert other.get(f"/referrals/{referral_id}").status_code == 404
        assert other.get(f"/referrals/{referral_id}/form.pdf").status_code == 404
    assert "referral-list" in other.get("/referrals/").get_data(as_text=True)
    listing = other.get("/referrals/").get_data(as_text=True)
    assert f"/referrals/{up_id}\"" not in listing and f"/referrals/{down_id}\"" not in listing


def test_desk_of_another_hospital_gets_404(login_as, district, send_up):
    referral_id = send_up(patient(district)).json["id"]
    other = factories.institution(kind="hospital", name="市第一医院")
    desk = login_as(factories.user("referral_desk", institution_id=other.id))
    assert desk.get(f"/referrals/{referral_id}").status_code == 404


def test_desk_sends_down_by_id_number_and_the_team_sees_it_on_the_worklist(
        login_as, district, db):
    resident = patient(district, name="钱七")
    desk = login_as("referral_desk")
    page = desk.get("/referrals/new-down").get_data(as_text=True)
    assert 'name="id_number"' in page
    response = submit(desk, "/referrals/new-down", {
        "id_number": resident.id_number.lower(), "patient_name": "钱七",
        "to_institution_id": district.centre.id, "urgency": "routine",
        "reason": "病情稳定", "diagnosis": "脑梗死恢复期", "inpatient_no": "ZY001",
        "rehab_advice": "肢体功能锻炼"})
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalar(select(Referral).where(Referral.direction == "down"))
    assert referral.assigned_team_id == district.teams[0].id
    assert referral.from_institution_id == district.hospital.id
    worklist = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    section = worklist[worklist.index('id="down-referral-list"'):]
    section = section[:section.index("</ol>")]  # the worklist's plan is a list (issue #17)
    assert "钱七" in section and "脑梗死恢复期" in section
    assert (DAY + timedelta(days=14)).isoformat() in section
    other_team = login_as("doctor", team_index=1).get("/chronic/worklist").get_data(as_text=True)
    assert "钱七" not in other_team


def test_overdue_down_referral_is_highlighted_on_the_worklist(login_as, district, send_down,
                                                              pinned_today):
    from healthgrid import clock
    send_down(patient(district).id_number, patient_name="孙八")
    clock.set_today(DAY + timedelta(days=15))
    page = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    section = page[page.index('id="down-referral-list"'):]
    section = section[:section.index("</ol>")]  # the worklist's plan is a list (issue #17)
    row = section[section.rfind("<li", 0, section.index("孙八")):]
    assert row.startswith('<li class="plan-item alert">')
    assert "已逾期" in section


def test_doctors_cannot_send_down(login_as, district):
    assert login_as("doctor").get("/referrals/new-down").status_code == 403


def test_manager_assigns_from_the_unassigned_queue(login_as, district, send_down, db):
    send_down(factories.id_number_for(date(1955, 2, 3), "male"), patient_name="吴十一")
    manager = login_as("manager")
    page = manager.get("/referrals/").get_data(as_text=True)
    assert 'id="unassigned-queue"' in page and "吴十一" in page
    referral = db.session.scalar(select(Referral))
    response = submit(manager, f"/referrals/{referral.id}/assign",
                      {"team_id": district.teams[1].id, "next": "index"}, form_url="/referrals/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/referrals/")
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).assigned_team_id == district.teams[1].id
    assert 'id="unassigned-queue"' not in manager.get("/referrals/").get_data(as_text=True)
    worklist = login_as("doctor", team_index=1).get("/chronic/worklist").get_data(as_text=True)
    assert "吴十一" in worklist


def test_doctor_cannot_assign(login_as, district, send_down, db):
    referral_id = send_down(patient(district).id_number).json["id"]
    doctor = login_as("doctor")
    url = f"/referrals/{referral_id}"
    response = submit(doctor, f"{url}/assign", {"team_id": district.teams[1].id}, form_url=url)
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).assigned_team_id == district.teams[0].id


def test_navigation_counts_what_waits(login_as, district, send_up, send_down):
    send_up(patient(district))
    send_up(patient(district))
    send_down(patient(district).id_number)
    send_down(factories.id_number_for(date(1950, 1, 1), "female"))

    def badges(client):
        page = client.get("/referrals/").get_data(as_text=True)
        nav = page[page.index('id="nav-referrals"'):]
        nav = nav[:nav.index("</a>")]
        return re.findall(r'<span class="badge[^"]*" title="([^"]+)">(\d+)</span>', nav)

    assert badges(login_as("referral_desk")) == [("待接收的新转诊", "2")]
    assert badges(login_as("doctor")) == [("下转待访视", "1")]
    assert dict(badges(login_as("manager"))) == {"下转待访视": "1", "待分配的下转": "1"}
    assert badges(login_as("doctor", team_index=1)) == []
