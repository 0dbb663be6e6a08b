"""Pure organisation rules: team completeness, code formats."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CORE_ROLES = ("gp", "nurse", "public_health")
NEIGHBORHOOD_CODES = range(1, 100)   # 居委会 001–099
VILLAGE_CODES = range(101, 200)      # 村委会 101–199


@dataclass(frozen=True)
class Member:
    role: str
    start_date: date
    end_date: date | None

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


def missing_core_roles(members: list[Member], day: date) -> list[str]:
    """The "3" of "3+X" that a team lacks on a day; empty when the team is complete."""
    present = {m.role for m in members if m.active_on(day)}
    return [role for role in CORE_ROLES if role not in present]


def is_complete(members: list[Member], day: date) -> bool:
    return not missing_core_roles(members, day)


def community_code_error(kind: str, code: str) -> str | None:
    """Why a community code does not fit its kind, or None."""
    if not re.fullmatch(r"\d{3}", code or ""):
        return "code_three_digits"
    number = int(code)
    allowed = NEIGHBORHOOD_CODES if kind == "neighborhood" else VILLAGE_CODES
    if number not in allowed:
        return "code_range_neighborhood" if kind == "neighborhood" else "code_range_village"
    return None
