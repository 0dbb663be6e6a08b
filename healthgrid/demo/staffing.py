"""Step 2: staff, and one complete "3+X" team per grid."""
from __future__ import annotations

import math
from datetime import date, timedelta
from random import Random

from healthgrid.extensions import db
from healthgrid.org.models import Grid, Staff, Team, TeamMembership

from . import synth
from .bulk import update_by_id
from .context import DemoContext, TeamPlan

# (title, is_medical, weight) per kind of post.
TITLES = {
    "gp": (("医师", True, 30), ("主治医师", True, 45), ("副主任医师", True, 20),
           ("主任医师", True, 5)),
    "nurse": (("护士", True, 25), ("护师", True, 40), ("主管护师", True, 30),
              ("副主任护师", True, 5)),
    # Most public-health workers are physicians; some are lay public-health officers.
    "public_health": (("医师", True, 35), ("主管医师", True, 40), ("副主任医师", True, 10),
                      ("公卫专干", False, 15)),
    "hospital": (("主治医师", True, 45), ("副主任医师", True, 35), ("主任医师", True, 20)),
    "cdc": (("医师", True, 20), ("主管医师", True, 50), ("副主任医师", True, 30)),
    "centre_medical": (("医师", True, 15), ("主治医师", True, 15), ("护士", True, 15),
                       ("护师", True, 15), ("主管护师", True, 10), ("药师", True, 6),
                       ("主管药师", True, 4), ("检验师", True, 6), ("影像技师", True, 4),
                       ("康复治疗师", True, 5), ("中医师", True, 5)),
    "centre_other": (("会计", False, 2), ("行政人员", False, 4), ("信息管理员", False, 2),
                     ("收费员", False, 3), ("后勤人员", False, 3)),
}
_TITLE_CUM = {post: synth.cumulative(w for _, _, w in titles) for post, titles in TITLES.items()}
SERVICE_HOURS = ("周一至周五 8:00–17:00", "周一至周五 8:00–17:00；周六 8:00–12:00",
                 "周一至周六 8:00–16:30", "周一至周五 8:00–11:30、13:30–17:00")
REPLACED_SHARE = 0.06  # teams whose gp or nurse changed during the year
TEAMS_PER_X_MEMBER = 4  # a hospital or CDC specialist serves several teams


def create_staff_and_teams(ctx: DemoContext) -> None:
    rng = ctx.rng("staff_teams")
    as_of = ctx.as_of
    staff: list[Staff] = []

    def hire(institution_id: int, post: str, hired: date, active: bool = True) -> Staff:
        title, is_medical, _ = synth.weighted_choice(rng, TITLES[post], _TITLE_CUM[post])
        female = rng.random() < (0.92 if post == "nurse" or "护" in title else 0.55)
        sex = "female" if female else "male"
        person = Staff(institution_id=institution_id,
                       name=synth.person_name(rng, sex, as_of.year - 25 - int(rng.random() * 33)),
                       is_medical=is_medical, title=title, phone=synth.mobile(rng),
                       active=active, created_at=ctx.timestamp(hired, rng))
        staff.append(person)
        return person

    def days_before(lo: int, hi: int) -> date:
        return as_of - timedelta(days=lo + int(rng.random() * (hi - lo)))

    n_teams = len(ctx.grids)
    x_slots = n_teams * 1.5
    hospital_pool = [hire(ctx.hospital_id, "hospital", days_before(800, 3000))
                     for _ in range(max(2, math.ceil(x_slots * 0.7 / TEAMS_PER_X_MEMBER)))]
    cdc_pool = [hire(ctx.cdc_id, "cdc", days_before(800, 3000))
                for _ in range(max(1, math.ceil(x_slots * 0.3 / TEAMS_PER_X_MEMBER)))]

    teams: list[tuple[Team, TeamPlan]] = []
    for grid in ctx.grids:
        start = days_before(365, 730)
        team = Team(institution_id=ctx.centre_id, name=f"{grid.name}家庭健康责任团队",
                    service_hours=rng.choice(SERVICE_HOURS), phone=synth.mobile(rng),
                    created_at=ctx.timestamp(start, rng))
        plan = TeamPlan(id=0, name=team.name, grid_id=grid.id, start_date=start)
        replaced = rng.choice(("gp", "nurse")) if rng.random() < REPLACED_SHARE else None
        for role in ("gp", "nurse", "public_health"):
            member = hire(ctx.centre_id, role, start - timedelta(days=int(rng.random() * 2000)))
            first_day = start
            if role == replaced:
                # The first holder left during the year; the archive of who served when stays.
                left = start + timedelta(days=60 + int(rng.random() * ((as_of - start).days - 90)))
                team.memberships.append(TeamMembership(
                    staff=member, role=role, start_date=start, end_date=left))
                member = hire(ctx.centre_id, role, left - timedelta(days=int(rng.random() * 1000)))
                first_day = left + timedelta(days=1)
            team.memberships.append(TeamMembership(staff=member, role=role, start_date=first_day))
            plan.core[role] = member  # replaced by (id, name, title) after the flush
        for person in _x_members(rng, hospital_pool, cdc_pool):
            joined = min(as_of, start + timedelta(days=int(rng.random() * 90)))
            role = "specialist" if person in hospital_pool or rng.random() < 0.6 else "other"
            team.memberships.append(TeamMembership(staff=person, role=role, start_date=joined))
            plan.x_staff_ids.append(person)
        db.session.add(team)
        teams.append((team, plan))

    # Centre staff outside the teams: the other half of the medical staff (clinic,
    # pharmacy, lab), the office, and a few who have left.
    in_teams = sum(1 for s in staff if s.institution_id == ctx.centre_id and s.is_medical)
    for _ in range(round(in_teams * (0.75 + rng.random() * 0.5))):
        hire(ctx.centre_id, "centre_medical", days_before(400, 5000))
    for _ in range(max(1, round(in_teams * 0.15))):
        hire(ctx.centre_id, "centre_other", days_before(400, 5000))
    for _ in range(max(1, round(in_teams * 0.05))):
        hire(ctx.centre_id, "centre_medical", days_before(900, 5000), active=False)

    db.session.add_all(staff)
    db.session.flush()
    n_memberships = sum(len(team.memberships) for team, _ in teams)
    for team, plan in teams:
        plan.id = team.id
        plan.core = {role: (s.id, s.name, s.title) for role, s in plan.core.items()}
        plan.x_staff_ids = [s.id for s in plan.x_staff_ids]
        ctx.teams.append(plan)
    by_grid = {plan.grid_id: plan.id for plan in ctx.teams}
    for grid in ctx.grids:
        grid.team_id = by_grid[grid.id]
    update_by_id(Grid.__table__, ("team_id",), [(g.id, g.team_id) for g in ctx.grids])
    db.session.commit()
    ctx.counts.update(staff=len(staff), teams=len(teams),
                      memberships=n_memberships)


def _x_members(rng: Random, hospital_pool: list[Staff], cdc_pool: list[Staff]) -> list[Staff]:
    """One or two specialists, from the district hospital and/or the CDC."""
    chosen: list[Staff] = []
    for _ in range(1 if rng.random() < 0.55 else 2):
        pool = hospital_pool if rng.random() < 0.7 else cdc_pool
        person = rng.choice(pool)
        if person not in chosen:
            chosen.append(person)
    return chosen
