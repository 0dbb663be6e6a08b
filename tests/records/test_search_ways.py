"""The ways people look someone up (issue #17): the last four digits of a phone, the last
four characters of an ID number, the full pinyin of a name, a name typed with a space; and
what a result shows: age and the programs the person is in."""
from datetime import date

from healthgrid.chronic import services as chronic
from healthgrid.records import rules
from tests import factories
from tests.helpers import today_is


def _liu(district):
    return factories.resident(factories.household(district.grids[0]), name="柳建国",
                              birth_date=date(1956, 3, 9), phone="13912345678")


def test_the_search_box_knows_a_tail_and_a_spaced_name():
    assert rules.classify_query("5678") == ("tail", "5678")
    assert rules.classify_query("002x") == ("tail", "002X")
    assert rules.classify_query("柳 建国") == ("name", "柳建国")
    assert rules.classify_query("liujianguo") == ("initials", "liujianguo")


def test_search_keys_of_a_resident():
    keys = rules.search_keys("柳建国", "139-1234-5678", "11010519560309002X")
    assert keys == {"name_initials": "ljg", "name_pinyin": "liujianguo",
                    "phone_tail": "5678", "id_tail": "002X"}
    assert rules.search_keys("李四", None, None)["phone_tail"] is None


def test_each_way_finds_the_person(login_as, district, db):
    liu = _liu(district)
    factories.resident(factories.household(district.grids[0]), name="王五",
                       phone="13800000000")
    doctor = login_as("doctor")
    for q in ("5678", liu.id_number[-4:], liu.id_number[-4:].lower(), "liujianguo", "liujian",
              "ljg", "柳 建国", "柳建国"):
        page = doctor.get(f"/records/residents?q={q}").get_data(as_text=True)
        assert "柳建国" in page and "王五" not in page, q


def test_an_edited_phone_is_found_by_its_new_tail(login_as, district, db):
    from healthgrid.records.services import update_resident
    liu = _liu(district)
    update_resident(liu, {"phone": "13700004321", "version": liu.version})
    db.session.commit()
    doctor = login_as("doctor")
    assert "柳建国" in doctor.get("/records/residents?q=4321").get_data(as_text=True)
    assert "柳建国" not in doctor.get("/records/residents?q=5678").get_data(as_text=True)


def test_results_show_age_and_program_tags(login_as, district, db):
    liu = _liu(district)
    with today_is(date(2026, 3, 2)):
        chronic.enroll(liu, "hypertension", date(2025, 1, 1))
        db.session.commit()
        page = login_as("doctor").get("/records/residents?q=柳").get_data(as_text=True)
    assert "69 岁" in page
    assert 'class="tag program-hypertension"' in page and "高血压" in page
