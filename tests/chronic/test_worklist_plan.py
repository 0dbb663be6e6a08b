"""The worklist as a day's plan (issue #17): urgent follow-ups, down referrals to visit,
suggested referrals, overdue hypertension and diabetes by days overdue, overdue annual
checks, then what falls due this week; paged, searchable by name, filtered by a tap on a
link; each item's "record" opens the right form; one menu entry; one default team."""
import re
from datetime import date

import pytest

from healthgrid.chronic import services
from healthgrid.org.models import TeamMembership
from healthgrid.referral import services as referral
from tests import factories
from tests.helpers import today_is

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def pinned_today():
    with today_is(DAY):
        yield DAY


def _patient(district, name, birth=date(1970, 1, 1)):
    return factories.resident(factories.household(district.grids[0]), name=name,
                              birth_date=birth, phone="13511112222")


def _visit(enrollment, day, **values):
    return services.record_followup(enrollment, {"visit_date": day, **values}, None)


@pytest.fixture
def plan(district, db):
    """One patient for each section of the plan, two overdue ones apart by their days."""
    urgent = services.enroll(_patient(district, "急一"), "hypertension", date(2025, 12, 1))
    _visit(urgent, date(2026, 2, 10), sbp=186, dbp=102)                   # due 24 Feb, urgent
    down_person = _patient(district, "转二")
    referral.create_down({"to_institution_id": district.centre.id, "reason": "出院",
                          "urgency": "routine", "id_number": down_person.id_number,
                          "patient_name": "转二", "diagnosis": "高血压"},
                         district.hospital, None, date(2026, 2, 25))
    suggested = services.enroll(_patient(district, "建三"), "diabetes", date(2025, 10, 1))
    _visit(suggested, date(2026, 2, 1), fpg=9.0)
    _visit(suggested, date(2026, 2, 26), fpg=9.5)                         # suggested, due 12 Mar
    little = services.enroll(_patient(district, "逾四"), "hypertension", date(2025, 12, 1))
    _visit(little, date(2026, 2, 10), sbp=128, dbp=80)
    _visit(little, date(2026, 2, 12), sbp=150, dbp=95)                    # due 26 Feb: 4 days
    much = services.enroll(_patient(district, "逾五"), "diabetes", date(2025, 10, 1))
    _visit(much, date(2025, 11, 1), fpg=6.0)                              # due 30 Jan: 31 days
    _patient(district, "老六", birth=date(1940, 1, 1))                     # check due at once
    soon = services.enroll(_patient(district, "近七"), "hypertension", date(2025, 10, 1))
    _visit(soon, date(2025, 12, 4), sbp=128, dbp=80)                      # due 4 Mar
    db.session.commit()
    return {"urgent": urgent, "suggested": suggested, "much": much, "soon": soon}


def _names(page):
    return re.findall(r'<a class="who" href="[^"]+">([^<]+)</a>', page)


def test_the_plan_runs_in_the_days_order(login_as, plan):
    page = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    sections = re.findall(r'<h2 id="plan-([a-z-]+)"', page)
    assert sections == ["urgent", "down-referrals", "suggested", "overdue-chronic",
                        "overdue-checks", "due-soon"]
    assert _names(page) == ["急一", "转二", "建三", "逾五", "逾四", "老六", "近七"]


def test_the_plan_is_paged(login_as, plan):
    doctor = login_as("doctor")
    first = doctor.get("/chronic/worklist?per_page=3").get_data(as_text=True)
    second = doctor.get("/chronic/worklist?per_page=3&page=2").get_data(as_text=True)
    assert _names(first) == ["急一", "转二", "建三"] and _names(second) == ["逾五", "逾四", "老六"]
    assert "page=2" in first


def test_the_plan_is_searched_by_name(login_as, plan):
    page = login_as("doctor").get("/chronic/worklist?q=逾").get_data(as_text=True)
    assert _names(page) == ["逾五", "逾四"]


def test_filters_are_links_that_apply_on_a_tap(login_as, plan):
    page = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    assert re.search(r'<a [^>]*href="[^"]*program=diabetes[^"]*"', page)
    toolbar = page.split('id="plan-filters"', 1)[1].split("</form>", 1)[0]
    outside_noscript = re.sub(r"<noscript>.*?</noscript>", "", toolbar, flags=re.S)
    assert 'type="submit"' not in outside_noscript  # a submit only for browsers without JS
    diabetes = login_as("doctor").get("/chronic/worklist?program=diabetes").get_data(
        as_text=True)
    assert _names(diabetes) == ["建三", "逾五"]


def test_record_opens_the_right_form_for_the_patient(login_as, plan):
    page = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    assert f'/chronic/enrollments/{plan["much"].id}/followups/new' in page
    assert re.search(r"/chronic/enrollments/\d+/checks/new", page)
    assert f'/referrals/new?resident_id={plan["suggested"].resident_id}' in page


def test_one_menu_entry_for_the_days_work(login_as, plan):
    page = login_as("doctor").get("/chronic/worklist").get_data(as_text=True)
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert ("我的工作" in nav) != ("随访工作清单" in nav)


def test_page_and_api_open_the_same_team(login_as, api_as, district, db):
    """A doctor in two teams: both the page and the API open the first by name."""
    doctor = factories.user_for(district, "doctor")
    db.session.add(TeamMembership(team_id=district.teams[1].id,
                                  staff_id=district.staff["a_gp"].id, role="specialist",
                                  start_date=date(2025, 1, 1)))
    db.session.commit()
    first = min(district.teams, key=lambda t: t.name)
    page = login_as(doctor).get("/chronic/worklist").get_data(as_text=True)
    assert f"{first.name}" in page.split("<h1", 1)[1].split("</h1>", 1)[0]
    client, headers = api_as(doctor)
    body = client.get("/api/v1/worklist", headers=headers).json
    assert body.get("team_id") == first.id
