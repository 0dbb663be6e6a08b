"""What one unit of records (a resident with everything recorded about them, a household, a
survey response, a contract, a service record, a referral) adds to the indicator store.

Pure: no Flask, no database. Each unit gives *deltas*: on day D, measure m of owner o
changes by n. A level measure's value on as_of is the sum of its deltas up to as_of (for
example +1 when an archive is created, -1 on the day of death); a period measure's value
for a period starting on s is the sum of the deltas of that period's rows up to as_of.

Every measure is a step function of as_of. It is evaluated at each day where it may change
(candidate days), straight from RULES.md §6 as kpi/queries.py spells it, and a delta is
written where the value changes: the store holds exactly what the reference counting would
find, for any as_of, by construction."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from healthgrid.records.rules import latest_birth_date_for_age

SERVICE_KINDS = ("health_education", "maternal_visit", "child_health", "infectious_report",
                 "mental_health", "rehab", "supervision_report")
LEVEL_MEASURES = (
    "residents", "e_archives", "elderly", "children", "pregnant", "smi", "disabled",
    "key_by_profile", "contracted", "key_contracted_by_profile", "used_archives",
    "htn_open", "dm_open", "chronic_overdue", "chronic_overdue_live", "key_by_disease",
    "key_contracted_by_disease", "households")
PROGRAM_MEASURES = ("managed_t", "standard", "controlled", "visits_required_t", "visits_done",
                    "visits", "carry")
PERIOD_MEASURES = (
    "archived", "responses", "aware", "rated", "satisfied", "down_received", "down_visited",
    "elderly_checked",
    *(f"{p}_{m}" for p in ("htn", "dm") for m in PROGRAM_MEASURES),
    "prov_contract", "prov_referral", *(f"prov_{k}" for k in SERVICE_KINDS),
    # every visit of the month, and those at target (the monthly trend; span M only)
    "htn_all_visits", "htn_all_at_target", "dm_all_visits", "dm_all_at_target")
PROGRAMS = {"hypertension": "htn", "diabetes": "dm"}
LEVEL = ("L", date.min)  # the span and period start of level measures
ONE_DAY = timedelta(days=1)
YEAR_LESS_A_DAY = timedelta(days=364)

# A delta's key: (owner kind, owner id, span, period start, day); owner kinds: g grid,
# t team, i institution (down referrals of people without an archive here).
Key = tuple[str, int, str, date, date]
Deltas = dict[Key, dict[str, int]]


# --- periods -----------------------------------------------------------------------------

def period_keys(day: date) -> list[tuple[str, date, date]]:
    """(span, start, end) of the year, quarter and month holding the day."""
    y, m = day.year, day.month
    q = (m - 1) // 3 * 3 + 1
    return [("Y", date(y, 1, 1), date(y, 12, 31)),
            ("Q", date(y, q, 1), _month_end(y, q + 2)),
            ("M", date(y, m, 1), _month_end(y, m))]


def _month_end(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - ONE_DAY


def buckets(day: date) -> list[tuple[str, date]]:
    """The four buckets a day's delta is added to: its year, month, 8-day block and day. A
    sum up to as_of then reads at most the years before, the months of the year before, 3
    blocks and 8 days (store/read.py)."""
    block = 1 + 8 * min(3, (day.day - 1) // 8)
    return [("y", date(day.year, 1, 1)), ("m", date(day.year, day.month, 1)),
            ("b", date(day.year, day.month, block)), ("d", day)]


def prefix_bounds(as_of: date) -> dict[str, date]:
    """The bucket bounds of a sum up to as_of (see buckets())."""
    block = 1 + 8 * min(3, (as_of.day - 1) // 8)
    return {"year": date(as_of.year, 1, 1), "month": date(as_of.year, as_of.month, 1),
            "block": date(as_of.year, as_of.month, block), "as_of": as_of}


# --- the records of a unit -------------------------------------------------------------

@dataclass
class Visit:
    id: int
    day: date
    at_target: bool | None
    next_due: date | None


@dataclass
class EnrollmentFacts:
    id: int
    program: str
    enrolled_on: date
    exited_on: date | None
    next_due_date: date | None
    visits: list[Visit] = field(default_factory=list)  # follow-ups
    checks: list[date] = field(default_factory=list)   # elderly checks


@dataclass
class ReferralFacts:
    id: int
    direction: str
    status: str
    referred_on: date
    visited_on: date | None
    resident_id: int | None = None
    to_institution_id: int | None = None
    team_id: int | None = None  # COALESCE(from_team_id, assigned_team_id)


@dataclass
class ResidentFacts:
    id: int
    grid_id: int
    birth_date: date
    created_on: date
    status: str
    status_date: date | None
    archive_medium: str
    pregnant: bool
    smi: bool
    disabled: bool
    enrollments: list[EnrollmentFacts] = field(default_factory=list)
    contracts: list[tuple[date, date]] = field(default_factory=list)  # first and last day
    referrals: list[ReferralFacts] = field(default_factory=list)
    service_dates: list[date] = field(default_factory=list)


def _add(out: Deltas, key: Key, measure: str, n: int) -> None:
    if n:
        row = out.setdefault(key, {})
        row[measure] = row.get(measure, 0) + n


def _steps(out: Deltas, owner: tuple[str, int], span: tuple[str, date], days, values,
           since: date | None = None) -> None:
    """Evaluate values(day) -> {measure: int} at the candidate days in order and write a
    delta wherever a measure changes (every measure is 0 before the first candidate).
    With `since`, only the deltas on that day or later (starting from the values the day
    before)."""
    previous: dict[str, int] = {}
    if since is not None:
        previous = values(since - ONE_DAY)
        days = [d for d in days if d >= since]
    for day in sorted(set(days)):
        now = values(day)
        if now == previous:
            continue
        changes = {m: n - previous.get(m, 0) for m, n in now.items() if n != previous.get(m, 0)}
        changes.update((m, -n) for m, n in previous.items() if m not in now and n)
        if changes:
            row = out.setdefault((*owner, *span, day), {})
            for measure, n in changes.items():
                row[measure] = row.get(measure, 0) + n
        previous = now


def _birthday(birth: date, age: int) -> list[date]:
    """Candidate days around the first day on which one born on `birth` is `age`."""
    try:
        return [birth.replace(year=birth.year + age)]
    except ValueError:  # born on 29 February
        return [date(birth.year + age, 2, 28), date(birth.year + age, 3, 1)]


# --- residents -------------------------------------------------------------------------

class _Person:
    """The reference's per-resident conditions on a day (kpi/queries.py)."""

    def __init__(self, r: ResidentFacts):
        self.r = r

    def active(self, day: date) -> bool:
        r = self.r
        return r.created_on <= day and (r.status == "active"
                                        or (r.status_date is not None and r.status_date > day))

    def elderly(self, day: date) -> bool:
        return self.r.birth_date <= latest_birth_date_for_age(day, 65)

    def under_7(self, day: date) -> bool:
        return self.r.birth_date > latest_birth_date_for_age(day, 7)

    def profile_key(self, day: date) -> bool:  # PROFILE_KEY
        r = self.r
        return (self.elderly(day) or self.under_7(day) or r.pregnant or r.smi or r.disabled)

    def contracted(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.r.contracts)


def _open(e: EnrollmentFacts, day: date) -> bool:
    return e.enrolled_on <= day and (e.exited_on is None or e.exited_on > day)


def _due(e: EnrollmentFacts, day: date) -> date | None:
    """The due date on a past day: the latest visit's on or before it, else 14 days after
    enrolling (queries.due_sql)."""
    done = [v for v in e.visits if v.day <= day]
    if done:
        return max(done, key=lambda v: (v.day, v.id)).next_due
    return e.enrolled_on + timedelta(days=14)


def _chronic(r: ResidentFacts) -> list[EnrollmentFacts]:
    return [e for e in r.enrollments if e.program in PROGRAMS]


def _dynamic_dates(r: ResidentFacts) -> list[date]:
    """Days of the records that make an archive used (queries.USED_RESIDENTS)."""
    days = [d for d in r.service_dates] + [x.referred_on for x in r.referrals]
    for e in r.enrollments:
        days += [c for c in e.checks] if e.program == "elderly" else [v.day for v in e.visits]
    return days


def resident_deltas(r: ResidentFacts, out: Deltas | None = None, since: date | None = None,
                    periods_since: date | None = None) -> Deltas:
    """The resident's deltas; with `since`, only those a change dated on or after it can
    alter: level deltas from that day, and the rows of periods ending on or after
    `periods_since` (date.max: none; hooks.py: a write's changes lie on or after them)."""
    out = {} if out is None else out
    if since is not None and periods_since is None:
        periods_since = since
    keep = ((lambda key: True) if periods_since is None
            else (lambda key: key[2] >= periods_since))
    p = _Person(r)
    owner = ("g", r.grid_id)
    chronic = _chronic(r)
    used = sorted(set(_dynamic_dates(r)))

    def level(day: date) -> dict[str, int]:
        if not p.active(day):
            values = {}
        else:
            elderly, under_7 = p.elderly(day), p.under_7(day)
            flags = r.pregnant or r.smi or r.disabled
            profile_key = elderly or under_7 or flags
            contracted = p.contracted(day)
            values = {"residents": 1}
            if r.archive_medium == "electronic":
                values["e_archives"] = 1
            if elderly:
                values["elderly"] = 1
            if under_7 and r.birth_date <= day:
                values["children"] = 1
            for measure, flag in (("pregnant", r.pregnant), ("smi", r.smi),
                                  ("disabled", r.disabled)):
                if flag:
                    values[measure] = 1
            if flags or elderly or (under_7 and r.birth_date <= day):
                values["key_by_profile"] = 1
            if contracted:
                values["contracted"] = 1
                if profile_key:
                    values["key_contracted_by_profile"] = 1
            if any(day - YEAR_LESS_A_DAY <= d <= day for d in used):
                values["used_archives"] = 1
            if not profile_key:
                # one enrollment per resident: the hypertension one(s) if any
                htn = sum(1 for e in chronic if e.program == "hypertension" and _open(e, day))
                key = htn or sum(1 for e in chronic if e.program == "diabetes" and _open(e, day))
                if key:
                    values["key_by_disease"] = key
                    if contracted:
                        values["key_contracted_by_disease"] = key
        for e in chronic:
            if _open(e, day):
                prefix = PROGRAMS[e.program]
                values[f"{prefix}_open"] = values.get(f"{prefix}_open", 0) + 1
                due = _due(e, day)
                if due is not None and due < day:
                    values["chronic_overdue"] = values.get("chronic_overdue", 0) + 1
                if e.next_due_date is not None and e.next_due_date < day:
                    values["chronic_overdue_live"] = values.get("chronic_overdue_live", 0) + 1
        return values

    days = [r.created_on, r.birth_date]
    if r.status_date:
        days.append(r.status_date)
    for age in (7, 65):
        days += _birthday(r.birth_date, age)
    for first, last in r.contracts:
        days += [first, last + ONE_DAY]
    for d in used:
        days += [d, d + timedelta(days=365)]
    for e in chronic:
        days += [e.enrolled_on, e.enrolled_on + timedelta(days=15)]
        if e.exited_on:
            days.append(e.exited_on)
        if e.next_due_date:
            days.append(e.next_due_date + ONE_DAY)
        for v in e.visits:
            days.append(v.day)
            if v.next_due:
                days.append(v.next_due + ONE_DAY)
    _steps(out, owner, LEVEL, days, level, since)

    for span, start, end in filter(keep, period_keys(r.created_on)):
        _add(out, (*owner, span, start, r.created_on), "archived", 1)
    for e in chronic:
        _enrollment_periods(out, owner, e, keep)
        for v in e.visits:
            if not keep(period_keys(v.day)[2]):
                continue
            key = (*owner, *period_keys(v.day)[2][:2], v.day)
            _add(out, key, f"{PROGRAMS[e.program]}_all_visits", 1)
            _add(out, key, f"{PROGRAMS[e.program]}_all_at_target", int(bool(v.at_target)))
    _elderly_checked(out, owner, p, keep)
    for x in r.referrals:
        _down_referral(out, owner, x, keep)
    return out


def required_followups(days: int) -> int:
    """queries.required_from in integer SQL: at least 1, then ceil((4d − 6) / 365)."""
    if 4 * days <= 371:
        return 1
    return int((4 * days - 6 + 364) / 365)  # SQL integer division truncates


def _enrollment_periods(out: Deltas, owner, e: EnrollmentFacts, keep) -> None:
    """Per period in which the enrollment starts, ends or has a visit (it is "touched"):
    managed, at the required visits, at target, required and done visits, as of each day.
    A managed enrollment the period does not touch has none of these rows: it is managed
    all period long, without a visit, needing ceil(4d/365) of them; read.py counts those
    as the enrollments open the day before the period minus the touched ones (`carry`)."""
    prefix = PROGRAMS[e.program]
    names = {m: f"{prefix}_{m}" for m in PROGRAM_MEASURES}
    visits = sorted(e.visits, key=lambda v: (v.day, v.id))
    touched = {key for day in {e.enrolled_on, e.exited_on, *(v.day for v in visits)} if day
               for key in period_keys(day)}
    for span, start, end in filter(keep, touched):
        if e.enrolled_on < start and (e.exited_on is None or e.exited_on >= start):
            _add(out, (*owner, span, start, start), names["carry"], 1)
        first = max(e.enrolled_on, start)
        in_period = [v for v in visits if start <= v.day <= end]

        def values(day: date, start=start, first=first, in_period=in_period) -> dict:
            if not (e.enrolled_on <= day and (e.exited_on is None or e.exited_on >= start)):
                return {}
            n = bisect_right([v.day for v in in_period], day)
            last = e.exited_on if e.exited_on is not None and e.exited_on < day else day
            required = required_followups((last - first).days + 1)
            return {names["managed_t"]: 1, names["standard"]: int(n >= required),
                    names["controlled"]: int(bool(n and in_period[n - 1].at_target)),
                    names["visits_required_t"]: required,
                    names["visits_done"]: min(n, required), names["visits"]: n}

        days = [start, e.enrolled_on] + [v.day for v in in_period]
        if e.exited_on:
            days += [e.exited_on, e.exited_on + ONE_DAY]
        for k in range(2, 7):  # the days on which the required visits go up
            days.append(first + timedelta(days=-(-(365 * k - 358) // 4) - 1))
        _steps(out, owner, (span, start), [d for d in days if start <= d <= end], values)


def _elderly_checked(out: Deltas, owner, p: _Person, keep) -> None:
    """Residents aged 65 or more and active on as_of with an annual check in the period."""
    checks = sorted(c for e in p.r.enrollments for c in e.checks)
    r = p.r
    for span, start, end in filter(keep, {k for c in checks for k in period_keys(c)}):
        first = next(c for c in checks if c >= start)

        def values(day: date, first=first) -> dict[str, int]:
            return {"elderly_checked": int(first <= day and p.elderly(day) and p.active(day))}

        days = [first, r.created_on, *_birthday(r.birth_date, 65)]
        if r.status_date:
            days.append(r.status_date)
        _steps(out, owner, (span, start), [d for d in days if start <= d <= end], values)


def _down_referral(out: Deltas, owner, x: ReferralFacts, keep=lambda key: True) -> None:
    """Down referrals received in the period (not cancelled or rejected), and visited
    within 14 days by as_of."""
    if x.direction != "down" or x.status in ("cancelled", "rejected"):
        return
    visited = (x.visited_on is not None and (x.visited_on - x.referred_on).days <= 14)
    for span, start, end in filter(keep, period_keys(x.referred_on)):
        _add(out, (*owner, span, start, x.referred_on), "down_received", 1)
        if visited:
            day = max(x.referred_on, x.visited_on)
            if day <= end:
                _add(out, (*owner, span, start, day), "down_visited", 1)


# --- the other units -----------------------------------------------------------------

def household_deltas(grid_id: int, active: bool, created_at: datetime) -> Deltas:
    out: Deltas = {}
    if active:
        _add(out, ("g", grid_id, *LEVEL, created_at.date()), "households", 1)
    return out


def survey_deltas(grid_id: int, day: date, aware: bool, satisfaction: int | None) -> Deltas:
    out: Deltas = {}
    for span, start, _end in period_keys(day):
        key = ("g", grid_id, span, start, day)
        _add(out, key, "responses", 1)
        _add(out, key, "aware", int(bool(aware)))
        _add(out, key, "rated", int(satisfaction is not None))
        _add(out, key, "satisfied", int(satisfaction is not None and satisfaction >= 4))
    return out


def provided_deltas(team_id: int | None, item: str, day: date) -> Deltas:
    """A record of a service item kept by team: the team provided it in the day's periods."""
    out: Deltas = {}
    if team_id is not None and f"prov_{item}" in PERIOD_MEASURES:
        for span, start, _end in period_keys(day):
            _add(out, ("t", team_id, span, start, day), f"prov_{item}", 1)
    return out


def referral_deltas(x: ReferralFacts) -> Deltas:
    """What a referral adds by itself: its team's provision and, when nobody here has an
    archive for the patient, the receiving centre's down referrals (the resident's unit
    counts the others in the resident's grid)."""
    out = provided_deltas(x.team_id, "referral", x.referred_on)
    if x.resident_id is None and x.to_institution_id is not None:
        _down_referral(out, ("i", x.to_institution_id), x)
    return out


def merge(into: Deltas, other: Deltas, sign: int = 1) -> Deltas:
    for key, row in other.items():
        for measure, n in row.items():
            _add(into, key, measure, sign * n)
    return into


def difference(new: Deltas, old: Deltas) -> Deltas:
    """new − old, without the rows that cancel out."""
    out = merge(defaultdict(dict), new)
    merge(out, old, -1)
    return {key: {m: n for m, n in row.items() if n} for key, row in out.items()
            if any(row.values())}
