"""Two-way referral: the state machine of RULES.md §4 and its deadlines. No Flask, no DB."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DIRECTIONS = ("up", "down")
URGENCIES = ("urgent", "routine")
STATUSES = ("requested", "accepted", "rejected", "arrived", "completed", "cancelled")
ACTIONS = ("accept", "reject", "arrive", "complete", "cancel")
OPEN_STATUSES = ("requested", "accepted", "arrived")

# (from status, action) -> (to status, side allowed to act)
TRANSITIONS = {
    ("requested", "accept"): ("accepted", "receiving"),
    ("requested", "reject"): ("rejected", "receiving"),
    ("accepted", "arrive"): ("arrived", "receiving"),
    ("arrived", "complete"): ("completed", "receiving"),
    ("requested", "cancel"): ("cancelled", "sending"),
    ("accepted", "cancel"): ("cancelled", "sending"),
}
# A rejection says why; a completion is the feedback the sending side waits for.
NOTE_REQUIRED = {"reject", "complete"}


@dataclass(frozen=True)
class ReferralSettings:
    down_visit_days: int = 14


SETTINGS = ReferralSettings()


class TransitionRefused(Exception):
    """The action is not allowed from this state (HTTP 409)."""


class WrongSide(Exception):
    """This side of the referral may never take the action (HTTP 403)."""


class NoteRequired(Exception):
    """A rejection needs a reason, a completion its feedback (HTTP 422)."""


def next_status(status: str, action: str, side: str, note: str | None = None) -> str:
    """The state after `action`, or an exception saying why it is refused."""
    if (status, action) not in TRANSITIONS:
        raise TransitionRefused(f"{action} is not allowed from {status}")
    target, allowed_side = TRANSITIONS[(status, action)]
    if side != allowed_side:
        raise WrongSide(f"{action} is for the {allowed_side} side")
    if action in NOTE_REQUIRED and not (note or "").strip():
        raise NoteRequired(action)
    return target


def allowed_actions(status: str, side: str | None) -> list[str]:
    return [action for (state, action), (_, who) in TRANSITIONS.items()
            if state == status and who == side]


def visit_due(received_on: date, s: ReferralSettings = SETTINGS) -> date:
    """A patient sent back down is visited by the grid team within 14 days."""
    return received_on + timedelta(days=s.down_visit_days)


def visited_in_time(received_on: date, visited_on: date | None,
                    s: ReferralSettings = SETTINGS) -> bool:
    return visited_on is not None and (visited_on - received_on).days <= s.down_visit_days


# Words of a hospital diagnosis that name a program a community team manages.
PROGRAM_WORDS = {"hypertension": ("高血压", "hypertension"),
                 "diabetes": ("糖尿病", "diabetes")}


def programs_named(diagnosis: str | None) -> list[str]:
    """The chronic programs a diagnosis names ('高血压3级，2型糖尿病' → both)."""
    text = (diagnosis or "").lower()
    return [program for program, words in PROGRAM_WORDS.items()
            if any(word in text for word in words)]
