"""The national follow-up sheets through the API (FORMS.md §2, §3; API.md "National form
fields"): every field round-trips, out-of-bound values are refused and nothing is written."""
from datetime import date

import pytest
from sqlalchemy import func, select

from healthgrid.chronic.models import FollowUp, FollowUpMedicine
from tests import factories

HTN_VISIT = {
    "visit_date": "2026-03-02", "method": "clinic", "sbp": 148, "dbp": 92, "heart_rate": 76,
    "temperature": 36.6, "weight": 72.5, "weight_target": 68.0, "height": 168.0,
    "symptoms": ["headache_dizziness", "numbness"], "symptom_other": "耳鸣",
    "signs_other": "双下肢无水肿", "medication_adherence": "intermittent",
    "adverse_reaction": True, "adverse_reaction_detail": "干咳", "new_complication": False,
    "pregnant_or_lactating": False, "exam_note": "心电图正常",
    "lifestyle": {"cigarettes": 10, "cigarettes_target": 5, "alcohol_liang": 2.0,
                  "alcohol_liang_target": 1.0, "exercise_per_week": 3, "exercise_minutes": 20,
                  "exercise_per_week_target": 5, "exercise_minutes_target": 30,
                  "salt": "heavy", "salt_target": "light", "psychology": "fair",
                  "compliance": "good"},
    "medicines": [{"name": "氨氯地平", "times_per_day": 1, "dose": 5.0, "unit": "mg"},
                  {"name": "缬沙坦", "times_per_day": 1, "dose": 80.0, "unit": "mg"}],
    "referral_reason": "血压控制不佳", "referral_to": "区医院心内科", "note": "复查",
}
DM_VISIT = {
    "visit_date": "2026-03-02", "method": "home", "sbp": 132, "dbp": 82, "fpg": 8.4,
    "heart_rate": 80, "weight": 66.0, "weight_target": 63.0, "height": 160.0,
    "symptoms": ["polydipsia", "polyuria"], "foot_pulse": "weak_left",
    "hba1c": 7.8, "hba1c_date": "2026-02-20", "hypoglycemia": "occasional",
    "lifestyle": {"cigarettes": 0, "cigarettes_target": 0, "alcohol_liang": 0.0,
                  "alcohol_liang_target": 0.0, "exercise_per_week": 7, "exercise_minutes": 30,
                  "exercise_per_week_target": 7, "exercise_minutes_target": 40,
                  "staple_grams": 350, "staple_grams_target": 300, "psychology": "good",
                  "compliance": "fair"},
    "medicines": [{"name": "二甲双胍", "times_per_day": 2, "dose": 500.0, "unit": "mg"}],
    "insulin": {"kind": "甘精胰岛素", "usage": "睡前皮下注射 12 单位"},
    "medication_adherence": "regular", "exam_note": "尿微量白蛋白阴性",
}


def _enrollment(client, headers, district, program, sex="male", birth=date(1960, 5, 1)):
    hh = factories.household(district.grids[0])
    resident = factories.resident(hh, sex=sex, birth_date=birth, with_id=False)
    response = client.post(f"/api/v1/residents/{resident.id}/enrollments", headers=headers,
                           json={"program": program, "enrolled_on": "2026-01-05"})
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.mark.parametrize("program,visit", [("hypertension", HTN_VISIT), ("diabetes", DM_VISIT)])
def test_every_field_round_trips(program, visit, api_as, district):
    client, headers = api_as("doctor")
    enrollment_id = _enrollment(client, headers, district, program)
    posted = client.post(f"/api/v1/enrollments/{enrollment_id}/followups", headers=headers,
                         json=visit)
    assert posted.status_code == 201, posted.json
    got = client.get(f"/api/v1/followups/{posted.json['id']}", headers=headers)
    assert got.status_code == 200
    body = got.json
    for key, value in visit.items():
        assert body[key] == value, key
    assert body["bmi"] == round(visit["weight"] / (visit["height"] / 100) ** 2, 1)
    assert body["recorded_by"]
    assert body["classification"] and body["next_due_date"] and "reasons" in body
    if program == "hypertension":
        assert body["insulin"] == {"kind": None, "usage": None}


BAD = [
    ("diabetes", {"hba1c": 2.5}, "hba1c"),
    ("diabetes", {"hba1c": 21}, "hba1c"),
    ("hypertension", {"lifestyle": {"cigarettes": 101}}, "lifestyle"),
    ("hypertension", {"lifestyle": {"cigarettes": -1}}, "lifestyle"),
    ("hypertension", {"height": 49}, "height"),
    ("hypertension", {"height": 251}, "height"),
    ("hypertension", {"medicines": [{"name": "", "dose": 5}]}, "medicines"),
    ("hypertension", {"medicines": [{"times_per_day": 1, "dose": 5}]}, "medicines"),
    ("hypertension", {"medicines": [{"name": "氨氯地平", "dose": 0}]}, "medicines"),
    ("hypertension", {"symptoms": ["ketone_breath"]}, "symptoms"),
    ("diabetes", {"lifestyle": {"salt": "heavy"}}, "lifestyle"),
    ("hypertension", {"hba1c": 7.0}, "hba1c"),
    ("diabetes", {"lifestyle": {"staple_grams": 5000}}, "lifestyle"),
    ("hypertension", {"lifestyle": {"alcohol_liang": 80}}, "lifestyle"),
]


@pytest.mark.parametrize("program,change,field", BAD,
                         ids=[f"{p}-{f}-{i}" for i, (p, _c, f) in enumerate(BAD)])
def test_out_of_bounds_is_refused_and_nothing_written(program, change, field, api_as, district,
                                                      db):
    client, headers = api_as("doctor")
    enrollment_id = _enrollment(client, headers, district, program)
    visit = {**(HTN_VISIT if program == "hypertension" else DM_VISIT), **change}
    before = (db.session.scalar(select(func.count()).select_from(FollowUp)),
              db.session.scalar(select(func.count()).select_from(FollowUpMedicine)))
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/followups", headers=headers,
                           json=visit)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    after = (db.session.scalar(select(func.count()).select_from(FollowUp)),
             db.session.scalar(select(func.count()).select_from(FollowUpMedicine)))
    assert after == before


def test_pregnancy_only_for_women_of_child_bearing_age(api_as, district):
    client, headers = api_as("doctor")
    man = _enrollment(client, headers, district, "hypertension")
    woman = _enrollment(client, headers, district, "hypertension", sex="female",
                        birth=date(1990, 1, 1))
    visit = {"visit_date": "2026-03-02", "sbp": 130, "dbp": 80, "pregnant_or_lactating": True}
    refused = client.post(f"/api/v1/enrollments/{man}/followups", headers=headers, json=visit)
    assert refused.status_code == 422 and "pregnant_or_lactating" in refused.json["errors"]
    taken = client.post(f"/api/v1/enrollments/{woman}/followups", headers=headers, json=visit)
    assert taken.status_code == 201


def test_another_team_cannot_read_a_visit(api_as, district):
    client, headers = api_as("doctor")
    enrollment_id = _enrollment(client, headers, district, "hypertension")
    posted = client.post(f"/api/v1/enrollments/{enrollment_id}/followups", headers=headers,
                         json=HTN_VISIT).json
    other, other_headers = api_as("doctor", team_index=1)
    assert other.get(f"/api/v1/followups/{posted['id']}", headers=other_headers).status_code == 404


def test_archive_lists_each_visit_with_regimen_and_recorder(api_as, login_as, district):
    client, headers = api_as("doctor")
    enrollment_id = _enrollment(client, headers, district, "hypertension")
    posted = client.post(f"/api/v1/enrollments/{enrollment_id}/followups", headers=headers,
                         json=HTN_VISIT).json
    doctor = login_as("doctor")
    page = doctor.get(f"/records/residents/{posted['resident_id']}").get_data(as_text=True)
    visits = page.split('class="table stack visits"')[1].split("</table>")[0]
    assert "氨氯地平 5mg ×1/d" in visits and "72.5 / 68.0" in visits
    assert posted["recorded_by"] in visits
