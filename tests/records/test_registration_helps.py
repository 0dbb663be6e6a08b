"""Registration helps the typist (issue #17): a valid ID number gives the sex and birth date
(in the browser as it is typed, and on the server when they were left blank), a centre with
one grid has it chosen, and the household's head is the first member's name."""
from datetime import date
from pathlib import Path

from sqlalchemy import select

from healthgrid.records import rules
from healthgrid.records.models import Resident
from tests import factories
from tests.helpers import submit


def test_the_id_number_tells_birth_date_and_sex():
    assert rules.id_number_facts("11010519491231002X") == (date(1949, 12, 31), "female")
    assert rules.id_number_facts("110105194912310021") is None  # bad check character
    assert rules.id_number_facts("1101051949") is None


def test_a_blank_sex_and_birth_date_come_from_the_id_number(login_as, district, db):
    household = factories.household(district.grids[0], head_name="柳建国")
    number = factories.id_number_for(date(1956, 3, 9), "male")
    doctor = login_as("doctor")
    url = f"/records/households/{household.id}/members/new"
    response = submit(doctor, url, {"name": "柳建国", "id_number": number, "sex": "",
                                    "birth_date": "", "relation_to_head": "head"})
    assert response.status_code == 302, response.get_data(as_text=True)
    resident = db.session.scalar(select(Resident).where(Resident.id_number == number))
    assert (resident.sex, resident.birth_date) == ("male", date(1956, 3, 9))


def test_the_form_fills_them_in_the_browser_with_a_local_script(login_as, district):
    household = factories.household(district.grids[0])
    page = login_as("doctor").get(f"/records/households/{household.id}/members/new") \
        .get_data(as_text=True)
    assert '/static/js/id_number.js' in page and "http" not in page.split(
        "id_number.js")[0].rsplit("src=", 1)[1]
    script = (Path(__file__).parents[2] / "static" / "js" / "id_number.js").read_text()
    assert "f-birth_date" in script and "f-sex" in script


def test_the_only_grid_is_chosen(login_as, district):
    page = login_as("doctor").get("/records/households/new").get_data(as_text=True)
    assert f'<option value="{district.grids[0].id}" selected>' in page


def test_the_heads_name_is_the_first_members(login_as, district):
    household = factories.household(district.grids[0], head_name="柳建国")
    page = login_as("doctor").get(f"/records/households/{household.id}/members/new") \
        .get_data(as_text=True)
    assert 'value="柳建国"' in page
