"""Survey rules (RULES.md §5): answers, tallies and the public page's abuse limits.

Pure: no Flask, no database. A tally keeps counts; rates are computed at the last step and
roll-ups add counts, as the indicators do."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

CHANNELS = ("door", "phone", "qr")
STAFF_CHANNELS = ("door", "phone")   # a team member records at the door or by phone
SCALE = (1, 2, 3, 4, 5)              # 1 very dissatisfied … 5 very satisfied
SATISFIED_FROM = 4                   # satisfied = 4 or 5


@dataclass(frozen=True)
class SurveySettings:
    comment_max: int = 500
    public_rate_limit: str = "30 per hour"        # POSTs of the public page, per address
    device_cookie_days: int = 400                 # browsers cap cookie lifetimes at 400 days
    token_salt: str = "grid-survey"
    device_salt: str = "survey-device"


SETTINGS = SurveySettings()


@dataclass
class Tally:
    """Counts of a set of responses; every rate is numerator / denominator."""
    responses: int = 0
    aware: int = 0
    knows_answered: int = 0
    knows_doctor: int = 0
    rated: int = 0
    satisfied: int = 0
    scores: dict[int, int] = field(default_factory=lambda: {s: 0 for s in SCALE})

    def add_answer(self, aware: bool, knows_doctor: bool | None, satisfaction: int | None,
                   count: int = 1) -> None:
        """`count` identical answers."""
        self.responses += count
        self.aware += count if aware else 0
        if knows_doctor is not None:
            self.knows_answered += count
            self.knows_doctor += count if knows_doctor else 0
        if satisfaction is not None:
            self.rated += count
            self.satisfied += count if satisfaction >= SATISFIED_FROM else 0
            self.scores[satisfaction] = self.scores.get(satisfaction, 0) + count

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.responses + other.responses, self.aware + other.aware,
                     self.knows_answered + other.knows_answered,
                     self.knows_doctor + other.knows_doctor, self.rated + other.rated,
                     self.satisfied + other.satisfied,
                     {s: self.scores.get(s, 0) + other.scores.get(s, 0) for s in SCALE})

    @property
    def awareness(self) -> float | None:
        return rate(self.aware, self.responses)

    @property
    def satisfaction(self) -> float | None:
        return rate(self.satisfied, self.rated)

    @property
    def knows_doctor_rate(self) -> float | None:
        return rate(self.knows_doctor, self.knows_answered)


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def device_mark(device_id: str, grid_id: int, day) -> str:
    """What is stored of "this device answered this grid's survey on this day": a hash, so
    the table holds neither the device id (the cookie's secret) nor anything linkable."""
    return hashlib.sha256(f"{device_id}|{grid_id}|{day.isoformat()}".encode()).hexdigest()
