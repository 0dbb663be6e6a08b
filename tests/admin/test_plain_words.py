"""No English in the Chinese interface (issue #17): the audit log's details and objects in
words, the indicators workbook's title, and people by their names rather than usernames
(the top bar, a referral's history)."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook

from tests.admin.test_audit_log import entry, story  # noqa: F401
from tests.kpi.test_indicators import town  # noqa: F401


def test_audit_details_and_objects_read_as_words(login_as, story, district):  # noqa: F811
    team = district.teams[0]
    entry(datetime(2026, 3, 7, 1, 0), "kpi.gaps", story["admin"],
          detail=f"code=htn_control scope=team:{team.id}")
    entry(datetime(2026, 3, 7, 2, 0), "check.create", story["admin"], detail="selfcare=moderate",
          object_type="elderlycheck", object_id=5)
    entry(datetime(2026, 3, 7, 3, 0), "resident.view", story["admin"], story["theirs"],
          object_type="resident", object_id=story["theirs"].id)
    page = login_as(story["admin"]).get("/admin/audit").get_data(as_text=True)
    assert f"指标：管理人群血压控制率；范围：团队 {team.name}" in page
    assert "自理能力：中度依赖" in page
    assert "code=htn_control" not in page and "selfcare=moderate" not in page
    assert f"resident #{story['theirs'].id}" not in page
    assert f"居民档案 #{story['theirs'].id}" in page


def test_the_indicators_workbook_title_is_chinese(login_as, town):  # noqa: F811
    district, _ = town
    response = login_as("manager").get(f"/kpi/export.xlsx?scope=institution:"
                                       f"{district.centre.id}&period=2026&as_of=2026-11-28")
    title = load_workbook(BytesIO(response.data)).active.cell(row=1, column=1).value
    assert "as of" not in title and "截至 2026-11-28" in title


def test_the_top_bar_names_the_person(login_as, district):
    doctor = login_as("doctor")
    page = doctor.get("/referrals/").get_data(as_text=True)
    name = district.staff["a_gp"].name
    assert f'title="{doctor.user.username}">{name} · 团队医务人员' in page


def test_a_referral_history_names_the_person(login_as, api_as, district):
    from tests.referral.conftest import patient, up_payload
    client, headers = api_as("doctor")
    referral_id = client.post("/api/v1/referrals", headers=headers,
                              json=up_payload(district, patient(district))).json["id"]
    page = login_as("doctor").get(f"/referrals/{referral_id}").get_data(as_text=True)
    history = page.split('id="history"', 1)[1]
    assert district.staff["a_gp"].name in history
    assert client.user.username not in history
