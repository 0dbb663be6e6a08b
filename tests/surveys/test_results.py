"""Survey results per grid and team for a period: counts, awareness and satisfaction as the
indicators count them, comments, the Excel export; a doctor sees their own team only."""
from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from healthgrid.extensions import db
from healthgrid.surveys.models import SurveyResponse


def _add(grid, day, aware, satisfaction, comment=None, knows=None, channel="door"):
    db.session.add(SurveyResponse(grid_id=grid.id, date=day, channel=channel, aware=aware,
                                  knows_doctor=knows, satisfaction=satisfaction,
                                  comment=comment))


def _sample(district):
    a, b = district.grids
    _add(a, date(2026, 2, 1), True, 5, "随访及时", knows=True)
    _add(a, date(2026, 3, 1), True, 4, knows=False)
    _add(a, date(2026, 4, 1), False, 2, "希望增加周末门诊", channel="qr")
    _add(a, date(2026, 4, 2), True, None, channel="phone")
    _add(b, date(2026, 5, 1), False, 5, "乙网格的意见")
    _add(a, date(2025, 12, 31), False, 1, "去年的意见")  # outside the period
    db.session.flush()


def _cell_text(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}">', 1)[1].split("<", 1)[0]


def test_manager_sees_counts_rates_and_comments_of_the_centre(login_as, district):
    _sample(district)
    html = login_as("manager").get("/surveys/results?period=2026").get_data(as_text=True)
    assert _cell_text(html, "total-responses") == "5"
    assert _cell_text(html, "total-awareness") == "60.0%"        # 3 of 5
    assert _cell_text(html, "total-satisfaction") == "75.0%"     # 3 of 4 rated
    assert "66.7%" in html                                         # grid A: 2 of 3 rated
    assert "甲团队" in html and "乙团队" in html
    assert "随访及时" in html and "希望增加周末门诊" in html and "乙网格的意见" in html
    assert "去年的意见" not in html


def test_results_match_the_indicators(api_as, login_as, district):
    _sample(district)
    client, headers = api_as("manager")
    grid = district.grids[0]
    kpi = client.get(f"/api/v1/kpi?scope=grid:{grid.id}&period=2026", headers=headers).json
    values = {i["code"]: i for i in kpi["indicators"]}
    assert (values["awareness"]["numerator"], values["awareness"]["denominator"]) == (3, 4)
    assert (values["satisfaction"]["numerator"], values["satisfaction"]["denominator"]) == (2, 3)
    html = login_as("manager").get(
        f"/surveys/results?period=2026&team_id={district.teams[0].id}").get_data(as_text=True)
    assert _cell_text(html, "total-responses") == "4"
    assert _cell_text(html, "total-awareness") == "75.0%"
    assert _cell_text(html, "total-satisfaction") == "66.7%"


def test_quarter_and_month_periods(login_as, district):
    _sample(district)
    client = login_as("manager")
    q2 = client.get("/surveys/results?period=2026-Q2").get_data(as_text=True)
    assert _cell_text(q2, "total-responses") == "3"
    march = client.get("/surveys/results?period=2026-03").get_data(as_text=True)
    assert _cell_text(march, "total-responses") == "1"
    bad = client.get("/surveys/results?period=someday").get_data(as_text=True)
    assert "统计期为年（2026）" in bad  # a message, and this year instead
    assert _cell_text(bad, "total-responses") == "5"


def test_doctor_sees_own_team_only(login_as, district):
    _sample(district)
    client = login_as("doctor")
    html = client.get("/surveys/results?period=2026").get_data(as_text=True)
    assert _cell_text(html, "total-responses") == "4"
    assert "乙网格的意见" not in html and "乙团队" not in html
    assert client.get(f"/surveys/results?team_id={district.teams[1].id}").status_code == 404
    assert client.get("/surveys/results?team_id=99999999999").status_code == 404
    assert client.get(f"/surveys/results.xlsx?team_id={district.teams[1].id}").status_code == 404


def test_excel_export_has_teams_grids_and_comments(login_as, district):
    _sample(district)
    response = login_as("manager").get("/surveys/results.xlsx?period=2026")
    assert response.status_code == 200
    assert "spreadsheetml" in response.mimetype
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["按团队", "按网格", "意见建议"]
    teams = {row[0]: row for row in book["按团队"].iter_rows(min_row=3, values_only=True)}
    assert teams["甲团队"][1:4] == (4, 3, 75.0)
    assert teams["甲团队"][7:10] == (3, 2, 66.7)
    assert teams["乙团队"][1] == 1
    assert teams["合计"][1:4] == (5, 3, 60.0) and teams["合计"][9] == 75.0
    grids = list(book["按网格"].iter_rows(min_row=3, values_only=True))
    first = next(r for r in grids if r[1] == "幸福里第1网格")
    assert first[0] == "幸福里社区" and first[2] == "甲团队"
    assert first[-5:] == (0, 1, 0, 1, 1)  # scores 1..5
    comments = list(book["意见建议"].iter_rows(min_row=3, values_only=True))
    assert {c[4] for c in comments} == {"随访及时", "希望增加周末门诊", "乙网格的意见"}
    assert any(c[2] == "二维码" for c in comments)
