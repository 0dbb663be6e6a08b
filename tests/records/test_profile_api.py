"""The personal basic information form through the API (FORMS.md §1): every field
round-trips on POST, GET and PATCH; blank is "not recorded", "none" a choice; bad values are
refused with 422 and nothing is written."""
import pytest
from sqlalchemy import func, select

from healthgrid.records.models import Resident, ResidentHistory
from tests import factories

PROFILE = {
    "name": "林秀英", "sex": "female", "birth_date": "1956-03-08", "phone": "13912345678",
    "residence_type": "registered", "ethnicity": "回族", "blood_type": "A", "rh": "positive",
    "workplace": "红星纺织厂（退休）", "contact_name": "林强", "contact_phone": "13800001111",
    "education": "junior_high", "occupation": "production", "marital_status": "widowed",
    "payment_types": ["employee_insurance", "commercial"], "payment_other": None,
    "drug_allergies": ["penicillin", "other"], "allergies": "头孢类",
    "exposures": ["none"],
    "past_diseases": [
        {"code": "hypertension", "detail": None, "diagnosed_on": "2012-05-01"},
        {"code": "cancer", "detail": "乳腺癌", "diagnosed_on": "2018-09-01"}],
    "operations": [{"name": "乳腺癌根治术", "date": "2018-10-12"}],
    "injuries": [],
    "transfusions": [{"name": "术中输血", "date": "2018-10-12"}],
    "family_history_codes": {"father": ["stroke", "hypertension"], "mother": ["diabetes"],
                             "siblings": ["none"]},
    "hereditary": "none", "hereditary_name": None,
    "disabilities": ["visual"], "disability": None,
    "kitchen": "range_hood", "fuel": "natural_gas", "fuel_other": None, "water": "tap",
    "water_other": None, "toilet": "flush", "livestock": "none",
}


def _post(client, headers, district, body):
    household = factories.household(district.grids[0])
    return client.post("/api/v1/residents", headers=headers,
                       json={"household_id": household.id, **body})


def test_every_field_round_trips(api_as, district):
    client, headers = api_as("doctor")
    created = _post(client, headers, district, PROFILE)
    assert created.status_code == 201, created.json
    got = client.get(f"/api/v1/residents/{created.json['id']}", headers=headers).json
    for key, value in PROFILE.items():
        assert got[key] == value, key
    assert got["disabled"] is True          # a disability chosen: a key population


def test_blank_is_not_recorded_and_none_is_a_choice(api_as, district):
    client, headers = api_as("doctor")
    created = _post(client, headers, district, {"name": "王五", "sex": "male",
                                                "birth_date": "1980-01-01"}).json
    for key in ("drug_allergies", "past_diseases", "operations", "family_history_codes",
                "education", "disabilities"):
        assert created[key] is None, key
    patched = client.patch(f"/api/v1/residents/{created['id']}", headers=headers, json={
        "version": created["version"], "drug_allergies": ["none"], "operations": [],
        "past_diseases": [{"code": "none"}]})
    assert patched.status_code == 200, patched.json
    assert patched.json["drug_allergies"] == ["none"]
    assert patched.json["operations"] == [] and patched.json["injuries"] is None
    assert patched.json["past_diseases"][0]["code"] == "none"
    assert patched.json["version"] == created["version"] + 1


def test_patch_replaces_one_list_and_leaves_the_others(api_as, district):
    client, headers = api_as("doctor")
    created = _post(client, headers, district, PROFILE).json
    patched = client.patch(f"/api/v1/residents/{created['id']}", headers=headers, json={
        "version": created["version"], "operations": [{"name": "阑尾切除术", "date": "1990-07-01"}]})
    assert patched.status_code == 200
    assert patched.json["operations"] == [{"name": "阑尾切除术", "date": "1990-07-01"}]
    assert patched.json["transfusions"] == PROFILE["transfusions"]
    assert patched.json["family_history_codes"] == PROFILE["family_history_codes"]


BAD = [
    {"drug_allergies": ["none", "penicillin"]},
    {"drug_allergies": ["pollen"]},
    {"education": "phd"},
    {"ethnicity": "火星族"},
    {"rh": "maybe"},
    {"past_diseases": [{"code": "flu"}]},
    {"operations": [{"name": "", "date": "2010-01-01"}]},
    {"operations": [{"name": "手术", "date": "2999-01-01"}]},
    {"family_history_codes": {"father": ["none", "stroke"]}},
    {"contact_phone": "12345"},
    {"workplace": "x" * 101},
]


@pytest.mark.parametrize("change", BAD, ids=[next(iter(c)) + str(i) for i, c in enumerate(BAD)])
def test_bad_values_are_refused_and_nothing_written(change, api_as, district, db):
    client, headers = api_as("doctor")
    before = (db.session.scalar(select(func.count()).select_from(Resident)),
              db.session.scalar(select(func.count()).select_from(ResidentHistory)))
    response = _post(client, headers, district, {**PROFILE, **change})
    assert response.status_code == 422, response.json
    assert next(iter(change)) in response.json["errors"]
    after = (db.session.scalar(select(func.count()).select_from(Resident)),
             db.session.scalar(select(func.count()).select_from(ResidentHistory)))
    assert after == before
