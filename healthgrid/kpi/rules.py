"""Indicator definitions, periods, roll-ups and team scores (RULES.md §6–7).

Pure: no Flask, no database. Counts arrive as numerator/denominator pairs; a rate is
computed only at the end, and roll-ups add pairs, never average rates."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

LOWER_IS_BETTER = {"followup_overdue"}


@dataclass(frozen=True)
class Indicator:
    code: str
    target: float
    level: str = "grid"   # grid: counted per grid; team: per team; institution: centre only


INDICATORS = (
    Indicator("grid_coverage", 1.0),
    Indicator("staff_participation", 0.30, "institution"),
    Indicator("service_provision", 1.0, "team"),
    Indicator("awareness", 0.60),
    Indicator("satisfaction", 0.90),
    Indicator("archive_rate", 0.90),
    Indicator("e_archive_rate", 0.90),
    Indicator("archive_usage", 0.60),
    Indicator("contract_rate", 0.30),
    Indicator("key_contract_rate", 0.60),
    Indicator("htn_standard_mgmt", 0.60),
    Indicator("htn_control", 0.60),
    Indicator("dm_standard_mgmt", 0.60),
    Indicator("dm_control", 0.60),
    Indicator("elderly_mgmt", 0.70),
    Indicator("followup_overdue", 0.10),
    Indicator("down_referral_visit", 1.0),
)
BY_CODE = {i.code: i for i in INDICATORS}
# The five targets the centre's plan names; the dashboard and the report open with them.
PLAN_TARGETS = ("grid_coverage", "staff_participation", "service_provision", "awareness",
                "satisfaction")
GRID_CODES = tuple(i.code for i in INDICATORS if i.level == "grid")

SERVICE_ITEMS = ("archive", "htn_followup", "dm_followup", "elderly_check", "contract",
                 "health_education", "referral", "maternal_visit", "child_health",
                 "infectious_report", "mental_health", "rehab", "supervision_report")
ALWAYS_REQUIRED = ("archive", "contract", "health_education")
SERVICE_RECORD_KINDS = ("health_education", "maternal_visit", "child_health",
                        "infectious_report", "mental_health", "rehab", "supervision_report")

DEFAULT_WEIGHTS = {
    "archive_rate": 10, "contract_rate": 10, "htn_standard_mgmt": 15, "htn_control": 10,
    "dm_standard_mgmt": 15, "dm_control": 10, "elderly_mgmt": 15, "satisfaction": 10,
    "awareness": 5,
}
GRADES = (("A", 90), ("B", 75), ("C", 60), ("D", 0))


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    def as_of(self, today: date, requested: date | None = None) -> date:
        """Period end, or today if earlier; an explicit as_of must lie within the period."""
        if requested is not None:
            if not self.start <= requested <= self.end:
                raise ValueError("as_of outside the period")
            return requested
        return min(self.end, today)


# What parse_period takes, as the API's document states it: years 1900 to 2999 (the
# indicators reach back a lifetime from a period's end, which earlier years cannot).
PERIOD_PATTERN = r"^\s*(19[0-9]{2}|2[0-9]{3})(-[Qq][1-4]|-(0[1-9]|1[0-2]))?\s*$"
SCOPE_PATTERN = r"^(institution|community|grid|team):[0-9]+$"


def parse_period(text: str) -> Period:
    """'2026', '2026-Q3' or '2026-11'."""
    text = (text or "").strip()
    if not re.match(PERIOD_PATTERN, text):
        raise ValueError(f"not a period: {text!r}")
    if m := re.fullmatch(r"([0-9]{4})", text):
        year = int(m[1])
        return Period(text, date(year, 1, 1), date(year, 12, 31))
    if m := re.fullmatch(r"([0-9]{4})-Q([1-4])", text, re.IGNORECASE):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * quarter - 2
        last = first + 2
        return Period(f"{year}-Q{quarter}", date(year, first, 1),
                      date(year, last, calendar.monthrange(year, last)[1]))
    if m := re.fullmatch(r"([0-9]{4})-([0-9]{2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period(text, date(year, month, 1),
                          date(year, month, calendar.monthrange(year, month)[1]))
    raise ValueError(f"not a period: {text!r}")


def months_of(period: Period, as_of: date) -> list[Period]:
    """The months of a period up to as_of (for the monthly trend)."""
    out, year, month = [], period.start.year, period.start.month
    while date(year, month, 1) <= as_of:
        out.append(parse_period(f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


REQUIRED_SLACK_DAYS = 1.5


def required_followups(enrolled_on: date, exited_on: date | None, start: date,
                       as_of: date) -> int:
    """Visits a managed patient needs: ceil(4 × d / 365), d = days counted at both ends from
    the later of enrollment and period start to the earlier of exit and as_of.

    RULES.md's examples ask for 1 visit in any past quarter and 4 in a full year; read
    literally, a 92-day quarter (4 × 92 / 365 = 1.008) or a leap year would demand one more.
    A day and a half of slack keeps the examples true and changes nothing else."""
    first = max(enrolled_on, start)
    last = min(exited_on, as_of) if exited_on else as_of
    days = (last - first).days + 1
    if days <= 0:
        return 0
    slack = int(4 * REQUIRED_SLACK_DAYS)
    return max(1, -(-(4 * days - slack) // 365))


@dataclass
class Value:
    code: str
    numerator: int
    denominator: int
    target: float

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.code in LOWER_IS_BETTER:
            return self.value <= self.target + 1e-12
        return self.value >= self.target - 1e-12


def add(pairs: list[tuple[int, int]]) -> tuple[int, int]:
    """Roll-up: numerators and denominators add."""
    return sum(n for n, _ in pairs), sum(d for _, d in pairs)


@dataclass(frozen=True)
class ScoreSettings:
    # Each percentage point short of an indicator's target takes this share of its weight.
    deduction_per_point: float = 0.10


SCORE_SETTINGS = ScoreSettings()


def credit(v: Value, s: ScoreSettings = SCORE_SETTINGS) -> float:
    """The share of its weight an indicator earns (RULES.md §7): all of it at or past the
    target; below, 10% less per percentage point short, never below 0. Satisfaction 85%
    against 90% → 5 points short → 0.5. Lower-is-better indicators count points over."""
    if v.met:
        return 1.0
    short = (v.value - v.target) if v.code in LOWER_IS_BETTER else (v.target - v.value)
    # Rounded to a hundredth of a point: 0.85 against 0.90 is 5 points, not 4.999….
    points = round(short * 100, 2)
    return max(0.0, 1.0 - s.deduction_per_point * points)


def score(values: dict[str, Value], weights: dict[str, float] | None = None,
          s: ScoreSettings = SCORE_SETTINGS) -> float | None:
    """Σ weight × credit; empty denominators drop out, the other weights rescale to 100."""
    weights = weights or DEFAULT_WEIGHTS
    usable = {code: w for code, w in weights.items()
              if w > 0 and code in values and values[code].value is not None}
    total = sum(usable.values())
    if not total:
        return None
    points = sum(weight * credit(values[code], s) for code, weight in usable.items())
    return round(points * 100 / total, 1)


def grade(points: float | None) -> str | None:
    if points is None:
        return None
    return next(letter for letter, floor in GRADES if points >= floor)


def rank(scores: dict[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4); teams without a score come last."""
    ordered = sorted(scores.items(), key=lambda kv: (kv[1] is None, -(kv[1] or 0)))
    ranks, previous, position = {}, object(), 0
    for index, (team_id, value) in enumerate(ordered, start=1):
        if value != previous:
            position, previous = index, value
        ranks[team_id] = position
    return ranks
