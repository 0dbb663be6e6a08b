"""Registering, finding, reading and editing archives through the pages."""
import re
from datetime import date

from sqlalchemy import func, select

from healthgrid.auth.models import AuditEntry
from healthgrid.records.models import Contract, Household, Resident
from tests import factories
from tests.helpers import press, submit, today_is

RESIDENT = {"name": "王小明", "sex": "male", "birth_date": "1980-02-03",
            "phone": "13912345678", "residence_type": "registered", "archive_medium": "electronic"}


def _register(client, grid_id, **resident):
    response = submit(client, "/records/households/new",
                      {"grid_id": grid_id, "address": "幸福里3号楼2单元501室", "phone": "13800001111"})
    assert response.status_code == 302, response.get_data(as_text=True)
    household_url = response.headers["Location"]
    return submit(client, household_url, {**RESIDENT, **resident}), household_url


def test_doctor_registers_household_and_member_with_archive_number(login_as, district, db):
    doctor = login_as("doctor")
    id_number = factories.id_number_for(date(1980, 2, 3), "male")
    response, _ = _register(doctor, district.grids[0].id, id_number=id_number)
    assert response.status_code == 302
    resident = db.session.scalar(select(Resident).where(Resident.id_number == id_number))
    assert resident.archive_no == f"110105001{district.community.code}00001"
    assert resident.name_initials == "wxm" and resident.grid_id == district.grids[0].id


def test_archive_numbers_follow_registration_order_in_a_community(district, db):
    hh = factories.household(district.grids[0])
    first = factories.resident(hh, name="甲")
    second = factories.resident(factories.household(district.grids[1]), name="乙")
    assert int(second.archive_no[-5:]) == int(first.archive_no[-5:]) + 1


def test_wrong_id_checksum_is_refused_with_reason_and_nothing_saved(login_as, district, db):
    doctor = login_as("doctor")
    good = factories.id_number_for(date(1980, 2, 3), "male")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = db.session.scalar(select(func.count(Resident.id)))
    response, _ = _register(doctor, district.grids[0].id, id_number=bad)
    assert response.status_code == 422
    assert "校验位不正确" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Resident.id))) == before


def test_id_number_disagreeing_with_sex_is_refused(login_as, district, db):
    doctor = login_as("doctor")
    female_id = factories.id_number_for(date(1980, 2, 3), "female")
    response, _ = _register(doctor, district.grids[0].id, id_number=female_id)
    assert response.status_code == 422
    assert "性别不一致" in response.get_data(as_text=True)


def test_duplicate_id_number_is_refused(login_as, district, db):
    existing = factories.resident(factories.household(district.grids[0]),
                                  birth_date=date(1980, 2, 3))
    response, _ = _register(login_as("doctor"), district.grids[0].id,
                            id_number=existing.id_number)
    assert response.status_code == 409
    assert "已有其他居民使用该身份证号" in response.get_data(as_text=True)


def test_household_in_another_teams_grid_is_refused(login_as, district, db):
    doctor = login_as("doctor")
    response = submit(doctor, "/records/households/new",
                      {"grid_id": district.grids[1].id, "address": "别人的网格1号"},
                      form_url="/records/households/new")
    assert response.status_code == 404
    assert db.session.scalar(select(Household).where(Household.address == "别人的网格1号")) is None


def test_search_by_pinyin_initials_masks_identifiers(login_as, district, db):
    hh = factories.household(district.grids[0])
    factories.resident(hh, name="张三", phone="13812341234")
    factories.resident(hh, name="李四")
    page = login_as("doctor").get("/records/residents?q=zs").get_data(as_text=True)
    assert "张三" in page and "李四" not in page
    assert "138****1234" in page and "13812341234" not in page


def test_search_finds_by_id_number_archive_number_and_phone(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]), name="赵六",
                           phone="13700001234")
    doctor = login_as("doctor")
    for q in (r.id_number, r.archive_no, "1370000", "赵"):
        assert "赵六" in doctor.get(f"/records/residents?q={q}").get_data(as_text=True), q


def test_search_never_shows_other_teams_residents(login_as, district, db):
    factories.resident(factories.household(district.grids[1]), name="张外人")
    page = login_as("doctor").get("/records/residents?q=张").get_data(as_text=True)
    assert "张外人" not in page


def test_archive_page_shows_everything_and_is_audited(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]), name="钱七",
                           phone="13612345678", allergies="青霉素")
    doctor = login_as("doctor")
    page = doctor.get(f"/records/residents/{r.id}").get_data(as_text=True)
    assert r.id_number in page and "13612345678" in page and "青霉素" in page
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "resident.view", AuditEntry.resident_id == r.id))
    assert entry.user_id == doctor.user.id


def test_other_teams_doctor_gets_404_on_archive_pages(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    other = login_as("doctor", team_index=1)
    for url in (f"/records/residents/{r.id}", f"/records/residents/{r.id}/edit",
                f"/records/households/{r.household_id}"):
        assert other.get(url).status_code == 404, url


def test_referral_desk_cannot_open_archives(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    assert login_as("referral_desk").get(f"/records/residents/{r.id}").status_code == 403


def test_stale_edit_gets_a_conflict_message_and_changes_nothing(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]), name="孙八")
    doctor = login_as("doctor")
    url = f"/records/residents/{r.id}/edit"
    form = {"name": "孙八", "sex": r.sex, "birth_date": r.birth_date.isoformat(),
            "id_number": r.id_number, "version": str(r.version)}
    assert submit(doctor, url, {**form, "allergies": "花粉"}).status_code == 302
    response = submit(doctor, url, {**form, "allergies": "海鲜"})  # the old version again
    assert response.status_code == 409
    assert "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Resident, r.id).allergies == "花粉"


def test_death_makes_archive_read_only_and_ends_contract(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    doctor = login_as("doctor")
    url = f"/records/residents/{r.id}"
    assert submit(doctor, f"{url}/contracts", {"team_id": district.teams[0].id,
                                               "start_date": "2026-01-01"},
                  form_url=url).status_code == 302
    response = submit(doctor, f"{url}/exit", {"status": "deceased", "status_date": "2026-03-01",
                                              "version": str(r.version)}, form_url=url)
    assert response.status_code == 302
    db.session.expire_all()
    dead = db.session.get(Resident, r.id)
    assert dead.status == "deceased" and dead.status_date == date(2026, 3, 1)
    contract = db.session.scalar(select(Contract).where(Contract.resident_id == r.id))
    assert contract.terminated_on == date(2026, 3, 1)
    assert doctor.get(f"{url}/edit").status_code == 302  # sent back: read-only


def test_sign_then_renew_contract(login_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    doctor = login_as("doctor")
    url = f"/records/residents/{r.id}"
    submit(doctor, f"{url}/contracts", {"team_id": district.teams[0].id,
                                        "start_date": "2026-01-01"}, form_url=url)
    second = submit(doctor, f"{url}/contracts", {"team_id": district.teams[0].id,
                                                 "start_date": "2026-02-01"}, form_url=url)
    assert second.status_code == 302
    assert db.session.scalar(select(func.count(Contract.id)).where(
        Contract.resident_id == r.id)) == 1  # one active contract at a time
    submit(doctor, f"{url}/contracts", {"action": "renew"}, form_url=url)
    terms = db.session.scalars(select(Contract).where(Contract.resident_id == r.id)
                               .order_by(Contract.start_date)).all()
    assert [(c.start_date, c.end_date) for c in terms] == [
        (date(2026, 1, 1), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 12, 31))]


def test_the_pages_forms_as_a_browser_sends_them(login_as, district, db):
    """Each form pressed as it is on the page, its buttons' names and hidden inputs sent
    along: a household, a member ("Save" and "Save and add another"), an edit and a
    contract go through."""
    doctor = login_as("doctor")
    grid = district.grids[0]
    response = press(doctor, "/records/households/new", "登记并添加成员",
                     {"grid_id": grid.id, "address": "幸福里5号"})
    assert response.status_code == 302, response.get_data(as_text=True)
    member_url = response.headers["Location"]
    first_id = factories.id_number_for(date(1984, 5, 17), "female")
    response = press(doctor, member_url, "保存并继续添加成员",
                     {"name": "欧阳晓燕", "sex": "female", "birth_date": "1984-05-17",
                      "id_number": first_id})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(member_url)  # the form again, emptied
    response = press(doctor, member_url, "保存",
                     {"name": "欧阳晓明", "sex": "male", "birth_date": "2010-01-02",
                      "relation_to_head": "child"})
    assert response.status_code == 302, response.get_data(as_text=True)
    members = db.session.scalars(select(Resident).join(Household).where(
        Household.address == "幸福里5号").order_by(Resident.id)).all()
    assert [(m.name, m.relation_to_head) for m in members] == [("欧阳晓燕", "head"),
                                                                ("欧阳晓明", "child")]

    url = f"/records/residents/{members[0].id}"
    response = press(doctor, f"{url}/edit", "保存", {"phone": "13912340000"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = press(doctor, url, f"与{grid.team.name}签约")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resident, members[0].id).phone == "13912340000"
    assert db.session.scalar(select(func.count(Contract.id)).where(
        Contract.resident_id == members[0].id)) == 1
    flashes = doctor.get(url).get_data(as_text=True)
    assert "未知字段" not in flashes


def test_contracts_expiring_within_30_days_lists_those_to_renew(login_as, district, db):
    """Listed: active contracts of the team's active residents ending within 30 days and not
    renewed yet; masked phones, soonest first."""
    from healthgrid.records import services
    day = date(2026, 3, 2)
    with today_is(day):
        def signed(name, start, grid_index=0, **kw):
            resident = factories.resident(factories.household(district.grids[grid_index]),
                                          name=name, phone="13912345678", **kw)
            services.sign_contract(resident, district.teams[grid_index], start, None)
            return resident

        soon = signed("将到期", date(2025, 3, 20))             # ends 2026-03-19
        sooner = signed("先到期", date(2025, 3, 10))           # ends 2026-03-09
        renewed = signed("已续约", date(2025, 3, 20))
        services.renew_contract(renewed, day, None)            # from 2026-03-20
        signed("还早", date(2025, 6, 1))                       # ends in May
        signed("别队", date(2025, 3, 20), grid_index=1)
        dead = signed("已故", date(2025, 3, 20))
        services.record_exit(dead, "deceased", date(2026, 2, 1), dead.version)

        page = login_as("doctor").get("/records/contracts/expiring")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        listed = re.findall(r'/records/residents/(\d+)">([^<]+)</a>', html)
        assert listed == [(str(sooner.id), "先到期"), (str(soon.id), "将到期")]
        assert "139****5678" in html and "13912345678" not in html
        assert "2026-03-09" in html and ">7<" in html  # days left
