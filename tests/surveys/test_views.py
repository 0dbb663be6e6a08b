"""Quick survey entry at the door or by phone: validated, scoped to the user's grids, and
back for the next household with grid, channel and date kept; the links and QR codes page."""
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from healthgrid.auth.models import AuditEntry
from healthgrid.surveys.models import SurveyResponse
from tests.helpers import csrf_from

from .conftest import DAY, resident_in, responses_of

ANSWER = {"date": DAY.isoformat(), "channel": "door", "aware": "1", "knows_doctor": "1",
          "satisfaction": "5", "comment": "医生很耐心"}


def post_entry(client, **fields):
    data = {**ANSWER, **fields, "csrf_token": csrf_from(client, "/surveys/")}
    return client.post("/surveys/", data={k: v for k, v in data.items() if v is not None})


def test_doctor_sees_only_own_grids_in_the_form(login_as, district):
    html = login_as("doctor").get("/surveys/").get_data(as_text=True)
    assert "幸福里第1网格" in html and "幸福里第2网格" not in html
    assert "满意度调查" in html and 'name="satisfaction"' in html
    # One grid in scope: it is chosen already; today is the default date; door by default.
    assert f'<option value="{district.grids[0].id}" selected>' in html
    assert f'value="{DAY.isoformat()}"' in html
    assert 'value="door" checked' in html


def test_saving_comes_back_for_the_next_household(login_as, district, db):
    client = login_as("doctor")
    grid = district.grids[0]
    response = post_entry(client, grid_id=str(grid.id), channel="phone")
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"grid_id": [str(grid.id)], "channel": ["phone"]}
    [saved] = responses_of(grid.id)
    assert (saved.channel, saved.date, saved.aware, saved.knows_doctor, saved.satisfaction,
            saved.comment, saved.recorded_by_id) == ("phone", DAY, True, True, 5, "医生很耐心",
                                                     client.user.id)
    assert db.session.query(AuditEntry).filter_by(action="survey.record", object_id=saved.id,
                                                  user_id=client.user.id).count() == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存，可以录入下一户" in html
    assert f'<option value="{grid.id}" selected>' in html and 'value="phone" checked' in html
    assert 'value="5" checked' not in html  # the answers are empty again
    assert "1 份" in html


def test_a_past_date_is_kept_for_the_next_household(login_as, district):
    client = login_as("doctor")
    response = post_entry(client, grid_id=str(district.grids[0].id), date="2026-05-18")
    assert parse_qs(urlsplit(response.headers["Location"]).query)["date"] == ["2026-05-18"]
    assert 'value="2026-05-18"' in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("changes, field", [
    ({"satisfaction": "6"}, "satisfaction"),
    ({"satisfaction": "0"}, "satisfaction"),
    ({"channel": "qr"}, "channel"),
    ({"channel": "fax"}, "channel"),
    ({"date": "2026-05-21"}, "date"),
    ({"aware": None}, "aware"),
    ({"comment": "好" * 501}, "comment"),
    ({"comment": "响铃\x07"}, "comment"),
    ({"grid_id": None}, "grid_id"),
    ({"grid_id": "99999999999"}, "grid_id"),
])
def test_invalid_entries_are_refused_and_nothing_is_saved(login_as, district, changes, field):
    client = login_as("doctor")
    response = post_entry(client, **{"grid_id": str(district.grids[0].id), **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请修改标出的字段" in html and "has-error" in html
    assert f'id="q-{field}"' in html or f'id="f-{field}"' in html
    assert responses_of(district.grids[0].id) == []


def test_another_teams_grid_is_not_found(login_as, district, db):
    client = login_as("doctor")
    assert post_entry(client, grid_id=str(district.grids[1].id)).status_code == 404
    assert db.session.query(SurveyResponse).count() == 0


def test_resident_search_lists_residents_of_the_grid_in_scope(login_as, district):
    mine = resident_in(district, 0, name="李秀英")
    resident_in(district, 1, name="李建国")
    client = login_as("manager")
    response = post_entry(client, grid_id=str(district.grids[0].id), resident_q="李", find="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "李秀英" in html and "李建国" not in html
    assert f'name="resident_id" value="{mine.id}"' in html
    assert responses_of(district.grids[0].id) == []  # a search saves nothing


def test_a_named_resident_is_saved_with_the_answer(login_as, district):
    person = resident_in(district, 0, name="李秀英")
    client = login_as("doctor")
    assert post_entry(client, grid_id=str(district.grids[0].id),
                      resident_id=str(person.id)).status_code == 303
    assert responses_of(district.grids[0].id)[0].resident_id == person.id


def test_a_resident_out_of_scope_is_not_found(login_as, district, db):
    stranger = resident_in(district, 1, name="王大")
    client = login_as("doctor")
    response = post_entry(client, grid_id=str(district.grids[0].id), resident_id=str(stranger.id))
    assert response.status_code == 404
    assert db.session.query(SurveyResponse).count() == 0


def test_a_resident_of_another_grid_is_refused(login_as, district, db):
    other = resident_in(district, 1, name="王大")
    client = login_as("manager")
    response = post_entry(client, grid_id=str(district.grids[0].id), resident_id=str(other.id))
    assert response.status_code == 422
    assert "该居民不住在所选网格" in response.get_data(as_text=True)
    assert db.session.query(SurveyResponse).count() == 0


def test_referral_desk_may_not_record_surveys(login_as, district):
    assert login_as("referral_desk").get("/surveys/").status_code == 403


def test_links_page_lists_each_grid_of_the_scope_with_its_public_link(app, login_as, district):
    from healthgrid.surveys.public import survey_url
    with app.test_request_context():
        urls = [survey_url(g.id) for g in district.grids]
    html = login_as("manager").get("/surveys/links").get_data(as_text=True)
    assert all(url in html for url in urls)
    assert f"/surveys/cards/{district.teams[0].id}.pdf" in html
    html = login_as("doctor").get("/surveys/links").get_data(as_text=True)
    assert urls[0] in html and urls[1] not in html
    assert f"/surveys/cards/{district.teams[1].id}.pdf" not in html


def test_qr_code_png_decodes_to_the_survey_link(app, login_as, district):
    from healthgrid.surveys.public import survey_url
    with app.test_request_context():
        url = survey_url(district.grids[0].id)
    client = login_as("doctor")
    png = client.get(f"/surveys/qr/{district.grids[0].id}.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qr.png"
        path.write_bytes(png.data)
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True,
                                 text=True, check=True).stdout.strip()
    assert decoded == url
    svg = client.get(f"/surveys/qr/{district.grids[0].id}.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get(f"/surveys/qr/{district.grids[1].id}.png").status_code == 404


def test_cli_prints_every_grids_survey_link(app, district):
    from healthgrid.surveys.public import grid_token
    result = app.test_cli_runner().invoke(args=["surveys", "links", "--base-url",
                                                "https://jk.example.cn/"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for grid in district.grids:
            assert f"https://jk.example.cn/s/{grid_token(grid.id)}" in result.output
