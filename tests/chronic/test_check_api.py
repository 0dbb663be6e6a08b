"""The annual health check through the API (FORMS.md §4): every field round-trips, bounds
are refused with 422 and nothing written, screening flags follow API.md."""
from datetime import date

import pytest
from sqlalchemy import func, select

from healthgrid.chronic import checkform
from healthgrid.chronic.models import CheckRow, ElderlyCheck
from healthgrid.labels import LABELS
from tests import factories


def _example(item):
    if item.kind == "num":
        return round((item.low + item.high) / 2, 1)
    if item.kind == "int":
        return int((item.low + item.high) // 2)
    if item.kind == "choice":
        return list(LABELS[item.choices])[-1]
    if item.kind == "multi":
        return [c for c in LABELS[item.choices] if c != "none"][:2]
    if item.kind in ("finding", "problem"):
        return "abnormal"
    return f"{item.name} 记录"


CHECK = {
    "check_date": "2026-03-02", "sbp": 152, "dbp": 88, "weight": 61.5, "height": 158.0,
    "fpg": 7.4, "lab_results": "见化验单", "guidance": "低盐饮食",
    "selfcare": {"eating": 0, "washing": 1, "dressing": 0, "toileting": 2, "mobility": 1},
    **{item.name: _example(item) for item in checkform.ITEMS.values()},
    **{f"{item.name}_detail": "所见" for item in checkform.ITEMS.values()
       if item.kind in ("finding", "problem")},
    "medicines": [{"name": "阿司匹林", "usage": "口服 每日一次", "dose": "100mg",
                   "duration": "3年", "adherence": "regular"}],
    "stays": [{"kind": "hospital", "admitted": "2025-11-02", "discharged": "2025-11-12",
               "reason": "肺炎", "institution": "区医院呼吸科", "record_no": "Z2025-1102"},
              {"kind": "sickbed", "admitted": "2025-12-01", "discharged": None,
               "reason": "卧床护理", "institution": "本中心", "record_no": None}],
    "vaccinations": [{"name": "流感疫苗", "date": "2025-10-10", "place": "本中心"}],
}


def _elderly(client, headers, district):
    resident = factories.resident(factories.household(district.grids[0]),
                                  birth_date=date(1950, 6, 1), with_id=False)
    enrollments = client.get(f"/api/v1/residents/{resident.id}/enrollments",
                             headers=headers).json
    return next(e["id"] for e in enrollments if e["program"] == "elderly")


def test_every_field_round_trips_and_flags_screening(api_as, district):
    client, headers = api_as("doctor")
    enrollment_id = _elderly(client, headers, district)
    posted = client.post(f"/api/v1/enrollments/{enrollment_id}/checks", headers=headers,
                         json=CHECK)
    assert posted.status_code == 201, posted.json
    got = client.get(f"/api/v1/checks/{posted.json['id']}", headers=headers)
    assert got.status_code == 200
    for key, value in CHECK.items():
        assert got.json[key] == value, key
    assert got.json["selfcare_score"] == 7 and got.json["selfcare_level"] == "mild"
    assert got.json["flags"] == ["screen_hypertension", "screen_diabetes"]
    assert got.json["bmi"] == 24.6 and got.json["recorded_by"]


BAD = [("hba1c", 25), ("mmse", 31), ("temperature", 46), ("cholesterol", 0),
       ("vision_left", 3), ("cigarettes", 101), ("urine_protein", "5"),
       ("symptoms", ["none", "headache"]), ("medicines", [{"name": ""}]),
       ("stays", [{"kind": "hospital", "institution": "区医院"}])]


@pytest.mark.parametrize("name,value", BAD, ids=[b[0] for b in BAD])
def test_bad_values_are_refused_and_nothing_written(name, value, api_as, district, db):
    client, headers = api_as("doctor")
    enrollment_id = _elderly(client, headers, district)
    before = (db.session.scalar(select(func.count()).select_from(ElderlyCheck)),
              db.session.scalar(select(func.count()).select_from(CheckRow)))
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/checks", headers=headers,
                           json={**CHECK, name: value})
    assert response.status_code == 422, response.json
    assert name in response.json["errors"]
    after = (db.session.scalar(select(func.count()).select_from(ElderlyCheck)),
             db.session.scalar(select(func.count()).select_from(CheckRow)))
    assert after == before


def test_no_flag_for_a_program_the_resident_is_in(api_as, district):
    client, headers = api_as("doctor")
    enrollment_id = _elderly(client, headers, district)
    check = client.post(f"/api/v1/enrollments/{enrollment_id}/checks", headers=headers, json={
        "check_date": "2026-03-02", "sbp": 120, "dbp": 70, "fpg": 5.2,
        "selfcare": {"eating": 0, "washing": 0, "dressing": 0, "toileting": 0, "mobility": 0}})
    assert check.status_code == 201 and check.json["flags"] == []
