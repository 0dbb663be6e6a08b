"""The personal basic information form on the archive page: every field editable, blank
reads 未记录 (not 无), "none" is a choice, a bad value changes nothing."""
from sqlalchemy import select

from healthgrid.records.models import Resident
from tests import factories
from tests.helpers import press


def test_doctor_fills_the_profile_and_the_archive_shows_it(login_as, district, db):
    resident = factories.resident(factories.household(district.grids[0]))
    doctor = login_as("doctor")
    page = doctor.get(f"/records/residents/{resident.id}").get_data(as_text=True)
    assert "未记录" in page and ">无<" not in page.split('id="profile"')[1].split("</section>")[0]
    response = press(doctor, f"/records/residents/{resident.id}/profile", "保存", {
        "workplace": "区粮食局", "contact_name": "张丽", "contact_phone": "13700001234",
        "education": "bachelor", "occupation": "clerk", "marital_status": "married",
        "rh": "negative", "drug_allergies": ["penicillin", "other"], "allergies": "头孢",
        "exposures": ["none"], "payment_types": ["employee_insurance"],
        "disease_code_0": "hypertension", "disease_month_0": "2015-06",
        "disease_code_1": "other", "disease_detail_1": "痛风", "disease_month_1": "2019-02",
        "operations_name_0": "胆囊切除术", "operations_date_0": "2016-03-04",
        "injuries_none": "1", "family_father": ["stroke"], "family_mother": ["none"],
        "hereditary": "none", "disabilities": ["none"], "kitchen": "range_hood",
        "fuel": "natural_gas", "water": "tap", "toilet": "sanitary", "livestock": "none"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    stored = db.session.get(Resident, resident.id)
    assert (stored.education, stored.drug_allergies, stored.allergies) == (
        "bachelor", "penicillin,other", "头孢")
    page = doctor.get(f"/records/residents/{resident.id}").get_data(as_text=True)
    section = page.split('id="profile"')[1].split("</section>")[0]
    for text in ("区粮食局", "大学本科", "青霉素、其他：头孢", "高血压", "2015-06", "痛风",
                 "胆囊切除术", "父亲：脑卒中", "母亲：无", "油烟机", "Rh 阴性"):
        assert text in section, text
    assert "外伤</dt><dd>无" in section.replace("\n", "")      # ticked none
    assert "输血</dt><dd><span class=\"muted\">未记录" in section.replace("\n", "")


def test_a_bad_value_on_the_profile_changes_nothing(login_as, district, db):
    resident = factories.resident(factories.household(district.grids[0]))
    version = resident.version
    doctor = login_as("doctor")
    response = press(doctor, f"/records/residents/{resident.id}/profile", "保存", {
        "workplace": "粮食局", "drug_allergies": ["none", "penicillin"],
        "operations_name_0": "阑尾切除术", "operations_date_0": "2999-01-01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“无”不能与其他选项同时选择" in page and "日期不能晚于今天" in page
    db.session.expire_all()
    stored = db.session.scalar(select(Resident).where(Resident.id == resident.id))
    assert stored.workplace is None and stored.version == version and stored.history == []
