"""Gap lists and the dashboard read right (issue #17): each column holds what its header says,
a gap counts the set its indicator counts at every scope, the trend chart says what it counts,
its months are marked and its target labels stay clear of the lines."""
import re
from datetime import date

import pytest

from healthgrid.chronic import services as chronic
from healthgrid.kpi import rules, services
from healthgrid.referral import services as referral
from tests import factories
from tests.kpi.test_indicators import compute, town, visit  # noqa: F401

AS_OF = date(2026, 11, 28)


def _page(client, district, code, scope=None):
    q = f"scope={scope or f'institution:{district.centre.id}'}&period=2026&as_of={AS_OF}"
    response = client.get(f"/kpi/gaps/{code}?{q}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _header(page):
    return re.findall(r"<th[^>]*>(.*?)</th>", re.search(r"<thead>(.*?)</thead>", page,
                                                         re.S).group(1))


def _cells(page, name):
    """{data-label: text} of the row naming `name`."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if f">{name}<" in r)
    return {label: re.sub(r"<[^>]+>", "", text).strip()
            for label, text in re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S)}


def test_the_visits_a_patient_needs_are_headed_as_such(login_as, town):  # noqa: F811
    district, _ = town
    page = _page(login_as("manager"), district, "htn_standard_mgmt")
    assert "应随访次数" in _header(page) and "必填" not in page
    assert _cells(page, "六")["应随访次数"] == "4"


def test_overdue_list_shows_the_last_visit_and_the_due_date_apart(login_as, town):  # noqa: F811
    district, r = town
    htn = chronic.enroll(r[7], "hypertension", date(2026, 1, 10))
    visit(htn, date(2026, 3, 1), 150, 95)  # due 15 March: overdue since
    page = _page(login_as("manager"), district, "followup_overdue")
    header = _header(page)
    assert "末次随访" in header and "应随访日期" in header
    seven = _cells(page, "七")
    assert seven["末次随访"] == "2026-03-01" and seven["应随访日期"] == "2026-03-15"
    six = _cells(page, "六")
    assert six["末次随访"] == "" and six["应随访日期"] == "2026-01-15"


@pytest.mark.parametrize("kind", ["team", "grid"])
def test_every_gap_counts_its_indicators_set_at_every_scope(town, db, kind):  # noqa: F811
    district, _ = town
    # Sent down with no archive here: the centre's queue, not any team's or grid's.
    referral.create_down({"to_institution_id": district.centre.id, "reason": "出院",
                          "urgency": "routine", "patient_name": "无档案",
                          "id_number": factories.id_number_for(date(1955, 3, 3), "male")},
                         district.hospital, None, date(2026, 11, 1))
    db.session.flush()
    object_id = (district.teams[0] if kind == "team" else district.grids[0]).id
    result = compute(district, "2026", AS_OF, kind=kind, object_id=object_id)
    for code, value in result.values.items():
        if code in ("staff_participation", "service_provision"):
            continue
        gap_kind, rows, total = services.gap_rows(result, code, 1, 500)
        expected = value.numerator if code in rules.LOWER_IS_BETTER \
            else value.denominator - value.numerator
        if gap_kind == "grids":
            assert sum(row.get("missing", row.get("households", 0)) for row in rows) == \
                expected, code
        else:
            assert total == len(rows) == expected, code


def test_satisfaction_gap_shows_the_rating_under_a_rating_header(login_as, town):  # noqa: F811
    district, _ = town
    page = _page(login_as("manager"), district, "satisfaction")
    header = _header(page)
    assert "满意率" not in header and any("评分" in h for h in header)
    assert re.search(r'data-label="评分[^"]*"[^>]*>3 ', page)


def test_control_gaps_show_the_latest_reading(login_as, town, db):  # noqa: F811
    district, r = town
    htn = chronic.enroll(r[7], "hypertension", date(2026, 1, 10))
    visit(htn, date(2026, 3, 1), 152, 96)
    db.session.flush()
    page = _page(login_as("manager"), district, "htn_control")
    assert "末次血压" in _header(page)
    assert _cells(page, "七")["末次血压"] == "152/96 mmHg"
    assert _cells(page, "六")["末次血压"] == ""


def test_the_trend_chart_says_it_counts_visits_not_patients(login_as, town):  # noqa: F811
    district, _ = town
    q = f"scope=institution:{district.centre.id}&period=2026&as_of={AS_OF}"
    page = login_as("manager").get(f"/kpi/?{q}").get_data(as_text=True)
    assert "糖尿病随访达标比例" not in page
    assert "按随访次数" in page and "不同于控制率" in page


def test_the_performance_page_explains_the_deduction(login_as, town):  # noqa: F811
    district, _ = town
    page = login_as("manager").get(f"/kpi/performance?scope=institution:{district.centre.id}"
                                   "&period=2026&as_of=2026-11-28").get_data(as_text=True)
    assert "每低于目标 1 个百分点扣该项权重的十分之一" in page and "min(1" not in page


def test_down_referral_gap_says_which_are_not_due_yet(login_as, town, db):  # noqa: F811
    """RULES.md §6 counts every referral received in the period; one still within its 14
    days is in the gap, and says so (not yet late)."""
    district, r = town
    referral.create_down({"to_institution_id": district.centre.id, "reason": "出院",
                          "urgency": "routine", "id_number": r[1].id_number,
                          "patient_name": "一"}, district.hospital, None, date(2026, 11, 20))
    db.session.flush()
    page = _page(login_as("manager"), district, "down_referral_visit")
    row = _cells(page, "一")
    assert "未到期" in row["访视期限"] and "2026-12-04" in row["访视期限"]
    assert "未到期" not in _cells(page, "六")["访视期限"]
