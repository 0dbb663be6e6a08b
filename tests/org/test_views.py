"""The manager's organisation pages."""
from datetime import date

from sqlalchemy import select

from healthgrid.org.models import Community, Grid, Staff, TeamMembership
from tests import factories
from tests.helpers import submit


def test_grid_without_active_team_stands_out(login_as, district, db):
    lonely = factories.grid(district.community, name="无人网格")
    manager = login_as("manager")
    page = manager.get("/org/grids").get_data(as_text=True)
    row = page[page.index("无人网格"):]
    row = row[:row.index("</tr>")]
    assert "无在岗团队" in row
    covered = page[page.index("幸福里第1网格"):]
    assert "无在岗团队" not in covered[:covered.index("</tr>")]
    assert lonely.id


def test_grid_whose_team_members_all_left_stands_out(login_as, district, db):
    for membership in district.teams[0].memberships:
        membership.end_date = date(2025, 1, 1)
    db.session.flush()
    page = login_as("manager").get("/org/grids").get_data(as_text=True)
    row = page[page.index("幸福里第1网格"):]
    assert "无在岗团队" in row[:row.index("</tr>")]


def test_incomplete_team_stands_out(login_as, district, db):
    factories.team(district.centre, roles=("gp", "specialist"), name="缺人团队")
    page = login_as("manager").get("/org/teams").get_data(as_text=True)
    row = page[page.index("缺人团队"):]
    row = row[:row.index("</tr>")]
    assert "不完整" in row and "护士" in row and "公卫人员" in row


def test_manager_creates_a_community_with_a_valid_code(login_as, district, db):
    manager = login_as("manager")
    response = submit(manager, "/org/communities/new",
                      {"kind": "village", "code": "105", "name": "李家村村委会"})
    assert response.status_code == 302
    assert db.session.scalar(select(Community).where(Community.name == "李家村村委会"))


def test_village_code_out_of_range_is_refused_and_nothing_saved(login_as, district, db):
    manager = login_as("manager")
    response = submit(manager, "/org/communities/new",
                      {"kind": "village", "code": "005", "name": "错码村"})
    assert response.status_code == 422
    assert "村委会编码为 101–199" in response.get_data(as_text=True)
    assert db.session.scalar(select(Community).where(Community.name == "错码村")) is None


def test_manager_creates_a_grid_served_by_a_team(login_as, district, db):
    manager = login_as("manager")
    response = submit(manager, "/org/grids/new", {
        "community_id": district.community.id, "code": "G-NEW", "name": "新网格",
        "kind": "residential", "population": "1480", "households": "495",
        "team_id": district.teams[0].id})
    assert response.status_code == 302
    grid = db.session.scalar(select(Grid).where(Grid.code == "G-NEW"))
    assert grid.population == 1480 and grid.team_id == district.teams[0].id


def test_negative_population_is_refused(login_as, district, db):
    response = submit(login_as("manager"), "/org/grids/new", {
        "community_id": district.community.id, "code": "G-BAD", "name": "坏网格",
        "kind": "residential", "population": "-5", "households": "10"})
    assert response.status_code == 422
    assert db.session.scalar(select(Grid).where(Grid.code == "G-BAD")) is None


def test_manager_adds_a_specialist_from_the_hospital_and_ends_a_membership(login_as, district, db):
    specialist = factories.staff(district.hospital, name="专科王医生")
    team = district.teams[0]
    manager = login_as("manager")
    url = f"/org/teams/{team.id}"
    response = submit(manager, url, {"staff_id": specialist.id, "role": "specialist",
                                     "start_date": "2026-01-01"})
    assert response.status_code == 302
    page = manager.get(url).get_data(as_text=True)
    assert "专科王医生" in page and "专科医生" in page and "区人民医院" in page
    membership = db.session.scalar(select(TeamMembership).where(
        TeamMembership.staff_id == specialist.id))
    response = submit(manager, f"{url}/members/{membership.id}/end", {"end_date": "2026-03-01"},
                      form_url=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TeamMembership, membership.id).end_date == date(2026, 3, 1)


def test_staff_form_records_home_institution_and_medical_flag(login_as, district, db):
    manager = login_as("manager")
    response = submit(manager, "/org/staff/new", {
        "name": "公卫李", "institution_id": district.centre.id, "title": "公卫医师",
        "phone": "13912345678", "is_medical": "0", "active": "1"})
    assert response.status_code == 302
    staff = db.session.scalar(select(Staff).where(Staff.name == "公卫李"))
    assert staff.is_medical is False and staff.active is True


def test_manager_of_another_centre_gets_404(login_as, district, db):
    other = factories.institution(name="别的中心")
    stranger = login_as(factories.user("manager", institution_id=other.id))
    assert stranger.get(f"/org/grids/{district.grids[0].id}/edit").status_code == 404
    assert stranger.get(f"/org/teams/{district.teams[0].id}").status_code == 404
    assert stranger.get(f"/org/communities/{district.community.id}/edit").status_code == 404
    assert "幸福里第1网格" not in stranger.get("/org/grids").get_data(as_text=True)


def test_doctor_sees_only_their_team_and_cannot_manage(login_as, district):
    doctor = login_as("doctor")
    page = doctor.get("/org/teams").get_data(as_text=True)
    assert district.teams[0].name in page and district.teams[1].name not in page
    assert doctor.get(f"/org/teams/{district.teams[1].id}").status_code == 404
    assert doctor.get("/org/grids").status_code == 403
