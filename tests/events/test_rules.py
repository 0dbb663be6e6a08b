"""Every allowed and every refused step of the closed loop, at every level and in every
handling mode; escalation, deadlines, overdue, and photo kinds read from their bytes."""
from datetime import date
from itertools import product

import pytest

from healthgrid.events import rules
from healthgrid.events.rules import State

# The loop as the issue states it, written out by hand: (status, action) -> new status.
ALLOWED = {
    ("reported", "accept"): "accepted",
    ("reported", "escalate"): "reported",     # one level up, to be accepted again
    ("accepted", "escalate"): "reported",
    ("reported", "resolve"): "closed",        # general events, handled on the spot
    ("accepted", "dispatch"): "dispatched",
    ("dispatched", "handle"): "handled",
    ("handled", "close"): "closed",           # verified and closed
    ("handled", "return"): "dispatched",      # verification failed: handle again
}
CAPACITIES = [frozenset(), frozenset({"grid"}), frozenset({"community", "centre"}),
              frozenset({"district"})]
DAY = date(2026, 3, 2)
FULL = {"note": "说明", "deadline": date(2026, 3, 9), "assignee": "区卫生监督所", "today": DAY}


def expected(status, action, level, mode, caps):
    if (status, action) not in ALLOWED:
        return rules.TransitionRefused
    if action == "escalate" and level == "district":
        return rules.TransitionRefused
    if action == "resolve" and (mode != "general" or level != "grid"):
        return rules.TransitionRefused
    if level in caps or (action == "handle" and "grid" in caps):
        return ALLOWED[(status, action)]
    return rules.WrongLevel


@pytest.mark.parametrize("status,action", list(product(rules.STATUSES, rules.ACTIONS)))
def test_transition_table(status, action):
    for level, mode, caps in product(rules.LEVELS, rules.MODES, CAPACITIES):
        outcome = expected(status, action, level, mode, caps)
        state = State(status, level, mode)
        if isinstance(outcome, str):
            new = rules.next_state(state, action, caps, **FULL)
            assert new.status == outcome, (status, action, level, mode, caps)
            assert new.mode == mode
            if action == "escalate":
                assert new.level == rules.LEVELS[rules.LEVELS.index(level) + 1]
            else:
                assert new.level == level
            assert action in rules.allowed_actions(state, caps)
        else:
            with pytest.raises(outcome):
                rules.next_state(state, action, caps, **FULL)
            assert action not in rules.allowed_actions(state, caps)


def test_escalation_climbs_one_level_at_a_time_to_the_district():
    state, path = State("reported", "grid", "general"), []
    everyone = frozenset(rules.LEVELS)
    while state.level != "district":
        state = rules.next_state(state, "escalate", everyone, note="本级无法处置")
        path.append(state.level)
        assert state.status == "reported"  # the level above accepts again
        state = rules.next_state(state, "accept", everyone)
    assert path == ["community", "centre", "district"]
    with pytest.raises(rules.TransitionRefused):
        rules.next_state(state, "escalate", everyone, note="无更高层级")


def test_the_grid_records_handling_at_any_level_but_takes_no_other_step_above_it():
    for level in ("community", "centre", "district"):
        state = State("dispatched", level, "coordination")
        assert rules.allowed_actions(state, frozenset({"grid"})) == ["handle"]
        assert rules.allowed_actions(State("handled", level, "coordination"),
                                     frozenset({"grid"})) == []


def test_a_closed_event_allows_nothing():
    for level, caps in product(rules.LEVELS, CAPACITIES):
        assert rules.allowed_actions(State("closed", level, "general"), caps) == []


@pytest.mark.parametrize("action", sorted(rules.NOTE_REQUIRED))
def test_reasons_and_feedback_are_required(action):
    status = next(s for (s, a) in ALLOWED if a == action)
    state = State(status, "grid", "general")
    with pytest.raises(rules.MissingField) as refused:
        rules.next_state(state, action, frozenset({"grid"}), note="   ")
    assert refused.value.field == "note"


def test_dispatch_needs_a_person_or_unit_and_a_deadline_not_in_the_past():
    state, caps = State("accepted", "community", "coordination"), frozenset({"community"})
    with pytest.raises(rules.MissingField) as missing:
        rules.next_state(state, "dispatch", caps, deadline=date(2026, 3, 9), today=DAY)
    assert missing.value.field == "assignee"
    with pytest.raises(rules.MissingField) as missing:
        rules.next_state(state, "dispatch", caps, assignee="街道食药所", today=DAY)
    assert missing.value.field == "deadline"
    with pytest.raises(rules.MissingField) as past:
        rules.next_state(state, "dispatch", caps, assignee="街道食药所",
                         deadline=date(2026, 3, 1), today=DAY)
    assert past.value.problem == "past"
    assert rules.next_state(state, "dispatch", caps, assignee="街道食药所", deadline=DAY,
                            today=DAY).status == "dispatched"


def test_out_of_order_is_refused_before_the_level_is_checked():
    with pytest.raises(rules.TransitionRefused):
        rules.next_state(State("closed", "grid", "general"), "accept", frozenset())


def test_each_mode_starts_at_its_level_with_its_deadline():
    assert {m: rules.start_level(m) for m in rules.MODES} == {
        "general": "grid", "coordination": "community", "emergency": "centre",
        "approval": "centre"}
    assert rules.initial_deadline(DAY, "emergency", "routine") == date(2026, 3, 3)
    assert rules.initial_deadline(DAY, "general", "urgent") == date(2026, 3, 5)
    assert rules.initial_deadline(DAY, "approval", "routine") == date(2026, 3, 12)


def test_overdue_and_on_time():
    assert rules.is_overdue("dispatched", date(2026, 3, 1), DAY)
    assert not rules.is_overdue("dispatched", DAY, DAY)
    assert not rules.is_overdue("closed", date(2026, 3, 1), DAY)
    assert rules.closed_on_time(DAY, DAY)
    assert not rules.closed_on_time(date(2026, 3, 3), DAY)
    assert not rules.closed_on_time(None, DAY)


def test_an_emergency_waits_for_the_centre_until_accepted():
    assert rules.waits_for_centre("emergency", "reported")
    assert not rules.waits_for_centre("emergency", "accepted")
    assert not rules.waits_for_centre("approval", "reported")


@pytest.mark.parametrize("head,kind", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),      # a sound, not a photo
    (b"GIF89a\x01\x00\x01\x00", None),
    (b"%PDF-1.7\n", None),
    (b"<svg xmlns=", None),
    (b"\x89PNG\r\n\x1a\n", None),                  # a PNG signature and nothing after it
    (b"", None),
])
def test_photo_kind_is_read_from_the_bytes(head, kind):
    assert rules.image_kind(head) == kind
