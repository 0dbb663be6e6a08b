"""POST /api/v1/survey-responses (spec/API.md, Surveys) and the scoped list."""
import pytest

from healthgrid.extensions import db
from healthgrid.surveys.models import SurveyResponse

from .conftest import DAY, resident_in

URL = "/api/v1/survey-responses"


def payload(district, **kw):
    return {"grid_id": district.grids[0].id, "date": DAY.isoformat(), "channel": "door",
            "aware": True, **kw}


def test_created_with_every_field(api_as, district):
    person = resident_in(district, 0)
    client, headers = api_as("doctor")
    response = client.post(URL, headers=headers, json=payload(
        district, knows_doctor=False, satisfaction=3, resident_id=person.id,
        comment="希望周末也有门诊", channel="phone"))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] and body["grid_id"] == district.grids[0].id
    assert (body["date"], body["channel"], body["aware"], body["knows_doctor"],
            body["satisfaction"], body["resident_id"], body["comment"], body["recorded_by_id"]) \
        == (DAY.isoformat(), "phone", True, False, 3, person.id, "希望周末也有门诊",
            client.user.id)
    assert db.session.get(SurveyResponse, body["id"]).comment == "希望周末也有门诊"


def test_only_the_required_fields(api_as, district):
    client, headers = api_as("manager")
    response = client.post(URL, headers=headers, json=payload(district, channel="qr"))
    assert response.status_code == 201
    assert response.json["satisfaction"] is None and response.json["knows_doctor"] is None


@pytest.mark.parametrize("changes, field", [
    ({"satisfaction": 6}, "satisfaction"),
    ({"satisfaction": 0}, "satisfaction"),
    ({"satisfaction": 4.5}, "satisfaction"),
    ({"channel": "fax"}, "channel"),
    ({"date": "2026-05-21"}, "date"),
    ({"date": "20-05-2026"}, "date"),
    ({"aware": "maybe"}, "aware"),
    ({"aware": None}, "aware"),
    ({"comment": "x" * 501}, "comment"),
    ({"comment": "bad\x00char"}, "comment"),
    ({"grid_id": "one"}, "grid_id"),
    ({"grid_id": 2 ** 40}, "grid_id"),
    ({"resident_id": 0}, "resident_id"),
    ({"resident_id": 2 ** 31}, "resident_id"),
])
def test_invalid_field_is_422_naming_it(api_as, district, changes, field):
    client, headers = api_as("doctor")
    body = {k: v for k, v in payload(district, **changes).items()
            if not (k == "aware" and v is None)}
    response = client.post(URL, headers=headers, json=body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == 422 and field in response.json["errors"], response.json
    assert db.session.query(SurveyResponse).count() == 0


def test_satisfaction_message_is_in_chinese(api_as, district):
    client, headers = api_as("doctor")
    response = client.post(URL, headers=headers, json=payload(district, satisfaction=7))
    assert response.json["errors"]["satisfaction"] == ["满意度为 1 至 5 分。"]


def test_grid_of_another_team_is_404(api_as, district):
    client, headers = api_as("doctor")
    response = client.post(URL, headers=headers,
                           json=payload(district, grid_id=district.grids[1].id))
    assert response.status_code == 404
    response = client.post(URL, headers=headers, json=payload(district, grid_id=987654))
    assert response.status_code == 404
    assert db.session.query(SurveyResponse).count() == 0


def test_resident_out_of_scope_is_404_and_of_another_grid_422(api_as, district):
    stranger = resident_in(district, 1)
    client, headers = api_as("doctor")
    assert client.post(URL, headers=headers, json=payload(
        district, resident_id=stranger.id)).status_code == 404
    client, headers = api_as("manager")
    response = client.post(URL, headers=headers, json=payload(district, resident_id=stranger.id))
    assert response.status_code == 422 and "resident_id" in response.json["errors"]
    assert db.session.query(SurveyResponse).count() == 0


def test_without_token_401(client, district):
    assert client.post(URL, json=payload(district)).status_code == 401
    assert client.get(URL).status_code == 401


def test_referral_desk_may_not_record(api_as, district):
    client, headers = api_as("referral_desk")
    assert client.post(URL, headers=headers, json=payload(district)).status_code == 403


def test_list_is_scoped_and_filtered_by_period(api_as, district):
    manager, mh = api_as("manager")
    for grid, day in ((district.grids[0], "2026-05-01"), (district.grids[1], "2026-05-02"),
                      (district.grids[0], "2025-12-31")):
        assert manager.post(URL, headers=mh, json=payload(
            district, grid_id=grid.id, date=day)).status_code == 201
    listed = manager.get(URL + "?period=2026", headers=mh).json
    assert listed["total"] == 2 and listed["period"]["start"] == "2026-01-01"
    assert [i["date"] for i in listed["items"]] == ["2026-05-02", "2026-05-01"]
    assert manager.get(URL + "?period=2025-Q4", headers=mh).json["total"] == 1
    assert manager.get(URL + f"?period=2026&team_id={district.teams[1].id}",
                       headers=mh).json["total"] == 1

    doctor, dh = api_as("doctor")
    mine = doctor.get(URL + "?period=2026", headers=dh).json
    assert {i["grid_id"] for i in mine["items"]} == {district.grids[0].id}
    assert doctor.get(URL + f"?grid_id={district.grids[1].id}", headers=dh).status_code == 404
    assert doctor.get(URL + f"?team_id={district.teams[1].id}", headers=dh).status_code == 404
    bad = doctor.get(URL + "?period=2026-13", headers=dh)
    assert bad.status_code == 422 and "period" in bad.json["errors"]
