"""Grid events (网格事件): the closed loop as a pure state machine. No Flask, no DB.

collection → acceptance → dispatch → handling feedback → verification and closure, with
escalation one level up (grid → community → centre → district) while an event is reported
or accepted; the level above must accept again. A general event may be handled on the spot
by the grid (reported → closed in one step, with what was done).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

TYPES = ("food_safety", "drinking_water", "illegal_practice", "illegal_blood", "school",
         "public_place", "infectious_cluster", "other")
MODES = ("general", "coordination", "emergency", "approval")
URGENCIES = ("routine", "urgent")
LEVELS = ("grid", "community", "centre", "district")
STATUSES = ("reported", "accepted", "dispatched", "handled", "closed")
OPEN_STATUSES = ("reported", "accepted", "dispatched", "handled")
ACTIONS = ("accept", "escalate", "resolve", "dispatch", "handle", "close", "return")

# Who may take an action: the actors of the event's current level, or those and the grid's
# own team (handling feedback often comes from the grid that watches the place).
LEVEL, LEVEL_OR_GRID = "level", "level_or_grid"

# (from status, action) -> (to status, who acts)
TRANSITIONS = {
    ("reported", "accept"): ("accepted", LEVEL),
    ("reported", "escalate"): ("reported", LEVEL),
    ("accepted", "escalate"): ("reported", LEVEL),
    ("reported", "resolve"): ("closed", LEVEL),
    ("accepted", "dispatch"): ("dispatched", LEVEL),
    ("dispatched", "handle"): ("handled", LEVEL_OR_GRID),
    ("handled", "close"): ("closed", LEVEL),
    ("handled", "return"): ("dispatched", LEVEL),
}
# Actions whose note is required: the reason, what was done, or why it goes back.
NOTE_REQUIRED = {"escalate", "resolve", "handle", "return"}

# The level an event is first reported to, by handling mode (the four modes):
# general — handled by the grid itself; coordination — solved by the community;
# emergency — reported at once to the centre; approval — up for the centre's decision.
START_LEVEL = {"general": "grid", "coordination": "community", "emergency": "centre",
               "approval": "centre"}


@dataclass(frozen=True)
class EventSettings:
    # Days from the report to the deadline set at once (dispatch sets the handling deadline).
    deadline_days: dict = field(default_factory=lambda: {
        "emergency": 1, "urgent": 3, "routine": 10})
    max_photos: int = 9
    max_photo_bytes: int = 5 * 1024 * 1024
    # A picture is decoded to be re-encoded without its metadata: bounded, as a 5 MB file
    # of one colour can claim a huge size (a phone's 50-megapixel photo fits).
    max_photo_pixels: int = 64_000_000


SETTINGS = EventSettings()


@dataclass(frozen=True)
class State:
    status: str
    level: str
    mode: str


class TransitionRefused(Exception):
    """The action is out of order for this event (HTTP 409); nothing changes."""


class WrongLevel(Exception):
    """The user does not act at the event's level (HTTP 403)."""


class MissingField(Exception):
    """A field the action needs is missing or wrong (HTTP 422); `field` names it."""

    def __init__(self, field_name: str, problem: str = "required"):
        super().__init__(field_name, problem)
        self.field, self.problem = field_name, problem


def level_above(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def start_level(mode: str) -> str:
    return START_LEVEL[mode]


def initial_deadline(reported_on: date, mode: str, urgency: str,
                     s: EventSettings = SETTINGS) -> date:
    days = s.deadline_days["emergency"] if mode == "emergency" else s.deadline_days[urgency]
    return reported_on + timedelta(days=days)


def _order_allows(state: State, action: str) -> bool:
    if (state.status, action) not in TRANSITIONS:
        return False
    if action == "escalate":
        return level_above(state.level) is not None
    if action == "resolve":
        return state.mode == "general" and state.level == "grid"
    return True


def may_act(state: State, action: str, capacities: frozenset[str]) -> bool:
    """Whether someone acting at `capacities` (levels, 'grid' for the grid's team) may take
    the action at the event's level (order aside)."""
    _target, who = TRANSITIONS[(state.status, action)]
    if state.level in capacities:
        return True
    return who == LEVEL_OR_GRID and "grid" in capacities


def next_state(state: State, action: str, capacities: frozenset[str], *, note: str | None = None,
               deadline: date | None = None, assignee: str | None = None,
               today: date | None = None) -> State:
    """The state after `action`, or an exception saying why it is refused: out of order
    first (409), then the wrong level (403), then what the action lacks (422)."""
    if not _order_allows(state, action):
        raise TransitionRefused(f"{action} is not allowed from {state.status} at {state.level}")
    if not may_act(state, action, capacities):
        raise WrongLevel(f"{action} is for the {state.level} level")
    if action in NOTE_REQUIRED and not (note or "").strip():
        raise MissingField("note")
    if action == "dispatch":
        if not (assignee or "").strip():
            raise MissingField("assignee")
        if deadline is None:
            raise MissingField("deadline")
        if today is not None and deadline < today:
            raise MissingField("deadline", "past")
    target, _who = TRANSITIONS[(state.status, action)]
    level = level_above(state.level) if action == "escalate" else state.level
    return State(target, level, state.mode)


def allowed_actions(state: State, capacities: frozenset[str]) -> list[str]:
    """The actions this user may take now, in the order of the loop."""
    return [action for action in ACTIONS
            if _order_allows(state, action) and may_act(state, action, capacities)]


def is_overdue(status: str, deadline: date | None, day: date) -> bool:
    return status != "closed" and deadline is not None and deadline < day


def closed_on_time(closed_on: date | None, deadline: date | None) -> bool:
    return closed_on is not None and (deadline is None or closed_on <= deadline)


def waits_for_centre(mode: str, status: str) -> bool:
    """An emergency stays on the centre's dashboard until someone accepts it."""
    return mode == "emergency" and status == "reported"


# --- photos: the kind of image is read from its first bytes, never from its name -----------

IMAGE_KINDS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def image_kind(head: bytes) -> str | None:
    """'image/jpeg', 'image/png' or 'image/webp' when the bytes start like one, else None."""
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:15] == b"VP8":
        return "image/webp"
    return None
