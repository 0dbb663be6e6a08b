"""Indicators and reports through the API and the pages."""
from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from healthgrid.kpi import rules
from tests.helpers import submit
from tests.kpi.test_indicators import town  # noqa: F401  (the hand-worked district)


def test_kpi_api_returns_every_indicator_with_the_spec_fields(api_as, town):  # noqa: F811
    district, _ = town
    client, headers = api_as("manager")
    body = client.get(f"/api/v1/kpi?scope=institution:{district.centre.id}&period=2026"
                      "&as_of=2026-11-28", headers=headers).json
    assert body["scope"] == f"institution:{district.centre.id}"
    assert body["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    assert body["as_of"] == "2026-11-28"
    assert [i["code"] for i in body["indicators"]] == [i.code for i in rules.INDICATORS]
    coverage = body["indicators"][0]
    assert set(coverage) == {"code", "name", "numerator", "denominator", "value", "target",
                             "met"}
    assert (coverage["numerator"], coverage["denominator"], coverage["met"]) == (2, 3, False)
    awareness = next(i for i in body["indicators"] if i["code"] == "awareness")
    assert awareness["name"] == "居民知晓率" and awareness["target"] == 0.6


def test_empty_denominator_gives_null_value_and_met(api_as, district):
    client, headers = api_as("manager")
    body = client.get(f"/api/v1/kpi?scope=institution:{district.centre.id}&period=2026-03",
                      headers=headers).json
    dm = next(i for i in body["indicators"] if i["code"] == "dm_control")
    assert dm["denominator"] == 0 and dm["value"] is None and dm["met"] is None


def test_bad_period_and_scope_answer_422(api_as, district):
    client, headers = api_as("manager")
    assert client.get("/api/v1/kpi?scope=institution:1&period=2026-13",
                      headers=headers).status_code == 422
    assert client.get("/api/v1/kpi?scope=planet:1&period=2026",
                      headers=headers).status_code == 422


def test_scope_outside_the_caller_answers_404(api_as, district):
    doctor, headers = api_as("doctor")
    other_team = district.teams[1].id
    assert doctor.get(f"/api/v1/kpi?scope=team:{other_team}&period=2026",
                      headers=headers).status_code == 404
    assert doctor.get(f"/api/v1/kpi?scope=institution:{district.centre.id}&period=2026",
                      headers=headers).status_code == 404
    own = doctor.get(f"/api/v1/kpi?scope=team:{district.teams[0].id}&period=2026",
                     headers=headers)
    assert own.status_code == 200
    desk, desk_headers = api_as("referral_desk")
    assert desk.get(f"/api/v1/kpi?scope=institution:{district.centre.id}&period=2026",
                    headers=desk_headers).status_code == 403


def test_gaps_api_pages_the_people_to_reach(api_as, town):  # noqa: F811
    district, _ = town
    client, headers = api_as("manager")
    body = client.get(f"/api/v1/kpi/htn_standard_mgmt/gaps?scope=institution:"
                      f"{district.centre.id}&period=2026&as_of=2026-11-28", headers=headers).json
    assert body["total"] == 1 and body["items"][0]["name"] == "六"
    assert client.get(f"/api/v1/kpi/nonsense/gaps?scope=institution:{district.centre.id}"
                      "&period=2026", headers=headers).status_code == 404


def test_performance_api_ranks_teams(api_as, town):  # noqa: F811
    district, _ = town
    client, headers = api_as("manager")
    body = client.get(f"/api/v1/performance?scope=institution:{district.centre.id}"
                      "&period=2026&as_of=2026-11-28", headers=headers).json
    assert [t["rank"] for t in body["teams"]] == [1, 2]
    assert body["teams"][0]["team_id"] == district.teams[0].id
    assert body["teams"][0]["grade"] in ("A", "B", "C", "D")


def test_performance_pdf_is_chinese_with_the_dashboard_numbers(api_as, town):  # noqa: F811
    district, _ = town
    client, headers = api_as("manager")
    response = client.get(f"/api/v1/reports/performance.pdf?scope=institution:"
                          f"{district.centre.id}&period=2026&as_of=2026-11-28", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "网格化覆盖率" in text and "66.7%" in text and "居民知晓率" in text
    assert district.teams[0].name in text and district.teams[1].name in text
    assert len(reader.pages) >= 4  # cover, indicators, ranking, a page per team
    fonts = {str(font) for page in reader.pages
             for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values()}
    assert fonts  # the CJK font is embedded
    names = " ".join(str(reader.pages[1]["/Resources"]["/Font"][key].get_object()["/BaseFont"])
                     for key in reader.pages[1]["/Resources"]["/Font"])
    assert "NotoSansCJK" in names or "Noto" in names


def test_dashboard_page_drills_into_a_gap_and_exports(login_as, town):  # noqa: F811
    district, _ = town
    manager = login_as("manager")
    q = f"scope=institution:{district.centre.id}&period=2026&as_of=2026-11-28"
    page = manager.get(f"/kpi/?{q}").get_data(as_text=True)
    assert "网格化覆盖率" in page and "66.7%" in page and 'id="plan-targets"' in page
    gap = manager.get(f"/kpi/gaps/htn_standard_mgmt?{q}").get_data(as_text=True)
    assert "六" in gap and "尚待服务：1" in gap
    book = load_workbook(BytesIO(manager.get(f"/kpi/gaps/contract_rate.xlsx?{q}").data))
    names = {row[0].value for row in book.active.iter_rows(min_row=3)}
    assert names == {"二", "三", "四", "六"}
    values = load_workbook(BytesIO(manager.get(f"/kpi/export.xlsx?{q}").data))
    assert values.active.cell(row=3, column=1).value == "网格化覆盖率"


def test_manager_edits_weights_and_scores_change(login_as, town):  # noqa: F811
    district, _ = town
    manager = login_as("manager")
    q = f"scope=institution:{district.centre.id}&period=2026&as_of=2026-11-28"
    before = manager.get(f"/kpi/performance?{q}").get_data(as_text=True)
    weights = {f"w_{code}": "0" for code in rules.DEFAULT_WEIGHTS}
    weights["w_archive_rate"] = "100"
    response = submit(manager, f"/kpi/weights?{q}", weights, form_url=f"/kpi/performance?{q}")
    assert response.status_code == 302
    after = manager.get(f"/kpi/performance?{q}").get_data(as_text=True)
    assert before != after
    bad = submit(manager, f"/kpi/weights?{q}", {**weights, "w_archive_rate": "abc"},
                 form_url=f"/kpi/performance?{q}")
    assert "权重须为" in manager.get(bad.headers["Location"]).get_data(as_text=True)
