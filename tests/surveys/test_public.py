"""The public survey page (reached by a grid's QR code) and "find my team": no account,
a signed per-grid link, one answer per device per day and grid, a rate limit, CSRF, and
nothing of any resident or anyone's answers on them."""
import re
from datetime import date, timedelta

from itsdangerous import URLSafeSerializer

from healthgrid import clock
from healthgrid.auth.models import AuditEntry
from healthgrid.extensions import db
from healthgrid.org.models import Staff, TeamMembership
from healthgrid.surveys.models import PublicSurveyMark, SurveyResponse
from healthgrid.surveys.public import DEVICE_COOKIE
from tests import factories
from tests.helpers import csrf_from
from tests.test_anonymous_access import PUBLIC_ENDPOINTS

from .conftest import DAY, resident_in, responses_of

ANSWER = {"aware": "1", "knows_doctor": "0", "satisfaction": "4", "comment": "上门服务很及时"}


def answer(client, path, **changes):
    data = {**ANSWER, **changes, "csrf_token": csrf_from(client, path)}
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


# --- the signed link ------------------------------------------------------------------

def test_survey_page_names_grid_and_team(client, district, survey_path):
    page = client.get(survey_path(district.grids[0]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "幸福里第1网格" in html and "甲团队" in html and "幸福里社区" in html
    assert "居民满意度调查" in html
    assert "乙团队" not in html and "幸福里第2网格" not in html


def test_forged_or_altered_links_are_not_found(app, client, district, survey_path):
    good = survey_path(district.grids[0])
    token = good.rsplit("/", 1)[1]
    payload, _, signature = token.partition(".")
    other_grid = URLSafeSerializer("not-our-secret", salt="grid-survey").dumps(
        {"g": district.grids[1].id})
    wrong_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(
        {"g": district.grids[0].id})
    no_such_grid = URLSafeSerializer(app.config["SECRET_KEY"], salt="grid-survey").dumps(
        {"g": 999999})
    not_a_grid = URLSafeSerializer(app.config["SECRET_KEY"], salt="grid-survey").dumps(
        {"g": "1"})
    for token in (f"{payload}.{signature[:-2]}xx", f"{payload}x.{signature}", payload,
                  other_grid, wrong_salt, no_such_grid, not_a_grid, "1", "..."):
        assert client.get(f"/s/{token}").status_code == 404, token
        response = client.post(f"/s/{token}",
                               data={**ANSWER, "csrf_token": csrf_from(client, good)})
        assert response.status_code == 404, token
    assert responses_of(district.grids[0].id) == []


# --- answering --------------------------------------------------------------------------

def test_an_answer_is_saved_anonymously_with_channel_qr(client, district, survey_path):
    path = survey_path(district.grids[0])
    response = answer(client, path)
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    [saved] = responses_of(district.grids[0].id)
    assert (saved.channel, saved.date, saved.aware, saved.knows_doctor, saved.satisfaction,
            saved.comment) == ("qr", DAY, True, False, 4, "上门服务很及时")
    assert saved.resident_id is None and saved.recorded_by_id is None
    assert db.session.query(AuditEntry).count() == 0  # no trace of the resident's address
    thanks = client.get(path).get_data(as_text=True)
    assert "感谢" in thanks and 'id="public-survey-form"' not in thanks


def test_device_cookie_is_signed_long_lived_and_http_only(client, district, survey_path):
    response = client.get(survey_path(district.grids[0]))
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith(DEVICE_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/s/" in cookie
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))
    assert max_age >= 365 * 86400
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "." in value  # signed


def test_second_answer_the_same_day_is_refused_and_stores_nothing(client, district, survey_path):
    path = survey_path(district.grids[0])
    token = csrf_from(client, path)
    assert answer(client, path).status_code == 303
    marks = db.session.query(PublicSurveyMark).count()
    again = client.post(path, data={**ANSWER, "satisfaction": "1", "comment": "再来一次",
                                     "csrf_token": token})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "今天已经回答过" in html and "未保存" in html
    assert len(responses_of(district.grids[0].id)) == 1
    assert db.session.query(PublicSurveyMark).count() == marks
    assert db.session.query(SurveyResponse).filter_by(comment="再来一次").count() == 0


def test_the_same_phone_may_answer_again_tomorrow_and_for_another_grid(client, district,
                                                                      survey_path):
    first, second = survey_path(district.grids[0]), survey_path(district.grids[1])
    assert answer(client, first).status_code == 303
    assert answer(client, second).status_code == 303
    clock.set_today(DAY + timedelta(days=1))
    assert answer(client, first).status_code == 303
    assert [r.date for r in responses_of(district.grids[0].id)] == [DAY, DAY + timedelta(days=1)]
    assert len(responses_of(district.grids[1].id)) == 1


def test_another_phone_may_answer_the_same_day(app, client, district, survey_path):
    path = survey_path(district.grids[0])
    assert answer(client, path).status_code == 303
    assert answer(app.test_client(), path).status_code == 303
    assert len(responses_of(district.grids[0].id)) == 2


def test_a_tampered_device_cookie_counts_as_a_new_device(app, district, survey_path):
    client = app.test_client()
    path = survey_path(district.grids[0])
    client.set_cookie(DEVICE_COOKIE, "forged-value", path="/s/")
    response = client.get(path)
    assert any(c.startswith(DEVICE_COOKIE + "=") and "forged-value" not in c
               for c in response.headers.getlist("Set-Cookie"))


def test_invalid_answers_are_refused_with_messages_and_store_nothing(client, district,
                                                                    survey_path):
    path = survey_path(district.grids[0])
    response = answer(client, path, aware=None, satisfaction="9", comment="好" * 501)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请修改标出的字段" in html and "满意度为 1 至 5 分" in html
    assert responses_of(district.grids[0].id) == []
    assert db.session.query(PublicSurveyMark).count() == 0
    # Refused input does not use up the day's answer.
    assert answer(client, path).status_code == 303


def test_post_without_csrf_token_is_refused(client, district, survey_path):
    path = survey_path(district.grids[0])
    client.get(path)
    assert client.post(path, data=ANSWER).status_code == 400
    assert responses_of(district.grids[0].id) == []


def test_answers_are_rate_limited_per_address(app, district, survey_path):
    app.config["SURVEY_RATE_LIMIT"] = "3 per hour"
    path = survey_path(district.grids[0])
    codes = [answer(app.test_client(), path).status_code for _ in range(5)]
    assert codes[:3] == [303, 303, 303]
    assert codes[3:] == [429, 429]
    assert len(responses_of(district.grids[0].id)) == 3
    assert app.test_client().get(path).status_code == 200  # reading is not limited


# --- no resident data, no way to read answers --------------------------------------------

def test_public_pages_show_no_resident_data_and_no_answers(app, client, district, survey_path):
    people = [resident_in(district, 0, name="欧阳娜娜", phone="13912340001",
                          address="幸福里9号楼101"),
              resident_in(district, 1, name="司马光明", phone="13912340002",
                          address="幸福里7号楼202", sex="female")]
    district.grids[0].streets = "幸福路;和平街"
    db.session.add(SurveyResponse(grid_id=district.grids[0].id, date=DAY, channel="door",
                                  resident_id=people[0].id, aware=False, satisfaction=1,
                                  comment="邻居的私密意见"))
    db.session.flush()
    secrets = [p.name for p in people] + [p.phone for p in people] + \
        [p.id_number for p in people] + [p.archive_no for p in people] + \
        ["幸福里9号楼101", "幸福里7号楼202", "邻居的私密意见"]
    path = survey_path(district.grids[0])
    pages = [client.get(path), answer(client, path), client.get(path),
             answer(client, path),
             answer(app.test_client(), path, aware=None),
             client.get("/team"), client.get(f"/team?community_id={district.community.id}"),
             client.get(f"/team?grid_id={district.grids[0].id}"),
             client.get(f"/team?grid_id={district.grids[1].id}"),
             client.get("/team?q=和平"), client.get("/team?q=幸福")]
    for response in pages:
        html = response.get_data(as_text=True)
        for secret in secrets:
            assert secret not in html, (response.request.path, secret)


def test_public_endpoints_are_exactly_the_survey_and_find_my_team(app, client, district):
    """Every survey endpoint but these two sends an anonymous visitor to sign in."""
    ours = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("surveys")}
    assert ours & PUBLIC_ENDPOINTS == {"surveys_public.survey", "surveys_public.find_team"}
    assert client.get("/team").status_code == 200
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ours - PUBLIC_ENDPOINTS:
            url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)
            response = client.get(url)
            assert response.status_code in (302, 401), (url, response.status_code)


# --- find my team -----------------------------------------------------------------------

def test_find_my_team_by_community_and_grid(client, district):
    page = client.get("/team").get_data(as_text=True)
    assert "幸福里社区" in page and 'name="community_id"' in page
    page = client.get(f"/team?community_id={district.community.id}").get_data(as_text=True)
    assert "幸福里第1网格" in page and "幸福里第2网格" in page and 'name="grid_id"' in page


def test_team_card_shows_active_members_with_roles_and_work_phones(client, district):
    team = district.teams[0]
    team.service_hours = "周一至周五 8:00–17:00"
    team.phone = "010-66001234"
    gp, nurse = district.staff["a_gp"], district.staff["a_nurse"]
    left = factories.staff(district.centre, name="离队医生", phone="13800009999")
    db.session.add(TeamMembership(team_id=team.id, staff_id=left.id, role="specialist",
                                  start_date=date(2024, 1, 1), end_date=date(2026, 1, 31)))
    future = factories.staff(district.centre, name="未到岗专家", phone="13800008888")
    db.session.add(TeamMembership(team_id=team.id, staff_id=future.id, role="specialist",
                                  start_date=date(2026, 6, 1)))
    retired = district.staff["a_public_health"]
    db.session.get(Staff, retired.id).active = False
    db.session.flush()

    html = client.get(f"/team?grid_id={district.grids[0].id}").get_data(as_text=True)
    assert "甲团队" in html
    for person in (gp, nurse):
        assert person.name in html and person.phone in html
    assert "全科医生" in html and "护士" in html
    assert "周一至周五 8:00–17:00" in html and "010-66001234" in html
    for gone in ("离队医生", "13800009999", "未到岗专家", "13800008888", retired.name,
                 retired.phone):
        assert gone not in html, gone
    for other in ("b_gp", "b_nurse", "b_public_health"):
        assert district.staff[other].name not in html


def test_street_search_finds_the_grid(client, district):
    district.grids[1].streets = "和平街、光明路"
    db.session.flush()
    html = client.get("/team?q=光明").get_data(as_text=True)
    assert f"grid_id={district.grids[1].id}" in html
    assert f"grid_id={district.grids[0].id}" not in html
    wildcard = client.get("/team?q=%25").get_data(as_text=True)
    assert "grid_id=" not in wildcard.split('id="street-matches"', 1)[-1].split("</ul>")[0]


def test_grid_without_an_active_team_says_so(client, district):
    lonely = factories.grid(district.community, name="新建网格")
    html = client.get(f"/team?grid_id={lonely.id}").get_data(as_text=True)
    assert "新建网格" in html and 'id="no-team"' in html


def test_find_my_team_ignores_nonsense_parameters(client, district):
    for query in ("grid_id=abc", "grid_id=99999999", "community_id=-1", "q=" + "长" * 200):
        assert client.get(f"/team?{query}").status_code == 200
