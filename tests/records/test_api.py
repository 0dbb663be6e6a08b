"""The Archives section of spec/API.md."""
from datetime import date

from sqlalchemy import func, select

from healthgrid.auth.models import AuditEntry
from healthgrid.records.models import Resident
from tests import factories


def _create(client, headers, grid_id, **resident):
    hh = client.post("/api/v1/households", headers=headers,
                     json={"grid_id": grid_id, "address": "幸福里1号楼101"})
    assert hh.status_code == 201, hh.json
    body = {"household_id": hh.json["id"], "name": "张三", "sex": "male",
            "birth_date": "1970-05-01", **resident}
    return client.post("/api/v1/residents", headers=headers, json=body)


def test_create_household_and_resident(api_as, district):
    client, headers = api_as("doctor")
    id_number = factories.id_number_for(date(1970, 5, 1), "male")
    response = _create(client, headers, district.grids[0].id, id_number=id_number,
                       phone="13812341234", archive_medium="paper")
    assert response.status_code == 201
    assert len(response.json["archive_no"]) == 17 and response.json["id"]
    assert response.json["id_number"] == id_number


def test_invalid_resident_answers_422_per_field_and_writes_nothing(api_as, district, db):
    client, headers = api_as("doctor")
    before = db.session.scalar(select(func.count(Resident.id)))
    response = _create(client, headers, district.grids[0].id, sex="robot",
                       birth_date="2999-01-01", phone="12")
    assert response.status_code == 422
    assert {"sex", "birth_date", "phone"} <= set(response.json["errors"])
    assert response.json["code"] == 422
    assert db.session.scalar(select(func.count(Resident.id))) == before


def test_duplicate_id_number_answers_409(api_as, district):
    client, headers = api_as("doctor")
    id_number = factories.id_number_for(date(1970, 5, 1), "male")
    assert _create(client, headers, district.grids[0].id, id_number=id_number).status_code == 201
    again = _create(client, headers, district.grids[0].id, id_number=id_number)
    assert again.status_code == 409 and "id_number" in again.json["errors"]


def test_list_is_masked_and_paged(api_as, district, db):
    hh = factories.household(district.grids[0])
    for i in range(3):
        factories.resident(hh, name=f"张{i}", phone=f"1381234123{i}")
    client, headers = api_as("doctor")
    page = client.get("/api/v1/residents?q=%E5%BC%A0&per_page=2&page=1", headers=headers).json
    assert page["total"] == 3 and len(page["items"]) == 2 and page["per_page"] == 2
    item = page["items"][0]
    assert "****" in item["phone"] and "********" in item["id_number"]


def test_full_record_is_audited(api_as, district, db):
    r = factories.resident(factories.household(district.grids[0]), phone="13812341234")
    client, headers = api_as("doctor")
    body = client.get(f"/api/v1/residents/{r.id}", headers=headers).json
    assert body["phone"] == "13812341234" and body["id_number"] == r.id_number
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "resident.view", AuditEntry.resident_id == r.id)) == 1


def test_patch_with_stale_version_answers_409(api_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    db.session.commit()
    client, headers = api_as("doctor")
    version = client.get(f"/api/v1/residents/{r.id}", headers=headers).json["version"]
    ok = client.patch(f"/api/v1/residents/{r.id}", headers=headers,
                      json={"version": version, "allergies": "青霉素"})
    assert ok.status_code == 200 and ok.json["version"] == version + 1
    stale = client.patch(f"/api/v1/residents/{r.id}", headers=headers,
                         json={"version": version, "allergies": "花粉"})
    assert stale.status_code == 409
    assert client.get(f"/api/v1/residents/{r.id}", headers=headers).json["allergies"] == "青霉素"


def test_patch_that_breaks_id_consistency_is_refused(api_as, district, db):
    r = factories.resident(factories.household(district.grids[0]), sex="male")
    client, headers = api_as("doctor")
    response = client.patch(f"/api/v1/residents/{r.id}", headers=headers,
                            json={"version": r.version, "sex": "female"})
    assert response.status_code == 422 and "id_number" in response.json["errors"]


def test_scope_404_for_other_team_and_403_for_referral_desk(api_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    other, headers = api_as("doctor", team_index=1)
    assert other.get(f"/api/v1/residents/{r.id}", headers=headers).status_code == 404
    assert other.patch(f"/api/v1/residents/{r.id}", headers=headers,
                       json={"version": 1, "name": "改名"}).status_code == 404
    assert other.post("/api/v1/households", headers=headers, json={
        "grid_id": district.grids[0].id, "address": "不是我的网格"}).status_code == 404
    assert other.post("/api/v1/residents", headers=headers, json={
        "household_id": r.household_id, "name": "插队", "sex": "male",
        "birth_date": "1990-01-01"}).status_code == 404
    assert r.name not in str(other.get("/api/v1/residents?q=", headers=headers).json)
    desk, desk_headers = api_as("referral_desk")
    assert desk.get(f"/api/v1/residents/{r.id}", headers=desk_headers).status_code == 403


def test_manager_sees_every_grid_of_the_centre(api_as, district, db):
    factories.resident(factories.household(district.grids[0]), name="甲一")
    factories.resident(factories.household(district.grids[1]), name="乙二")
    client, headers = api_as("manager")
    names = {i["name"] for i in client.get("/api/v1/residents", headers=headers).json["items"]}
    assert {"甲一", "乙二"} <= names


def test_patch_without_version_is_refused(api_as, district, db):
    r = factories.resident(factories.household(district.grids[0]))
    client, headers = api_as("doctor")
    response = client.patch(f"/api/v1/residents/{r.id}", headers=headers,
                            json={"allergies": "青霉素"})
    assert response.status_code == 422 and "version" in response.json["errors"]
