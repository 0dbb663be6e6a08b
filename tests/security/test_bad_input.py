"""Bad input everywhere: wrong types, huge strings, control characters, script tags, SQL
fragments and broken encodings get a clear answer, store nothing half-way, and whatever is
stored is never rendered unescaped."""
from datetime import date

import pytest
from sqlalchemy import func, select

from healthgrid.records.models import Household, Resident
from tests import factories
from tests.helpers import submit

SCRIPT = '<script>alert("x")</script>'
SQL = "王'); DROP TABLE resident; --"


def _household(district):
    return factories.household(district.grids[0])


def test_script_and_sql_are_stored_as_text_and_shown_escaped(login_as, district, db):
    doctor = login_as("doctor")
    hh = _household(district)
    url = f"/records/households/{hh.id}/members/new"
    response = submit(doctor, url, {"name": SQL, "sex": "male", "birth_date": "1980-02-03",
                                    "allergies": SCRIPT})
    assert response.status_code == 302
    resident = db.session.scalar(select(Resident).where(Resident.name == SQL))
    assert resident.allergies == SCRIPT
    page = doctor.get(f"/records/residents/{resident.id}").get_data(as_text=True)
    assert SCRIPT not in page and "&lt;script&gt;" in page
    found = doctor.get("/records/residents", query_string={"q": SQL}).get_data(as_text=True)
    assert "王&#39;); DROP TABLE resident; --" in found  # searched, not executed
    assert db.session.scalar(select(func.count(Resident.id))) >= 1


@pytest.mark.parametrize("field,value,needle", [
    ("name", "名" * 65, "name"),            # longer than the column
    ("name", "张\x00三", "name"),            # a control character
    ("birth_date", "1980-02-30", "birth_date"),
    ("birth_date", "'; DROP TABLE resident; --", "birth_date"),
    ("sex", "<b>male</b>", "sex"),
    ("phone", "1" * 200, "phone"),
])
def test_bad_fields_are_refused_with_a_message_and_nothing_stored(login_as, district, db,
                                                                   field, value, needle):
    doctor = login_as("doctor")
    hh = _household(district)
    before = db.session.scalar(select(func.count(Resident.id)))
    form = {"name": "李四", "sex": "male", "birth_date": "1980-02-03", field: value}
    response = submit(doctor, f"/records/households/{hh.id}/members/new", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="e-{needle}"' in page or f'f-{needle}' in page
    assert "<b>male</b>" not in page
    assert db.session.scalar(select(func.count(Resident.id))) == before


def test_api_wrong_types_and_huge_strings_answer_422(api_as, district, db):
    client, headers = api_as("doctor")
    before = db.session.scalar(select(func.count(Household.id)))
    for body in ({"grid_id": "abc", "address": "x"}, {"grid_id": 1.5, "address": "x"},
                 {"grid_id": district.grids[0].id, "address": "x" * 100_000},
                 {"grid_id": [1], "address": {"a": 1}}, [], "text"):
        response = client.post("/api/v1/households", headers=headers, json=body)
        assert response.status_code == 422, (body, response.status_code)
        assert response.json["code"] == 422
    assert db.session.scalar(select(func.count(Household.id))) == before


def test_broken_encoding_and_malformed_json_are_refused_cleanly(api_as, district):
    client, headers = api_as("doctor")
    broken = client.post("/api/v1/households", headers={**headers,
                                                        "Content-Type": "application/json"},
                         data=b'{"grid_id": 1, "address": "\xff\xfe"}')
    assert broken.status_code in (400, 422) and broken.json["code"] in (400, 422)
    malformed = client.post("/api/v1/households", headers={**headers,
                                                           "Content-Type": "application/json"},
                            data=b'{"grid_id": ')
    assert malformed.status_code in (400, 422)


def test_broken_form_encoding_does_not_crash_a_page(login_as, district):
    doctor = login_as("doctor")
    from tests.helpers import csrf_from
    token = csrf_from(doctor, "/records/households/new")
    response = doctor.post("/records/households/new",
                           data=b"csrf_token=" + token.encode() + b"&address=%FF%FE&grid_id=1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400, 404, 422)
    assert response.status_code != 500


def test_follow_up_values_of_the_wrong_type(api_as, district, db):
    from healthgrid.chronic import services as chronic
    resident = factories.resident(_household(district), birth_date=date(1970, 1, 1),
                                  with_id=False)
    enrollment = chronic.enroll(resident, "hypertension", date(2026, 1, 5))
    db.session.commit()
    client, headers = api_as("doctor")
    for body in ({"visit_date": "2026-02-01", "sbp": "high", "dbp": 80},
                 {"visit_date": "yesterday", "sbp": 120, "dbp": 80},
                 {"visit_date": "2026-02-01", "sbp": 10 ** 30, "dbp": 80},
                 {"visit_date": "2026-02-01", "sbp": 120, "dbp": 80, "symptoms": SCRIPT}):
        response = client.post(f"/api/v1/enrollments/{enrollment.id}/followups",
                               headers=headers, json=body)
        assert response.status_code == 422, (body, response.json)
    db.session.refresh(enrollment)
    assert enrollment.followups == []
