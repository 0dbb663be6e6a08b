"""The events API: reporting, every step allowed and refused for every actor, escalation to
the district, and who sees what (a grid its events, the centre all of its grids', nobody
another centre's)."""
from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import func, select

from healthgrid.events import rules
from healthgrid.events.models import GridEvent, GridEventStep
from healthgrid.events.services import capacities
from healthgrid.auth.scope import scope_for

from .conftest import DAY, act, call, make_event, payload


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def _report(people, district, who="doctor", **kw):
    return call(people, who, "POST", "/api/v1/events", json=payload(district, **kw))


# --- reporting ------------------------------------------------------------------------------

def test_a_team_member_reports_an_event_and_gets_it_with_its_timeline(people, district):
    response = _report(people, district, mode="coordination", urgency="urgent")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "reported" and body["level"] == "community"
    assert body["event_type"] == "food_safety" and body["grid_id"] == district.grids[0].id
    assert body["grid_name"] == district.grids[0].name and body["urgency"] == "urgent"
    assert body["deadline"] == (DAY + timedelta(days=3)).isoformat()
    assert body["reported_on"] == DAY.isoformat() and body["overdue"] is False
    assert body["reporter"] == district.staff["a_gp"].name
    [step] = body["history"]
    assert step["action"] == "report" and step["from"] is None and step["to"] == "reported"
    assert step["level"] == "community" and step["by"] and step["at"]
    assert body["photos"] == []


@pytest.mark.parametrize("mode,level", sorted(rules.START_LEVEL.items()))
def test_the_mode_decides_the_first_level(people, district, mode, level):
    assert _report(people, district, mode=mode).json["level"] == level


def test_a_report_needs_its_fields(people, district, db):
    response = call(people, "doctor", "POST", "/api/v1/events", json={
        "event_type": "smoking", "grid_id": district.grids[0].id, "place": "",
        "mode": "whenever", "urgency": "soon"})
    assert response.status_code == 422
    assert {"event_type", "place", "description", "mode", "urgency"} <= set(
        response.json["errors"])
    assert _count(db, GridEvent) == 0


def test_a_grid_outside_the_scope_is_404_and_a_referral_desk_403(people, district, db):
    assert _report(people, district, who="doctor", grid_index=1).status_code == 404
    assert _report(people, district, who="other_manager").status_code == 404
    assert _report(people, district, who="referral_desk").status_code == 403
    assert _count(db, GridEvent) == 0
    assert _report(people, district, who="manager", grid_index=1).status_code == 201
    assert _report(people, district, who="admin", grid_index=1).status_code == 201


def test_a_general_event_is_handled_on_the_spot_by_the_grid(people, district):
    response = _report(people, district, mode="general",
                       handled_on_spot="已责令停止售卖并现场销毁变质食品")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "closed" and body["level"] == "grid"
    assert body["closed_on"] == DAY.isoformat()
    assert body["feedback"] == "已责令停止售卖并现场销毁变质食品"
    assert [s["action"] for s in body["history"]] == ["report", "resolve"]


def test_only_a_general_event_by_the_grid_team_is_handled_on_the_spot(people, district, db):
    not_general = _report(people, district, mode="coordination", handled_on_spot="已处理")
    assert not_general.status_code == 409
    assert "handled_on_spot" in not_general.json["errors"]
    by_manager = _report(people, district, who="manager", mode="general",
                         handled_on_spot="已处理")
    assert by_manager.status_code == 403
    assert _count(db, GridEvent) == 0 and _count(db, GridEventStep) == 0


# --- every step, by every actor -----------------------------------------------------------

INSIDERS = ("doctor", "manager", "admin")
OUTSIDERS = ("doctor_b", "other_manager", "referral_desk")
FIELDS = {"note": "情况说明", "deadline": (DAY + timedelta(days=5)).isoformat(),
          "assignee": "区卫生健康监督所"}


def _expected(event, action, who, people, district):
    """What the API must answer: 404 for those who do not see the event, else what the
    rules (tested by hand in test_rules) say for the actor's levels."""
    client, _headers = people[who]
    user = client.user
    if who in OUTSIDERS:
        return 404
    caps = capacities(user, event, scope_for(user, DAY))
    try:
        rules.next_state(rules.State(event.status, event.level, event.mode), action, caps,
                         note="x", deadline=DAY, assignee="x", today=DAY)
    except rules.TransitionRefused:
        return 409
    except rules.WrongLevel:
        return 403
    return 200


@pytest.mark.parametrize("status", rules.STATUSES)
def test_every_step_by_every_actor(people, district, db, status):
    """Each (level, mode, action, actor) from this status: the answer the rules give, and a
    refused step leaves the event and its timeline exactly as they were."""
    grid = district.grids[0]
    tried = {200: 0, 403: 0, 404: 0, 409: 0}
    # The mode matters to handling on the spot only; outsiders never see the event at all.
    cases = [(level, mode, action, who)
             for level, action, who in product(rules.LEVELS, rules.ACTIONS, INSIDERS)
             for mode in (("general", "emergency") if action == "resolve" else ("general",))]
    cases += [("grid", "general", action, who) for action, who in product(
        rules.ACTIONS, OUTSIDERS)]
    fresh = {}  # an event refused a step is as it was: the next case may use it again
    for level, mode, action, who in cases:
        event = fresh.pop((level, mode), None) or make_event(grid, status=status, level=level,
                                                              mode=mode)
        db.session.commit()
        want = _expected(event, action, who, people, district)
        before = (event.status, event.level, event.version, len(event.steps))
        response = act(people, who, event.id, action, **FIELDS)
        assert response.status_code == want, (status, level, mode, action, who,
                                              response.json)
        tried[want] += 1
        db.session.expire_all()
        event = db.session.get(GridEvent, event.id)
        if want == 200:
            target = rules.TRANSITIONS[(status, action)][0]
            assert (event.status, len(event.steps)) == (target, before[3] + 1)
            assert response.json["history"][-1]["action"] == action
        else:
            assert (event.status, event.level, event.version, len(event.steps)) == before
            fresh[(level, mode)] = event
    assert all(tried.values()) or status == "closed", tried


def test_each_step_records_what_it_needs(people, district, db):
    event = make_event(district.grids[0], status="accepted", level="community",
                       mode="coordination")
    db.session.commit()
    for fields, field in (({"assignee": "食药所"}, "deadline"),
                          ({"deadline": (DAY + timedelta(days=3)).isoformat()}, "assignee"),
                          ({"assignee": "食药所", "deadline": "2026-03-01"}, "deadline")):
        response = act(people, "manager", event.id, "dispatch", **fields)
        assert response.status_code == 422 and field in response.json["errors"], response.json
    far = act(people, "manager", event.id, "dispatch", assignee="食药所", deadline="2028-01-01")
    assert far.status_code == 422 and "deadline" in far.json["errors"]
    ok = act(people, "manager", event.id, "dispatch", assignee="街道食品药品监管所",
             deadline=(DAY + timedelta(days=3)).isoformat(), note="三日内整改")
    assert ok.status_code == 200
    assert ok.json["assignee"] == "街道食品药品监管所"
    assert ok.json["deadline"] == (DAY + timedelta(days=3)).isoformat()
    step = ok.json["history"][-1]
    assert step["assignee"] == "街道食品药品监管所" and step["note"] == "三日内整改"
    no_feedback = act(people, "doctor", event.id, "handle")
    assert no_feedback.status_code == 422 and "note" in no_feedback.json["errors"]
    assert act(people, "doctor", event.id, "handle", note="已整改，冷藏柜到位").json[
        "feedback"] == "已整改，冷藏柜到位"


def test_a_wrong_action_name_is_422_and_changes_nothing(people, district, db):
    event = make_event(district.grids[0])
    db.session.commit()
    response = act(people, "doctor", event.id, "approve")
    assert response.status_code == 422 and "action" in response.json["errors"]
    assert len(db.session.get(GridEvent, event.id).steps) == 1


# --- the whole loop and escalation --------------------------------------------------------

def test_closed_loop_with_escalation_from_the_grid_to_the_district(people, district):
    event = _report(people, district, mode="general").json
    assert event["level"] == "grid"
    eid = event["id"]
    # The grid accepts, cannot solve it, and escalates with a reason.
    assert act(people, "doctor", eid, "accept").status_code == 200
    assert act(people, "doctor", eid, "escalate").status_code == 422   # no reason
    up = act(people, "doctor", eid, "escalate", note="涉及多个摊贩，网格无法协调")
    assert (up.json["level"], up.json["status"]) == ("community", "reported")
    # Now the grid waits: accepting belongs to the community (the centre's managers).
    assert act(people, "doctor", eid, "accept").status_code == 403
    assert act(people, "manager", eid, "accept").status_code == 200
    up = act(people, "manager", eid, "escalate", note="需中心协调区监督所")
    assert (up.json["level"], up.json["status"]) == ("centre", "reported")
    assert act(people, "manager", eid, "accept").status_code == 200
    up = act(people, "manager", eid, "escalate", note="需区卫健委审批处置")
    assert (up.json["level"], up.json["status"]) == ("district", "reported")
    # At the district only its administrators act.
    assert act(people, "manager", eid, "accept").status_code == 403
    assert act(people, "admin", eid, "escalate", note="没有更高层级").status_code == 409
    assert act(people, "admin", eid, "accept").status_code == 200
    assert act(people, "admin", eid, "dispatch", assignee="区卫生健康监督所",
               deadline=(DAY + timedelta(days=7)).isoformat()).status_code == 200
    # Out of order: nothing is closed before it is handled.
    assert act(people, "admin", eid, "close").status_code == 409
    # The grid reports back from the spot; the district sends it back once, then closes.
    assert act(people, "doctor", eid, "handle", note="已立案查处").status_code == 200
    assert act(people, "doctor", eid, "close").status_code == 403
    back = act(people, "admin", eid, "return", note="缺少整改后复查记录")
    assert back.json["status"] == "dispatched"
    assert act(people, "doctor", eid, "handle", note="复查合格，已整改").status_code == 200
    closed = act(people, "admin", eid, "close", note="核查属实，结案")
    assert closed.status_code == 200
    body = closed.json
    assert body["status"] == "closed" and body["closed_on"] == DAY.isoformat()
    assert [(s["action"], s["level"]) for s in body["history"]] == [
        ("report", "grid"), ("accept", "grid"), ("escalate", "community"),
        ("accept", "community"), ("escalate", "centre"), ("accept", "centre"),
        ("escalate", "district"), ("accept", "district"), ("dispatch", "district"),
        ("handle", "district"), ("return", "district"), ("handle", "district"),
        ("close", "district")]
    assert body["history"][2]["note"] == "涉及多个摊贩，网格无法协调"
    assert act(people, "admin", eid, "accept").status_code == 409  # closed is final


# --- scope -------------------------------------------------------------------------------------

def test_a_grid_sees_its_events_the_centre_all_and_no_one_another_centres(people, district, db):
    a = make_event(district.grids[0])
    b = make_event(district.grids[1], level="community", mode="coordination")
    db.session.commit()

    def ids(who):
        response = call(people, who, "GET", "/api/v1/events")
        assert response.status_code == 200
        return {item["id"] for item in response.json["items"]}

    assert ids("doctor") == {a.id}
    assert ids("doctor_b") == {b.id}
    assert ids("manager") == {a.id, b.id}
    assert ids("admin") >= {a.id, b.id}
    assert ids("other_manager") == set()
    assert call(people, "referral_desk", "GET", "/api/v1/events").status_code == 403
    for who, event, code in (("doctor", a, 200), ("doctor", b, 404), ("doctor_b", a, 404),
                             ("manager", b, 200), ("other_manager", a, 404),
                             ("other_manager", b, 404), ("referral_desk", a, 404)):
        assert call(people, who, "GET", f"/api/v1/events/{event.id}").status_code == code, who


def test_the_list_filters_and_marks_overdue_events(people, district, db):
    grid = district.grids[0]
    late = make_event(grid, status="dispatched", deadline=DAY - timedelta(days=1))
    due_today = make_event(grid, status="dispatched", deadline=DAY)
    closed_late = make_event(grid, status="closed", deadline=DAY - timedelta(days=5),
                             closed_on=DAY)
    emergency = make_event(grid, level="centre", mode="emergency")
    db.session.commit()
    body = call(people, "manager", "GET", "/api/v1/events").json
    overdue = {item["id"]: item["overdue"] for item in body["items"]}
    assert overdue == {late.id: True, due_today.id: False, closed_late.id: False,
                       emergency.id: False}
    only_late = call(people, "manager", "GET", "/api/v1/events?overdue=true").json
    assert [item["id"] for item in only_late["items"]] == [late.id]
    at_centre = call(people, "manager", "GET", "/api/v1/events?level=centre&mode=emergency")
    assert [item["id"] for item in at_centre.json["items"]] == [emergency.id]
    paged = call(people, "manager", "GET", "/api/v1/events?per_page=2&page=2").json
    assert paged["total"] == 4 and len(paged["items"]) == 2
    assert call(people, "manager", "GET", "/api/v1/events?status=lost").status_code == 422


def test_unknown_and_too_large_ids_are_404(people):
    assert call(people, "admin", "GET", "/api/v1/events/999999").status_code == 404
    assert call(people, "admin", "GET", "/api/v1/events/99999999999").status_code == 404


def test_reports_and_steps_are_audited(people, district, db):
    from healthgrid.auth.models import AuditEntry
    eid = _report(people, district).json["id"]
    act(people, "manager", eid, "accept")
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "gridevent", AuditEntry.object_id == eid)
        .order_by(AuditEntry.id)).all()
    assert actions == ["event.report", "event.accept"]
