"""Every allowed and every refused transition of RULES.md §4."""
from datetime import date
from itertools import product

import pytest

from healthgrid.referral import rules

ALLOWED = {
    ("requested", "accept", "receiving"): "accepted",
    ("requested", "reject", "receiving"): "rejected",
    ("accepted", "arrive", "receiving"): "arrived",
    ("arrived", "complete", "receiving"): "completed",
    ("requested", "cancel", "sending"): "cancelled",
    ("accepted", "cancel", "sending"): "cancelled",
}


@pytest.mark.parametrize("status,action,side", list(product(
    rules.STATUSES, rules.ACTIONS, ("sending", "receiving"))))
def test_transition_table(status, action, side):
    key = (status, action, side)
    if key in ALLOWED:
        assert rules.next_status(status, action, side, note="reason") == ALLOWED[key]
    elif (status, action) in {(s, a) for s, a, _ in ALLOWED}:
        with pytest.raises(rules.WrongSide):
            rules.next_status(status, action, side, note="reason")
    else:
        with pytest.raises(rules.TransitionRefused):
            rules.next_status(status, action, side, note="reason")


def test_rejection_needs_a_reason():
    with pytest.raises(rules.NoteRequired):
        rules.next_status("requested", "reject", "receiving", note="  ")


def test_final_states_allow_nothing():
    for status in ("rejected", "completed", "cancelled"):
        assert rules.allowed_actions(status, "receiving") == []
        assert rules.allowed_actions(status, "sending") == []


def test_allowed_actions_per_side():
    assert rules.allowed_actions("requested", "receiving") == ["accept", "reject"]
    assert rules.allowed_actions("requested", "sending") == ["cancel"]


def test_down_visit_within_14_days():
    assert rules.visit_due(date(2026, 3, 1)) == date(2026, 3, 15)
    assert rules.visited_in_time(date(2026, 3, 1), date(2026, 3, 15))
    assert not rules.visited_in_time(date(2026, 3, 1), date(2026, 3, 16))
    assert not rules.visited_in_time(date(2026, 3, 1), None)
