"""Step 6: family-doctor contracts (家庭医生签约) with the team of the resident's grid.

One-year terms (records.rules.contract_end), renewed without a gap or after a lapse, never
overlapping; key populations sign far more often. A resident who died or moved out had
the contract running then cut short on that day, as record_exit() does.
"""
from __future__ import annotations

from datetime import date

from healthgrid.records.models import Contract
from healthgrid.records.rules import contract_end

from .bulk import TupleWriter, Values
from .context import DemoContext, Person
from .recordkit import WORKDAY_SECONDS, age_at, team_accounts, team_quality

COLUMNS = ("id", "resident_id", "team_id", "start_date", "end_date", "terminated_on",
           "terminated_reason", "signed_by_id", "created_at")
CURRENT_SHARE = {True: 0.70, False: 0.19}   # key population or not
LAPSED_SHARE = {True: 0.08, False: 0.05}    # signed once, did not renew
EARLIER_TERM = 0.8      # a current or lapsed term had one before it (when there was time)
SEAMLESS_RENEWAL = 0.75  # the rest renewed after a gap


def create_contracts(ctx: DemoContext) -> None:
    rng = ctx.rng("contracts")
    random = rng.random
    values = Values()
    writer = TupleWriter(Contract.__table__, COLUMNS, ctx.batch_size)
    team_of_grid = {g.id: g.team_id for g in ctx.grids}
    team_start = {t.id: t.start_date.toordinal() for t in ctx.teams}
    accounts = team_accounts(ctx)
    quality = team_quality(ctx)
    as_of = ctx.as_of.toordinal()

    for person in ctx.people:
        team_id = team_of_grid.get(person.grid_id)
        if team_id is None:
            continue
        end_day = person.status_date.toordinal() if person.status_date else as_of
        first_day = max(team_start[team_id], person.created_on.toordinal())
        if first_day > end_day:
            continue
        key = _key_population(ctx, person, end_day)
        roll = random()
        if roll < CURRENT_SHARE[key] * quality.get(team_id, 1.0):
            lo = max(first_day, end_day - 364)
            last_start = lo + int(random() * (end_day - lo + 1))
        elif roll < CURRENT_SHARE[key] + LAPSED_SHARE[key] and first_day <= end_day - 366:
            last_start = first_day + int(random() * (end_day - 366 - first_day + 1))
        else:
            continue
        starts = [last_start]
        while random() < EARLIER_TERM:
            gap = 0 if random() < SEAMLESS_RENEWAL else 10 + int(random() * 80)
            earlier = _start_of_term_ending(starts[-1] - 1 - gap)
            if earlier is None or earlier < first_day:
                break
            starts.append(earlier)
        signer = accounts.get(team_id, (None,))[0]
        for start in reversed(starts):
            end = contract_end(date.fromordinal(start)).toordinal()
            terminated = reason = None
            if person.status_date and end >= end_day:
                terminated, reason = max(end_day, start), person.status
            writer.add((writer.take_id(), person.id, team_id, values.day(start),
                        values.day(end), values.day(terminated), reason, signer,
                        values.moment(start, int(random() * WORKDAY_SECONDS))))
    ctx.counts["contracts"] = writer.close()


def _key_population(ctx: DemoContext, person: Person, day: int) -> bool:
    """records.rules.key_populations, with the chronic programs of the programs step."""
    age = age_at(person.birth, day)
    chronic = (person.id in ctx.chronic_on_as_of if person.status == "active"
               else person.id in ctx.schedules)
    return (age >= 65 or age <= 6 or chronic or person.pregnant
            or person.severe_mental_illness or person.disabled)


def _start_of_term_ending(last_day: int) -> int | None:
    """The start date whose one-year term ends on ``last_day``, if there is one."""
    day_after = date.fromordinal(last_day + 1)
    try:
        start = day_after.replace(year=day_after.year - 1)
    except ValueError:  # 29 February: no term ends the day before it
        return None
    if contract_end(start) != date.fromordinal(last_day):
        return None
    return start.toordinal()

