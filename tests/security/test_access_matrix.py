"""The access matrix: every page and API endpoint that takes an object id, tried by every
role with objects outside that role's scope, on reads and writes alike. Each answers 404
(or 403 for a role that may never take the action) and the database is left unchanged."""
import re
from datetime import date

import pytest
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from healthgrid.chronic import services as chronic
from healthgrid.events.models import GridEvent, GridEventPhoto
from healthgrid.extensions import db
from healthgrid.referral import services as referral
from tests import factories

ALLOWED = {403, 404}
# Endpoints whose object is chosen by a query parameter rather than the path.
QUERY_SCOPED = [
    ("GET", "/kpi/?scope=institution:{centre}&period=2026"),
    ("GET", "/kpi/performance?scope=institution:{centre}&period=2026"),
    ("GET", "/kpi/report.pdf?scope=institution:{centre}&period=2026"),
    ("GET", "/kpi/export.xlsx?scope=institution:{centre}&period=2026"),
    ("GET", "/kpi/gaps/contract_rate?scope=team:{team}&period=2026"),
    ("GET", "/kpi/gaps/contract_rate.xlsx?scope=grid:{grid}&period=2026"),
    ("POST", "/kpi/weights?scope=institution:{centre}&period=2026"),
    ("GET", "/chronic/worklist?team_id={team}"),
    ("GET", "/chronic/worklist.xlsx?team_id={team}"),
    ("GET", "/api/v1/kpi?scope=institution:{centre}&period=2026"),
    ("GET", "/api/v1/kpi?scope=community:{community}&period=2026"),
    ("GET", "/api/v1/kpi/contract_rate/gaps?scope=grid:{grid}&period=2026"),
    ("GET", "/api/v1/performance?scope=institution:{centre}&period=2026"),
    ("GET", "/api/v1/reports/performance.pdf?scope=team:{team}&period=2026"),
    ("GET", "/api/v1/worklist?team_id={team}"),
    ("GET", "/api/v1/map/grids?scope=institution:{centre}"),
    ("GET", "/api/v1/map/households?grid_id={grid}"),
    ("GET", "/api/v1/map/events?grid_id={grid}"),
    ("GET", "/api/v1/map/communities?scope=institution:{centre}"),
    ("GET", "/map/data/communities?scope=institution:{centre}"),
    ("GET", "/map/panorama.pdf?institution_id={centre}"),
]


@pytest.fixture
def world(district, db):
    """Objects of team A / grid A of centre 1; outsiders: the doctor of team B, the manager
    of another centre and the referral desk of another hospital."""
    grid_a, team_a = district.grids[0], district.teams[0]
    resident = factories.resident(factories.household(grid_a), name="甲居民",
                                  birth_date=date(1950, 3, 1), phone="13900001111")
    enrollment = chronic.enroll(resident, "hypertension", date(2026, 1, 5))
    followup = chronic.record_followup(enrollment, {"visit_date": date(2026, 2, 1), "sbp": 150,
                                                    "dbp": 95}, None)
    elderly = chronic.active_enrollment(resident.id, "elderly")
    check = chronic.record_check(elderly, {"check_date": date(2026, 3, 1), "selfcare": dict(
        eating=0, washing=0, dressing=0, toileting=0, mobility=0)}, None)
    up = referral.create_up(resident, {"to_institution_id": district.hospital.id,
                                       "reason": "血压控制差", "urgency": "routine"},
                            None, date(2026, 2, 2))
    event = GridEvent(event_type="food_safety", grid_id=grid_a.id, place="菜市场",
                      description="无证售卖熟食", mode="coordination", level="community",
                      status="reported", reported_on=date(2026, 2, 2))
    photo = GridEventPhoto(event=event, stored_name="matrix.png", content_type="image/png",
                           size=67)
    db.session.add_all([event, photo])
    db.session.flush()
    other_centre = factories.institution(name="别的中心")
    other_hospital = factories.institution(kind="hospital", name="别的医院")
    outsiders = {
        "doctor": factories.user_for(district, "doctor", team_index=1),
        "manager": factories.user("manager", institution_id=other_centre.id),
        "referral_desk": factories.user("referral_desk", institution_id=other_hospital.id),
    }
    ids = {
        "resident_id": resident.id, "household_id": resident.household_id,
        "enrollment_id": enrollment.id, "followup_id": followup.id, "check_id": check.id,
        "referral_id": up.id, "team_id": team_a.id, "grid_id": grid_a.id,
        "community_id": district.community.id, "staff_id": district.staff["a_gp"].id,
        "membership_id": team_a.memberships[0].id, "institution_id": district.centre.id,
        "user_id": outsiders["doctor"].id, "event_id": event.id, "photo_id": photo.id,
    }
    db.session.commit()
    return district, outsiders, ids


def _snapshot() -> dict:
    tables = [t.name for t in db.metadata.sorted_tables]
    return {t: db.session.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in tables}


def _path_cases(app, ids):
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        int_args = [a for a in rule.arguments
                    if isinstance(rule._converters.get(a), IntegerConverter)]
        if not int_args:
            continue
        unknown = set(int_args) - set(ids)
        assert not unknown, f"{rule.rule}: give the access matrix an object for {unknown}"
        url = rule.rule
        for name in rule.arguments:
            value = ids.get(name, "x")
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_object_endpoint_refuses_every_outsider(app, world, login_as, api_as):
    district, outsiders, ids = world
    fill = {"centre": district.centre.id, "team": district.teams[0].id,
            "grid": district.grids[0].id, "community": district.community.id}
    cases = list(_path_cases(app, ids)) + [(m, u.format(**fill)) for m, u in QUERY_SCOPED]
    before = _snapshot()
    app.config["WTF_CSRF_ENABLED"] = False
    tried, wrong = 0, []
    try:
        for role, user in outsiders.items():
            page_client = login_as(user)
            api_client, headers = api_as(user)
            for method, url in cases:
                is_api = url.startswith("/api/")
                client = api_client if is_api else page_client
                kwargs = {"headers": headers, "json": {}} if is_api else {"data": {}}
                response = client.open(url, method=method, **kwargs)
                tried += 1
                if response.status_code not in ALLOWED:
                    wrong.append((role, method, url, response.status_code))
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    db.session.expire_all()
    after = _snapshot()
    changed = [t for t in before if t not in ("audit_entry", "api_token") and
               before[t] != after[t]]
    print(f"access matrix: {tried} (role, endpoint) pairs tried")
    assert not wrong, wrong
    assert not changed, changed
    assert tried > 150


def test_the_same_calls_work_for_the_owner(app, world, login_as):
    """The matrix would pass vacuously if the endpoints were broken: the owner gets in."""
    district, _, ids = world
    doctor = login_as("doctor")
    for url in (f"/records/residents/{ids['resident_id']}",
                f"/records/households/{ids['household_id']}",
                f"/chronic/followups/{ids['followup_id']}", f"/chronic/checks/{ids['check_id']}",
                f"/referrals/{ids['referral_id']}", f"/org/teams/{ids['team_id']}"):
        assert doctor.get(url).status_code == 200, url
