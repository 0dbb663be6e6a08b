"""Every POST form of the pages, pressed as a user presses it in a browser (tests.helpers.press,
which also checks that the page has each control filled and offers each value chosen): the
form's own hidden inputs, default values, tick-box pairs, text areas and the pressed
button's name go along with what the user types. Each test checks what the user sees
happen: a redirect, the change in the database or on the next page, and no error flash.

The records forms (household, member, edit, contract) are pressed in
tests/records/test_views.py; the login form in tests/auth/test_views.py."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from healthgrid.auth.models import User
from healthgrid.chronic.models import ElderlyCheck, Enrollment, FollowUp
from healthgrid.events.models import GridEvent
from healthgrid.kpi import services as kpi_services
from healthgrid.org.models import Community, Grid, Institution, Staff, Team, TeamMembership
from healthgrid.records.models import Contract, Resident
from healthgrid.referral.models import Referral
from healthgrid.surveys.models import SurveyResponse
from tests import factories
from tests.helpers import press, press_on, today_is

DAY = date(2026, 3, 2)
# A flashed message or a form's error summary (not an urgent result shown in red).
ERROR_FLASH = re.compile(r'<div class="flash flash-error" role="(?:status|alert)">[^<]*')


@pytest.fixture(autouse=True)
def pinned_today():
    with today_is(DAY):
        yield DAY


def followed(client, response, status=302) -> str:
    """The page the form's redirect leads to, which must show no error flash."""
    assert response.status_code == status, response.get_data(as_text=True)
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert not ERROR_FLASH.search(page), ERROR_FLASH.search(page).group(0)
    return page


def resident_in(district, grid_index=0, **kw):
    hh = factories.household(district.grids[grid_index], address="幸福里8号楼302")
    return factories.resident(hh, phone="13912345678", **kw)


def enrollment_of(resident, program, on=date(2025, 6, 1)):
    from healthgrid.chronic.services import enroll
    return enroll(resident, program, on)


# --- organisation -----------------------------------------------------------------------

def test_admin_creates_an_institution(login_as, db):
    admin = login_as("admin")
    page = followed(admin, press(admin, "/org/institutions/new", "保存", {
        "code": "H-NEW", "name": "区中医医院", "kind": "hospital"}))
    assert "已保存。" in page and "区中医医院" in page
    assert db.session.scalar(select(Institution).where(Institution.code == "H-NEW")).kind == \
        "hospital"


def test_manager_edits_the_centre(login_as, district, db):
    manager = login_as("manager")
    followed(manager, press(manager, f"/org/institutions/{district.centre.id}/edit", "保存",
                            {"phone": "010-88886666"}))
    db.session.expire_all()
    centre = db.session.get(Institution, district.centre.id)
    assert centre.phone == "010-88886666" and centre.county_code == "110105"


def test_manager_creates_and_edits_a_community(login_as, district, db):
    manager = login_as("manager")
    followed(manager, press(manager, "/org/communities/new", "保存",
                            {"kind": "village", "code": "101", "name": "桃园村"}))
    village = db.session.scalar(select(Community).where(Community.name == "桃园村"))
    assert (village.institution_id, village.code) == (district.centre.id, "101")
    followed(manager, press(manager, f"/org/communities/{village.id}/edit", "保存",
                            {"name": "桃园新村"}))
    db.session.expire_all()
    assert db.session.get(Community, village.id).name == "桃园新村"


def test_manager_creates_a_grid(login_as, district, db):
    manager = login_as("manager")
    page = followed(manager, press(manager, "/org/grids/new", "保存", {
        "community_id": district.community.id, "code": "G-NEW", "name": "幸福里第9网格",
        "kind": "residential", "team_id": district.teams[1].id}))
    assert "幸福里第9网格" in page
    grid = db.session.scalar(select(Grid).where(Grid.code == "G-NEW"))
    assert (grid.population, grid.households, grid.team_id) == (1500, 500, district.teams[1].id)


def test_manager_edits_a_grid_keeping_what_the_form_shows(login_as, district, db):
    manager = login_as("manager")
    grid = district.grids[0]
    followed(manager, press(manager, f"/org/grids/{grid.id}/edit", "保存", {"population": 1620}))
    db.session.expire_all()
    grid = db.session.get(Grid, grid.id)
    assert (grid.population, grid.name, grid.team_id) == (1620, "幸福里第1网格",
                                                          district.teams[0].id)


def test_manager_creates_a_team_and_edits_it(login_as, district, db):
    manager = login_as("manager")
    page = followed(manager, press(manager, "/org/teams/new", "保存",
                                   {"name": "丙团队", "service_hours": "周一至周五 8:00-17:00"}))
    assert "丙团队" in page
    team = db.session.scalar(select(Team).where(Team.name == "丙团队"))
    assert team.institution_id == district.centre.id
    followed(manager, press(manager, f"/org/teams/{team.id}/edit", "保存", {"phone": "010-1234"}))
    db.session.expire_all()
    team = db.session.get(Team, team.id)
    assert (team.phone, team.service_hours) == ("010-1234", "周一至周五 8:00-17:00")


def test_manager_adds_a_staff_member_with_the_ticked_defaults(login_as, district, db):
    manager = login_as("manager")
    page = followed(manager, press(manager, "/org/staff/new", "保存",
                                   {"name": "刘护士", "title": "主管护师"}))
    assert "刘护士" in page
    staff = db.session.scalar(select(Staff).where(Staff.name == "刘护士"))
    assert (staff.institution_id, staff.is_medical, staff.active) == (district.centre.id,
                                                                      True, True)


def test_manager_unticks_a_staff_members_boxes(login_as, district, db):
    """Unticking sends only the hidden "0" of each pair."""
    manager = login_as("manager")
    staff = district.staff["a_nurse"]
    followed(manager, press(manager, f"/org/staff/{staff.id}/edit", "保存",
                            {"is_medical": "0", "active": "0"}))
    db.session.expire_all()
    staff = db.session.get(Staff, staff.id)
    assert (staff.is_medical, staff.active) == (False, False)


def test_manager_adds_a_member_to_a_team(login_as, district, db):
    manager = login_as("manager")
    newcomer = factories.staff(district.centre, name="孙医生")
    team = district.teams[1]
    page = followed(manager, press(manager, f"/org/teams/{team.id}", "添加成员",
                                   {"staff_id": newcomer.id, "role": "specialist"}))
    assert "已添加成员。" in page and "孙医生" in page
    membership = db.session.scalar(select(TeamMembership).where(
        TeamMembership.staff_id == newcomer.id))
    assert (membership.team_id, membership.role, membership.start_date) == (
        team.id, "specialist", DAY)


def test_manager_ends_a_membership(login_as, district, db):
    manager = login_as("manager")
    team = district.teams[0]
    first = team.memberships[0]
    page = followed(manager, press(manager, f"/org/teams/{team.id}", "结束任职"))
    assert "已结束该成员的团队任职。" in page
    db.session.expire_all()
    assert db.session.get(TeamMembership, first.id).end_date == DAY


# --- chronic disease and elderly programs -----------------------------------------------

def test_doctor_enrolls_a_resident(login_as, district, db):
    doctor = login_as("doctor")
    resident = resident_in(district)
    url = f"/records/residents/{resident.id}"
    page = followed(doctor, press(doctor, url, "纳入管理", {"program": "diabetes"}))
    assert "已纳入管理。" in page
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.resident_id == resident.id))
    assert (enrollment.program, enrollment.enrolled_on, enrollment.status) == (
        "diabetes", DAY, "active")


def test_doctor_records_a_follow_up_as_the_form_stands(login_as, district, db):
    doctor = login_as("doctor")
    enrollment = enrollment_of(resident_in(district), "hypertension")
    response = press(doctor, f"/chronic/enrollments/{enrollment.id}/followups/new", "保存并评估",
                     {"sbp": 128, "dbp": 82})
    page = followed(doctor, response)
    visit = db.session.scalar(select(FollowUp).where(FollowUp.enrollment_id == enrollment.id))
    assert response.headers["Location"].endswith(f"/chronic/followups/{visit.id}")
    assert (visit.visit_date, visit.method, visit.sbp, visit.dbp) == (DAY, "home", 128, 82)
    assert (visit.adverse_reaction, visit.new_complication) == (False, False)
    assert visit.classification == "controlled" and "128" in page


def test_doctor_records_a_follow_up_with_ticked_findings(login_as, district, db):
    doctor = login_as("doctor")
    enrollment = enrollment_of(resident_in(district), "diabetes")
    followed(doctor, press(doctor, f"/chronic/enrollments/{enrollment.id}/followups/new",
                           "保存并评估", {"fpg": "6.4", "adverse_reaction": "1",
                                        "symptoms": "polydipsia",
                                        "medication_adherence": "regular"}))
    visit = db.session.scalar(select(FollowUp).where(FollowUp.enrollment_id == enrollment.id))
    assert (visit.fpg, visit.adverse_reaction, visit.symptom_list,
            visit.medication_adherence) == (6.4, True, ["polydipsia"], "regular")


def test_doctor_records_an_elderly_check(login_as, district, db):
    doctor = login_as("doctor")
    resident = resident_in(district, birth_date=date(1950, 3, 1))  # enrolled on registering
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.resident_id == resident.id, Enrollment.program == "elderly"))
    selfcare = {f"selfcare_{item}": "0" for item in
                ("eating", "washing", "dressing", "toileting", "mobility")}
    response = press(doctor, f"/chronic/enrollments/{enrollment.id}/checks/new", "保存体检",
                     {**selfcare, "selfcare_mobility": "1", "sbp": 135, "dbp": 80})
    followed(doctor, response)
    check = db.session.scalar(select(ElderlyCheck).where(
        ElderlyCheck.enrollment_id == enrollment.id))
    assert response.headers["Location"].endswith(f"/chronic/checks/{check.id}")
    assert (check.check_date, check.sbp, check.selfcare_score > 0) == (DAY, 135, True)


def test_doctor_ends_an_enrollment(login_as, district, db):
    doctor = login_as("doctor")
    resident = resident_in(district)
    enrollment = enrollment_of(resident, "hypertension")
    page = followed(doctor, press(doctor, f"/records/residents/{resident.id}", "结束",
                                  {"reason": "refused"}))
    assert "已结束管理。" in page
    db.session.expire_all()
    enrollment = db.session.get(Enrollment, enrollment.id)
    assert (enrollment.status, enrollment.exit_reason, enrollment.exited_on) == (
        "exited", "refused", DAY)


# --- two-way referral -------------------------------------------------------------------

def test_doctor_refers_a_resident_up(login_as, district, db):
    doctor = login_as("doctor")
    resident = resident_in(district, past_history="高血压10年")
    response = press(doctor, f"/referrals/new?resident_id={resident.id}", "发送转诊单", {
        "to_institution_id": district.hospital.id, "department": "心内科",
        "reason": "血压 186/102 mmHg，伴胸痛"})
    page = followed(doctor, response)
    assert "区人民医院" in page
    referral = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id))
    assert (referral.direction, referral.status, referral.urgency, referral.to_institution_id) \
        == ("up", "requested", "routine", district.hospital.id)
    # The pre-filled text areas go along as the page has them.
    assert "高血压10年" in referral.past_history
    assert referral.contact_doctor == district.staff["a_gp"].name


def test_doctor_refers_up_from_an_urgent_follow_up(login_as, district, db):
    """The form pre-filled from the visit goes as it stands: only the hospital is chosen."""
    doctor = login_as("doctor")
    enrollment = enrollment_of(resident_in(district), "hypertension")
    followed(doctor, press(doctor, f"/chronic/enrollments/{enrollment.id}/followups/new",
                           "保存并评估", {"sbp": 190, "dbp": 115}))
    visit = db.session.scalar(select(FollowUp).where(FollowUp.enrollment_id == enrollment.id))
    assert visit.referral == "urgent"
    followed(doctor, press(doctor, f"/referrals/new?followup_id={visit.id}", "发送转诊单",
                           {"to_institution_id": district.hospital.id}))
    referral = db.session.scalar(select(Referral).where(Referral.followup_id == visit.id))
    assert referral.urgency == "urgent" and "190/115" in referral.reason


def test_referral_desk_sends_a_patient_back_down_to_the_team(login_as, district, db):
    desk = login_as("referral_desk")
    resident = resident_in(district)
    response = press(desk, "/referrals/new-down", "发送下转单", {
        "id_number": resident.id_number, "patient_name": resident.name,
        "reason": "病情稳定，转回社区康复", "diagnosis": "急性心肌梗死 PCI 术后"})
    page = followed(desk, response)
    assert district.teams[0].name in page
    referral = db.session.scalar(select(Referral).where(Referral.direction == "down"))
    assert (referral.resident_id, referral.to_institution_id, referral.assigned_team_id) == (
        resident.id, district.centre.id, district.teams[0].id)
    assert referral.visit_due_date == DAY + timedelta(days=14)


def test_admin_sends_down_naming_the_hospital(login_as, district, db):
    admin = login_as("admin")
    resident = resident_in(district, grid_index=1)
    followed(admin, press(admin, "/referrals/new-down", "发送下转单", {
        "from_institution_id": district.hospital.id, "id_number": resident.id_number,
        "patient_name": resident.name, "reason": "术后康复"}))
    referral = db.session.scalar(select(Referral).where(Referral.direction == "down"))
    assert (referral.from_institution_id, referral.assigned_team_id) == (
        district.hospital.id, district.teams[1].id)


def _referred_up(login_as, district):
    doctor = login_as("doctor")
    resident = resident_in(district)
    followed(doctor, press(doctor, f"/referrals/new?resident_id={resident.id}", "发送转诊单",
                           {"to_institution_id": district.hospital.id, "reason": "胸痛待查"}))
    return doctor, resident


def test_hospital_accepts_then_the_patient_arrives(login_as, district, db):
    _doctor, resident = _referred_up(login_as, district)
    referral = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id))
    desk = login_as("referral_desk")
    url = f"/referrals/{referral.id}"
    assert "接收" in followed(desk, press(desk, url, "接收"))
    followed(desk, press(desk, url, "确认到诊"))
    page = followed(desk, press(desk, url, "完成并反馈", {"note": "已行冠脉造影，建议社区随访"}))
    assert "已行冠脉造影" in page
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert (referral.status, referral.feedback) == ("completed", "已行冠脉造影，建议社区随访")


def test_hospital_rejects_with_a_reason(login_as, district, db):
    _doctor, resident = _referred_up(login_as, district)
    referral = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id))
    desk = login_as("referral_desk")
    followed(desk, press(desk, f"/referrals/{referral.id}", "拒收", {"note": "本院无床位"}))
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "rejected"


def test_doctor_cancels_the_referral(login_as, district, db):
    doctor, resident = _referred_up(login_as, district)
    referral = db.session.scalar(select(Referral).where(Referral.resident_id == resident.id))
    followed(doctor, press(doctor, f"/referrals/{referral.id}", "撤销转诊"))
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "cancelled"


def _unassigned_down(login_as, db):
    """A patient without an archive here: the referral waits for the manager to assign."""
    desk = login_as("referral_desk")
    followed(desk, press(desk, "/referrals/new-down", "发送下转单",
                         {"patient_name": "王五", "patient_sex": "male", "reason": "转回社区康复"}))
    referral = db.session.scalar(select(Referral).where(Referral.patient_name == "王五"))
    assert referral.assigned_team_id is None
    return referral


def test_manager_assigns_from_the_unassigned_queue(login_as, district, db):
    referral = _unassigned_down(login_as, db)
    manager = login_as("manager")
    response = press(manager, "/referrals/", "分派", {"team_id": district.teams[1].id})
    assert response.headers["Location"].endswith("/referrals/")  # back to the queue
    page = followed(manager, response)
    assert "已将 王五 分派给乙团队。" in page
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).assigned_team_id == district.teams[1].id


def test_manager_assigns_on_the_referral_page(login_as, district, db):
    referral = _unassigned_down(login_as, db)
    manager = login_as("manager")
    url = f"/referrals/{referral.id}"
    response = press(manager, url, "分派", {"team_id": district.teams[0].id})
    assert response.headers["Location"].endswith(url)
    followed(manager, response)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).assigned_team_id == district.teams[0].id


# --- grid events ------------------------------------------------------------------------

def test_doctor_reports_an_event(login_as, district, db):
    doctor = login_as("doctor")
    response = press(doctor, "/events/new", "上报事件", {
        "event_type": "food_safety", "place": "幸福里菜市场", "description": "无证摊贩售卖熟食"})
    page = followed(doctor, response)
    assert "幸福里菜市场" in page
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "幸福里菜市场"))
    assert (event.grid_id, event.mode, event.urgency, event.status, event.level) == (
        district.grids[0].id, "general", "routine", "reported", "grid")


def test_doctor_logs_an_event_handled_on_the_spot(login_as, district, db):
    doctor = login_as("doctor")
    followed(doctor, press(doctor, "/events/new", "上报事件", {
        "event_type": "public_place", "place": "幸福里公园", "description": "公厕无人保洁",
        "handled_on_spot": "已联系物业当场清理"}))
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "幸福里公园"))
    assert event.status == "closed"


def test_manager_reports_an_emergency_in_a_chosen_grid(login_as, district, db):
    manager = login_as("manager")
    followed(manager, press(manager, "/events/new", "上报事件", {
        "grid_id": district.grids[1].id, "event_type": "infectious_cluster",
        "place": "幸福里小学", "description": "一个班级多名学生腹泻", "mode": "emergency",
        "urgency": "urgent"}))
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "幸福里小学"))
    assert (event.grid_id, event.mode, event.level, event.deadline) == (
        district.grids[1].id, "emergency", "centre", DAY + timedelta(days=1))


def test_event_goes_through_its_steps_on_the_event_page(login_as, district, db):
    doctor = login_as("doctor")
    followed(doctor, press(doctor, "/events/new", "上报事件", {
        "event_type": "drinking_water", "place": "3号楼水箱", "description": "水有异味"}))
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "3号楼水箱"))
    url = f"/events/{event.id}"
    followed(doctor, press(doctor, url, "受理"))
    followed(doctor, press(doctor, url, "派遣处置", {
        "assignee": "物业公司", "deadline": (DAY + timedelta(days=3)).isoformat()}))
    followed(doctor, press(doctor, url, "填写处置反馈", {"note": "水箱已清洗消毒"}))
    page = followed(doctor, press(doctor, url, "核查办结"))
    assert "水箱已清洗消毒" in page
    db.session.expire_all()
    event = db.session.get(GridEvent, event.id)
    assert (event.status, event.assignee, event.closed_on) == ("closed", "物业公司", DAY)


def test_doctor_escalates_an_event_with_a_reason(login_as, district, db):
    doctor = login_as("doctor")
    followed(doctor, press(doctor, "/events/new", "上报事件", {
        "event_type": "illegal_practice", "place": "幸福里12号", "description": "无证诊所"}))
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "幸福里12号"))
    followed(doctor, press(doctor, f"/events/{event.id}", "上报上一级",
                           {"note": "需执法部门处理"}))
    db.session.expire_all()
    assert db.session.get(GridEvent, event.id).level == "community"


def test_doctor_resolves_a_general_event_on_the_spot(login_as, district, db):
    doctor = login_as("doctor")
    followed(doctor, press(doctor, "/events/new", "上报事件", {
        "event_type": "other", "place": "幸福里5号楼", "description": "楼道堆放垃圾"}))
    event = db.session.scalar(select(GridEvent).where(GridEvent.place == "幸福里5号楼"))
    followed(doctor, press(doctor, f"/events/{event.id}", "现场处置", {"note": "已清理"}))
    db.session.expire_all()
    assert db.session.get(GridEvent, event.id).status == "closed"


# --- surveys ----------------------------------------------------------------------------

def test_doctor_records_a_households_answers(login_as, district, db):
    doctor = login_as("doctor")
    response = press(doctor, "/surveys/", "保存，下一户",
                     {"aware": "1", "knows_doctor": "0", "satisfaction": "4"})
    page = followed(doctor, response, status=303)
    assert "已保存，可以录入下一户。" in page
    answer = db.session.scalar(select(SurveyResponse))
    assert (answer.grid_id, answer.date, answer.channel, answer.aware, answer.knows_doctor,
            answer.satisfaction, answer.resident_id) == (
        district.grids[0].id, DAY, "door", True, False, 4, None)


def test_manager_records_a_phone_answer_for_a_chosen_grid(login_as, district, db):
    manager = login_as("manager")
    response = press(manager, "/surveys/", "保存，下一户", {
        "grid_id": district.grids[1].id, "channel": "phone", "aware": "0"})
    assert "channel=phone" in response.headers["Location"]  # kept for the next household
    followed(manager, response, status=303)
    answer = db.session.scalar(select(SurveyResponse))
    assert (answer.grid_id, answer.channel, answer.aware) == (district.grids[1].id, "phone",
                                                              False)


def test_doctor_finds_the_resident_then_saves_the_answers(login_as, district, db):
    """Find names the only match (its choice ticked); saving that page records it."""
    doctor = login_as("doctor")
    resident = resident_in(district, name="欧阳娜娜")
    found = press(doctor, "/surveys/", "查找", {"resident_q": "欧阳"})
    assert found.status_code == 200, found.get_data(as_text=True)
    page = found.get_data(as_text=True)
    assert "欧阳娜娜" in page
    response = press_on(doctor, page, "/surveys/", "保存，下一户",
                        {"aware": "1", "satisfaction": "5"})
    followed(doctor, response, status=303)
    answer = db.session.scalar(select(SurveyResponse))
    assert (answer.resident_id, answer.satisfaction) == (resident.id, 5)


def test_resident_answers_the_public_survey(app, client, district, db):
    from healthgrid.extensions import limiter
    from healthgrid.surveys.public import grid_token
    with app.app_context():
        limiter.reset()
    with app.test_request_context():
        url = f"/s/{grid_token(district.grids[1].id)}"
    response = press(client, url, "提交", {"aware": "1", "satisfaction": "5",
                                          "comment": "医生很耐心"})
    page = followed(client, response, status=303)
    assert "谢谢！您的回答已保存。" in page
    answer = db.session.scalar(select(SurveyResponse))
    assert (answer.grid_id, answer.channel, answer.aware, answer.satisfaction, answer.comment) \
        == (district.grids[1].id, "qr", True, 5, "医生很耐心")


# --- accounts ---------------------------------------------------------------------------

def test_user_changes_their_password(login_as, db):
    doctor = login_as("doctor")
    new = "a-much-longer-secret-2026"
    page = followed(doctor, press(doctor, "/account/password", "保存", {
        "current_password": factories.PASSWORD, "new_password": new,
        "confirm_password": new}))
    assert "密码已修改。" in page
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, doctor.user.id).password_hash, new)


def test_admin_creates_a_user(login_as, district, db):
    admin = login_as("admin")
    page = followed(admin, press(admin, "/admin/users", "创建用户", {
        "username": "wang.doctor", "password": "long-enough-password", "role": "doctor",
        "institution_id": district.centre.id, "staff_id": district.staff["b_gp"].id}))
    assert "已创建用户 wang.doctor。" in page
    user = db.session.scalar(select(User).where(User.username == "wang.doctor"))
    assert (user.role, user.institution_id, user.staff_id) == (
        "doctor", district.centre.id, district.staff["b_gp"].id)


def test_admin_deactivates_and_reactivates_a_user(login_as, district, db):
    admin = login_as("admin", username="zz-admin")  # listed after the one deactivated
    target = factories.user("doctor", username="aa-doctor", institution_id=district.centre.id)
    followed(admin, press(admin, "/admin/users", "停用"))
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    followed(admin, press(admin, "/admin/users", "重新启用"))
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True


def test_language_switch_keeps_the_page(login_as, district):
    manager = login_as("manager")
    response = press(manager, "/org/teams", "English")
    assert response.headers["Location"].endswith("/org/teams")
    page = followed(manager, response)
    assert "Teams" in page and "中文" in page


def test_sign_out(login_as, district):
    doctor = login_as("doctor")
    response = press(doctor, "/org/teams", "退出")
    assert response.headers["Location"].endswith("/login")
    assert doctor.get("/org/teams").status_code == 302


# --- indicators -------------------------------------------------------------------------

def test_manager_saves_the_score_weights(login_as, district, db):
    manager = login_as("manager")
    page = followed(manager, press(manager, "/kpi/performance", "保存权重",
                                   {"w_awareness": "20"}))
    assert "权重已保存" in page
    weights = kpi_services.weights_for(district.centre)
    assert weights["awareness"] == 20 and weights["archive_rate"] == 10


# --- archives ---------------------------------------------------------------------------

def test_doctor_records_a_residents_death(login_as, district, db):
    doctor = login_as("doctor")
    resident = resident_in(district)
    page = followed(doctor, press(doctor, f"/records/residents/{resident.id}", "登记",
                                  {"status": "deceased"}))
    assert "已登记，该档案现为只读的历史档案。" in page
    db.session.expire_all()
    resident = db.session.get(Resident, resident.id)
    assert (resident.status, resident.status_date) == ("deceased", DAY)


def test_doctor_renews_an_expiring_contract(login_as, district, db):
    from healthgrid.records.services import sign_contract
    doctor = login_as("doctor")
    resident = resident_in(district)
    first = sign_contract(resident, district.teams[0], date(2025, 3, 10), None)
    page = followed(doctor, press(doctor, f"/records/residents/{resident.id}", "续约一年"))
    assert "已签约。" in page
    renewal = db.session.scalar(select(Contract).where(
        Contract.resident_id == resident.id, Contract.id != first.id))
    assert (renewal.team_id, renewal.start_date) == (district.teams[0].id, date(2026, 3, 10))
