"""The API keeps the contract its OpenAPI document states, on the points a strict fuzzer
(schemathesis, all checks) once caught it breaking: a wrong-typed value is a 422 with a
field message, never a 500; a message is one whole text; a 405 says which methods the path
takes; what the document forbids is refused; and the document states what the code
enforces."""
import re
from datetime import date

from sqlalchemy import func, select

from healthgrid.records.models import Household, Resident
from healthgrid.referral.models import Referral
from tests import factories
from tests.helpers import submit

CONTROL_MESSAGE = "包含不可见的控制字符。"


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_wrong_type_is_a_field_message_not_a_server_error(api_as, district, db):
    client, headers = api_as("admin")
    resident = factories.resident(factories.household(district.grids[0]))
    before = _count(db, Referral)
    for direction in ({}, [], 1, True):
        response = client.post("/api/v1/referrals", headers=headers, json={
            "direction": direction, "urgency": "routine", "resident_id": resident.id,
            "to_institution_id": district.hospital.id, "reason": "胸闷待查"})
        assert response.status_code == 422, (direction, response.json)
        assert response.json["errors"]["direction"] == ["请输入文本。"]
    # The other fields are told at once, each in its own words.
    response = client.post("/api/v1/households", headers=headers,
                           json={"grid_id": "1", "address": {"line": "幸福里"}, "phone": 13})
    assert response.status_code == 422
    assert response.json["errors"] == {
        "grid_id": ["请输入整数。"], "address": ["请输入文本。"], "phone": ["请输入文本。"]}
    assert _count(db, Referral) == before


def test_a_wrong_type_inside_a_nested_object_names_its_place(api_as, district, db):
    client, headers = api_as("doctor")
    resident = factories.resident(factories.household(district.grids[0]),
                                  birth_date=date(1950, 1, 1))
    enrollments = client.get(f"/api/v1/residents/{resident.id}/enrollments",
                             headers=headers).json
    elderly = next(e for e in enrollments if e["program"] == "elderly")
    response = client.post(f"/api/v1/enrollments/{elderly['id']}/checks", headers=headers,
                           json={"check_date": "2026-01-05",
                                 "selfcare": {"eating": "0", "washing": 0, "dressing": 0,
                                              "toileting": 0, "mobility": False}})
    assert response.status_code == 422
    assert response.json["errors"]["selfcare"] == {"eating": ["请输入整数。"],
                                                   "mobility": ["请输入整数。"]}


def test_a_message_is_one_whole_text_in_the_api_and_on_the_page(api_as, login_as, district,
                                                                   db):
    client, headers = api_as("doctor")
    response = client.post("/api/v1/households", headers=headers,
                           json={"grid_id": district.grids[0].id, "address": "abc\u0007def"})
    assert response.status_code == 422
    assert response.json["errors"] == {"address": [CONTROL_MESSAGE]}
    page = submit(login_as("doctor"), "/records/households/new",
                  {"grid_id": district.grids[0].id, "address": "abc\u0007def"})
    assert CONTROL_MESSAGE in page.get_data(as_text=True)
    assert _count(db, Household) == 0


def test_405_names_the_methods_the_path_takes(api_as, login_as, district):
    client, headers = api_as("manager")
    for method, path, allowed in [("delete", "/api/v1/referrals", "GET, HEAD, OPTIONS, POST"),
                                  ("put", "/api/v1/auth/token", "OPTIONS, POST"),
                                  ("post", "/api/v1/residents/1", "GET, HEAD, OPTIONS, PATCH")]:
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 405, path
        assert response.headers["Allow"] == allowed
        assert response.json["code"] == 405
    page = login_as("manager").delete("/records/residents")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_a_number_is_not_a_boolean(api_as, district, db):
    client, headers = api_as("doctor")
    household = factories.household(district.grids[0])
    response = client.post("/api/v1/residents", headers=headers, json={
        "household_id": household.id, "name": "张三", "sex": "male",
        "birth_date": "1980-02-03", "disabled": 0})
    assert response.status_code == 422
    assert response.json["errors"] == {"disabled": ["请选择是或否。"]}
    assert _count(db, Resident) == 0


def test_an_empty_choice_is_refused_where_the_document_lists_the_choices(api_as, district, db):
    client, headers = api_as("manager")
    for query in ({"direction": ""}, {"status": ""}):
        response = client.get("/api/v1/referrals", headers=headers, query_string=query)
        assert response.status_code == 422, query
        assert set(response.json["errors"]) == set(query)
    response = client.get("/api/v1/events", headers=headers, query_string={"status": ""})
    assert response.status_code == 422
    # In a JSON body too: a blank is a value, not "absent", unless the field is free text.
    household = factories.household(district.grids[0])
    response = client.post("/api/v1/residents", headers=headers, json={
        "household_id": household.id, "name": "张三", "sex": "male", "birth_date": "1980-02-03",
        "blood_type": "", "allergies": ""})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"blood_type"}


def test_a_nul_is_refused_alike_on_every_database(api_as, client, district):
    """PostgreSQL's text holds no NUL: a sign-in name with one names no account (401, as
    on SQLite), and a search for one is refused with a field message."""
    response = client.post("/api/v1/auth/token", json={"username": "ad\x00min",
                                                       "password": "HealthGrid-2026"})
    assert response.status_code == 401
    api, headers = api_as("doctor")
    response = api.get("/api/v1/residents", headers=headers, query_string={"q": "张\x00"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"q"}


def test_an_id_beyond_the_database_integer_is_a_field_message(api_as, district, db):
    client, headers = api_as("admin")
    response = client.post("/api/v1/referrals", headers=headers, json={
        "direction": "up", "resident_id": 103093055345514989444136960, "reason": "胸闷",
        "to_institution_id": district.hospital.id})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"resident_id"}


def test_a_period_outside_the_documented_years_is_a_field_message(api_as, district):
    client, headers = api_as("manager")
    scope = f"institution:{district.centre.id}"
    for url in ("/api/v1/kpi", "/api/v1/reports/performance.pdf",
                "/api/v1/kpi/archive_rate/gaps"):
        response = client.get(url, headers=headers, query_string={"scope": scope,
                                                                  "period": "0026-05"})
        assert response.status_code == 422, url
        assert set(response.json["errors"]) == {"period"}


# --- the document states what the code enforces -------------------------------------------

def _document(client):
    return client.get("/api/v1/openapi.json").json


def _schema(document, name):
    return document["components"]["schemas"][name]


def test_the_document_states_the_period_pattern(client):
    parameters = _document(client)["paths"]["/api/v1/kpi"]["get"]["parameters"]
    pattern = next(p for p in parameters if p["name"] == "period")["schema"]["pattern"]
    for period in ("2026", "2026-Q3", "2026-11"):
        assert re.search(pattern, period), period
    for period in ("2026-13", "2026-Q5", "26", "0000", "", "2026-1", "0026-05"):
        assert not re.search(pattern, period), period


def test_the_document_has_one_referral_schema_per_direction(client):
    document = _document(client)
    body = document["paths"]["/api/v1/referrals"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    create = _schema(document, body["$ref"].rsplit("/", 1)[-1])
    assert create["discriminator"]["propertyName"] == "direction"
    up = _schema(document, create["discriminator"]["mapping"]["up"].rsplit("/", 1)[-1])
    down = _schema(document, create["discriminator"]["mapping"]["down"].rsplit("/", 1)[-1])
    assert {"direction", "resident_id", "reason"} <= set(up["required"])
    assert "patient_name" in down["required"] and "resident_id" not in down["properties"]
    assert up["properties"]["direction"]["enum"] == ["up"]
    assert "id_number" in down["properties"] and "id_number" not in up["properties"]


def test_the_document_states_bounds_lengths_and_formats(client):
    document = _document(client)
    followup = _schema(document, "Followup")["properties"]
    assert (followup["sbp"]["minimum"], followup["sbp"]["maximum"]) == (50, 300)
    assert followup["weight_target"]["maximum"] == 400
    address = _schema(document, "Household")["properties"]["address"]
    assert address["maxLength"] == 200 and not re.search(address["pattern"], "abc\x07def")
    assert not re.search(address["pattern"], "   ")  # a required text is more than blanks
    id_number = _schema(document, "ResidentCreate")["properties"]["id_number"]["pattern"]
    assert re.search(id_number, "11010519491231002X") and not re.search(id_number, "1101051949")


def test_the_document_links_what_an_answer_names_to_the_operations_taking_it(client):
    paths = _document(client)["paths"]

    def links(path, method, status):
        return paths[path][method]["responses"][status]["links"]

    created = links("/api/v1/referrals", "post", "201")
    for operation in ("referral.get_referral", "referral.assign", "referral.transition"):
        assert created[operation]["parameters"] == {"referral_id": "$response.body#/id"}
    moved = links("/api/v1/referrals/{referral_id}/transitions", "post", "200")
    assert moved["referral.get_referral"]["parameters"] == {
        "referral_id": "$request.path.referral_id"}
    household = links("/api/v1/households", "post", "201")
    assert household["records.create_resident"]["requestBody"] == {
        "household_id": "$response.body#/id"}
    resident = links("/api/v1/residents", "post", "201")
    assert resident["chronic.create_enrollment"]["parameters"] == {
        "resident_id": "$response.body#/id"}
    enrollment = links("/api/v1/residents/{resident_id}/enrollments", "post", "201")
    assert enrollment["chronic.create_followup"]["parameters"] == {
        "enrollment_id": "$response.body#/id"}

