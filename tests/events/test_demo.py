"""The demo district's grid events: every state, level and mode, each timeline a valid walk
through the closed loop, overdue events and an emergency waiting for the centre."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from healthgrid.events import rules
from healthgrid.events.models import GridEvent
from healthgrid.extensions import db
from tests.demo.conftest import DEMO_AS_OF, demo_district  # noqa: F401


def test_events_in_every_state_level_and_mode(demo_district):  # noqa: F811
    events = db.session.scalars(select(GridEvent)).all()
    assert demo_district.counts["grid_events"] == len(events) >= 20
    assert {e.status for e in events} == set(rules.STATUSES)
    assert {e.level for e in events} == set(rules.LEVELS)
    assert {e.mode for e in events} == set(rules.MODES)
    assert {e.grid_id for e in events} == {g.id for g in demo_district.grids}
    overdue = [e for e in events if rules.is_overdue(e.status, e.deadline, DEMO_AS_OF)]
    assert overdue
    waiting = [e for e in events if rules.waits_for_centre(e.mode, e.status)]
    assert waiting and all(e.reported_on == DEMO_AS_OF for e in waiting)


def test_every_timeline_is_a_walk_through_the_loop(demo_district):  # noqa: F811
    end = datetime.combine(DEMO_AS_OF, time(10))  # 18:00 in the centre, as naive UTC
    for event in db.session.scalars(select(GridEvent)):
        steps = event.steps
        assert steps[0].action == "report" and steps[0].to_status == "reported"
        assert steps[0].level == rules.start_level(event.mode)
        state = rules.State("reported", steps[0].level, event.mode)
        for step in steps[1:]:
            assert step.at >= steps[0].at and step.at <= end
            new = rules.next_state(state, step.action, frozenset(rules.LEVELS) | {"grid"},
                                   note=step.note, deadline=step.deadline,
                                   assignee=step.assignee, today=step.at.date())
            assert (step.from_status, step.to_status, step.level) == (
                state.status, new.status, new.level)
            state = new
        assert (event.status, event.level) == (state.status, state.level)
        assert (event.closed_on is not None) == (event.status == "closed")
        assert event.version == len(steps)
        assert all(s.actor_name for s in steps)
        if event.closed_on:
            assert event.reported_on <= event.closed_on <= DEMO_AS_OF


def test_deadlines_follow_the_rules(demo_district):  # noqa: F811
    for event in db.session.scalars(select(GridEvent)):
        dispatch = [s for s in event.steps if s.action == "dispatch"]
        if dispatch:
            assert event.deadline == dispatch[-1].deadline and event.assignee
        else:
            assert event.deadline == rules.initial_deadline(event.reported_on, event.mode,
                                                            event.urgency)
        assert event.deadline - event.reported_on <= timedelta(days=30)
