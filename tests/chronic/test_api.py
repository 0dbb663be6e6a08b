"""The worked cases of tests/data/followups.json (follow-up classification and scheduling,
docs/followup.md) and the follow-up API."""
import json
from datetime import date
from pathlib import Path

import pytest

from tests import factories

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "followups.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def _patient(district, birth_date=date(1970, 1, 1)):
    hh = factories.household(district.grids[0])
    return factories.resident(hh, birth_date=birth_date, with_id=False)


def _enroll(client, headers, resident_id, program, enrolled_on):
    response = client.post(f"/api/v1/residents/{resident_id}/enrollments", headers=headers,
                           json={"program": program, "enrolled_on": enrolled_on})
    assert response.status_code == 201, response.json
    return response.json


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_worked_case(case, api_as, district, db):
    resident = _patient(district, date.fromisoformat(case["birth_date"]))
    client, headers = api_as("doctor")
    enrollment = _enroll(client, headers, resident.id, case["program"], case["enrolled_on"])
    for visit, expect in zip(case["visits"], case["expect"]):
        response = client.post(f"/api/v1/enrollments/{enrollment['id']}/followups",
                               headers=headers, json=visit)
        assert response.status_code == 201, response.json
        answer = response.json
        for key, value in expect.items():
            if key == "reasons_include":
                assert set(value) <= set(answer["reasons"]), answer
            else:
                assert answer[key] == value, (key, answer)
    listed = client.get(f"/api/v1/residents/{resident.id}/enrollments", headers=headers).json
    mine = next(e for e in listed if e["id"] == enrollment["id"])
    assert mine["next_due_date"] == case["expect"][-1]["next_due_date"]


@pytest.mark.parametrize("case", CASES["rejected"], ids=[c["name"] for c in CASES["rejected"]])
def test_rejected_case_writes_nothing(case, api_as, district, db):
    resident = _patient(district, date(1970, 1, 1))
    client, headers = api_as("doctor")
    enrollment = _enroll(client, headers, resident.id, case["program"], "2026-01-01")
    response = client.post(f"/api/v1/enrollments/{enrollment['id']}/followups", headers=headers,
                           json=case["visit"])
    assert response.status_code == 422
    assert response.json["errors"]
    listed = client.get(f"/api/v1/residents/{resident.id}/enrollments", headers=headers).json
    assert [e["next_due_date"] for e in listed] == ["2026-01-15"]  # unchanged: still the enrollment's


def test_visit_before_enrollment_or_in_future_is_refused(api_as, district):
    resident = _patient(district)
    client, headers = api_as("doctor")
    enrollment = _enroll(client, headers, resident.id, "hypertension", "2026-01-10")
    url = f"/api/v1/enrollments/{enrollment['id']}/followups"
    before = client.post(url, headers=headers, json={"visit_date": "2026-01-09", "sbp": 130,
                                                     "dbp": 80})
    future = client.post(url, headers=headers, json={"visit_date": "2999-01-01", "sbp": 130,
                                                     "dbp": 80})
    assert before.status_code == future.status_code == 422
    assert "visit_date" in before.json["errors"] and "visit_date" in future.json["errors"]


def test_second_active_enrollment_in_a_program_is_a_conflict(api_as, district):
    resident = _patient(district)
    client, headers = api_as("doctor")
    _enroll(client, headers, resident.id, "diabetes", "2026-01-10")
    again = client.post(f"/api/v1/residents/{resident.id}/enrollments", headers=headers,
                        json={"program": "diabetes", "enrolled_on": "2026-02-10"})
    assert again.status_code == 409


def test_elderly_check_scores_flags_and_schedules(api_as, district):
    resident = _patient(district, date(1950, 6, 1))
    client, headers = api_as("doctor")
    enrollments = client.get(f"/api/v1/residents/{resident.id}/enrollments",
                             headers=headers).json
    elderly = next(e for e in enrollments if e["program"] == "elderly")  # enrolled on creation
    response = client.post(f"/api/v1/enrollments/{elderly['id']}/checks", headers=headers, json={
        "check_date": "2026-03-02", "sbp": 146, "dbp": 84, "weight": 60, "height": 160,
        "selfcare": {"eating": 0, "washing": 1, "dressing": 0, "toileting": 2, "mobility": 1}})
    assert response.status_code == 201, response.json
    assert response.json["selfcare_score"] == 7 and response.json["selfcare_level"] == "mild"
    assert response.json["next_due_date"] == "2027-03-02"
    assert response.json["flags"] == ["screen_hypertension"]  # API.md names it so


def test_check_with_a_level_out_of_range_is_refused(api_as, district):
    resident = _patient(district, date(1950, 6, 1))
    client, headers = api_as("doctor")
    elderly = client.get(f"/api/v1/residents/{resident.id}/enrollments", headers=headers).json[0]
    response = client.post(f"/api/v1/enrollments/{elderly['id']}/checks", headers=headers, json={
        "check_date": "2026-03-02",
        "selfcare": {"eating": 4, "washing": 1, "dressing": 0, "toileting": 2, "mobility": 1}})
    assert response.status_code == 422


def test_worklist_api_shape_and_scope(api_as, district, db):
    resident = _patient(district)
    client, headers = api_as("doctor")
    _enroll(client, headers, resident.id, "hypertension", "2026-01-01")
    team_id = district.teams[0].id
    body = client.get(f"/api/v1/worklist?team_id={team_id}&as_of=2026-02-01",
                      headers=headers).json
    assert body["as_of"] == "2026-02-01"
    item = body["overdue"][0]
    assert item == {"enrollment_id": item["enrollment_id"], "resident_id": resident.id,
                    "name": resident.name, "program": "hypertension",
                    "next_due_date": "2026-01-15", "days_overdue": 17, "urgent": False}
    other = district.teams[1].id
    assert client.get(f"/api/v1/worklist?team_id={other}", headers=headers).status_code == 404


def test_other_team_cannot_touch_enrollments(api_as, district):
    resident = _patient(district)
    client, headers = api_as("doctor")
    enrollment = _enroll(client, headers, resident.id, "hypertension", "2026-01-01")
    other, other_headers = api_as("doctor", team_index=1)
    assert other.post(f"/api/v1/enrollments/{enrollment['id']}/followups", headers=other_headers,
                      json={"visit_date": "2026-02-01", "sbp": 120, "dbp": 80}).status_code == 404
    assert other.get(f"/api/v1/residents/{resident.id}/enrollments",
                     headers=other_headers).status_code == 404
