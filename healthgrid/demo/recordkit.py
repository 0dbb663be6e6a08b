"""What the record steps (programs, contracts, referrals, surveys, service records) share:
the demo accounts that record things, the year of records, fast ages."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from healthgrid.auth.models import User
from healthgrid.extensions import db
from healthgrid.records.rules import birthday_at_age

from .context import DemoContext

# Records (visits, checks, surveys, services) cover the year up to as_of: the centre's
# first year on HealthGrid. Archives, enrollments and contracts are older.
RECORD_DAYS = 365
WORKDAY_SECONDS = int(9.5 * 3600)  # 08:00-17:30 in the centre


# How well each team keeps its people, by the team's place in the district (cycling): 1 is
# the district's average; a weak team sees its patients later, has fewer of them at target,
# checks fewer elderly and signs fewer contracts; a strong one the reverse. Without it every
# team scored alike (issue #17). The mean stays about 1, so the district's totals hold.
QUALITY = (1.05, 0.90, 1.06, 0.74, 1.04, 0.93, 1.06, 0.62, 1.03, 1.06, 0.92, 1.05, 1.06, 1.06)


def team_quality(ctx: DemoContext) -> dict[int, float]:
    """team id -> its quality factor (QUALITY)."""
    return {plan.id: QUALITY[i % len(QUALITY)] for i, plan in enumerate(ctx.teams)}


def user_ids(ctx: DemoContext) -> dict[str, int]:
    names = [u.username for u in ctx.users]
    return dict(db.session.execute(select(User.username, User.id).where(
        User.username.in_(names))).all())


def team_accounts(ctx: DemoContext) -> dict[int, tuple[int, ...]]:
    """team id -> the ids of the demo doctor accounts that belong to it (team members who
    record visits and act on referrals); teams without one record anonymously."""
    ids = user_ids(ctx)
    accounts: dict[int, list[int]] = {}
    staff_team = {}
    for plan in ctx.teams:
        for staff_id, _name, _title in plan.core.values():
            staff_team[staff_id] = plan.id
    rows = db.session.execute(select(User.id, User.staff_id).where(
        User.id.in_(list(ids.values())), User.role == "doctor")).all()
    for user_id, staff_id in sorted(rows):
        if staff_id in staff_team:
            accounts.setdefault(staff_team[staff_id], []).append(user_id)
    return {team: tuple(users) for team, users in accounts.items()}


def age_at(birth: date, ordinal: int) -> int:
    day = date.fromordinal(ordinal)
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday_ordinal(birth: date, age: int) -> int:
    return birthday_at_age(birth, age).toordinal()


def exit_ordinal(person) -> int | None:
    return person.status_date.toordinal() if person.status_date else None
