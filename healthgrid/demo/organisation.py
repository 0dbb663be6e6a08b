"""Step 1: the centre, the district hospital and CDC, communities and grids."""
from __future__ import annotations

import math
from datetime import timedelta
from random import Random

from healthgrid.extensions import db
from healthgrid.org.models import Community, Grid, Institution

from . import synth
from .context import CommunityPlan, DemoContext, DemoError, GridPlan

GRID_TARGET_PEOPLE = 1500
GRIDS_PER_COMMUNITY = 8
MAX_COMMUNITIES_PER_KIND = 99  # codes 001-099 and 101-199
# Archive sequences have five digits: a community holds fewer than 100,000 archives.
MAX_GRIDS_PER_COMMUNITY = 60
VILLAGE_SHARE = 0.3
MEAN_HOUSEHOLD_SIZE = 2.9
VACANCY = 1.3  # address capacity per expected household (empty flats, shops, offices)


def create_organisation(ctx: DemoContext) -> None:
    rng = ctx.rng("organisation")
    founded = ctx.as_of - timedelta(days=3 * 365)

    centre = Institution(
        code="HC001", name="阳光街道社区卫生服务中心", kind="health_center",
        county_code=ctx.county_code, township_code=ctx.township_code,
        address="北京市朝阳区阳光街道光明路18号", phone="010-84561200",
        created_at=ctx.timestamp(founded, rng))
    hospital = Institution(
        code="H001", name="区人民医院", kind="hospital", county_code=ctx.county_code,
        address="北京市朝阳区人民路2号", phone="010-84562000",
        created_at=ctx.timestamp(founded, rng))
    cdc = Institution(
        code="CDC001", name="区疾病预防控制中心", kind="public_health_agency",
        county_code=ctx.county_code, address="北京市朝阳区健康路15号",
        phone="010-84563100", created_at=ctx.timestamp(founded, rng))
    db.session.add_all([centre, hospital, cdc])
    db.session.flush()
    ctx.centre_id, ctx.hospital_id, ctx.cdc_id = centre.id, hospital.id, cdc.id

    n_grids = math.ceil(ctx.residents / GRID_TARGET_PEOPLE)
    sizes = _community_sizes(rng, n_grids)
    targets = _split(rng, ctx.residents, n_grids, spread=0.07)
    n_villages = round(len(sizes) * VILLAGE_SHARE) if len(sizes) > 1 else 0
    n_villages = max(n_villages, len(sizes) - MAX_COMMUNITIES_PER_KIND)
    kinds = ["neighborhood"] * (len(sizes) - n_villages) + ["village"] * n_villages
    neighborhood_names = iter(synth.neighborhood_names(rng, kinds.count("neighborhood")))
    village_names = iter(synth.village_names(rng, n_villages))

    grid_rows: list[tuple[Grid, GridPlan]] = []
    target_iter = iter(targets)
    n_neighborhood = n_village = 0
    for kind, size in zip(kinds, sizes):
        if kind == "neighborhood":
            n_neighborhood += 1
            code, short = f"{n_neighborhood:03d}", next(neighborhood_names)
            name = f"{short}社区居委会"
        else:
            n_village += 1
            code, short = f"{100 + n_village:03d}", next(village_names)
            name = f"{short}村委会"
        community = Community(institution_id=centre.id, code=code, name=name, kind=kind,
                              created_at=ctx.timestamp(founded, rng))
        db.session.add(community)
        db.session.flush()
        cplan = CommunityPlan(id=community.id, code=code, name=name, short_name=short,
                              kind=kind)
        ctx.communities.append(cplan)
        for grid, gplan in _grids(rng, ctx, cplan, size, target_iter, founded):
            grid_rows.append((grid, gplan))
            cplan.grids.append(gplan)

    db.session.add_all([grid for grid, _ in grid_rows])
    db.session.flush()
    for grid, gplan in grid_rows:
        gplan.id = grid.id
        ctx.grids.append(gplan)
    db.session.commit()
    ctx.counts.update(institutions=3, communities=len(ctx.communities), grids=len(ctx.grids))


def _grids(rng: Random, ctx: DemoContext, cplan: CommunityPlan, size: int, targets,
           founded):
    # Some neighbourhoods lie in the market town (集镇): their grids follow streets.
    town = cplan.kind == "neighborhood" and rng.random() < 0.25
    next_group = 1
    for n in range(1, size + 1):
        target = next(targets)
        capacity = math.ceil(target / MEAN_HOUSEHOLD_SIZE * VACANCY) + 10
        if cplan.kind == "village":
            kind = "village"
            layout = synth.VillageLayout(rng, cplan.short_name, capacity, next_group)
            next_group += layout.groups
        elif town and rng.random() < 0.6:
            kind = "township"
            layout = synth.TownshipLayout(rng, capacity)
        else:
            kind = "residential"
            suffix = synth.COMPOUND_SUFFIXES[(n - 1) % len(synth.COMPOUND_SUFFIXES)]
            phase = (n - 1) // len(synth.COMPOUND_SUFFIXES)
            compound = cplan.short_name + (f"{synth.chinese_number(phase + 1)}区" if phase
                                           else "") + suffix
            layout = synth.ResidentialLayout(rng, compound, capacity)
        name = f"{cplan.short_name}第{n}网格"
        # The manager's official figure is close to, not equal to, what the archives hold.
        population = round(target * (0.95 + rng.random() * 0.1))
        grid = Grid(community_id=cplan.id, code=f"{cplan.code}{n:02d}", name=name, kind=kind,
                    population=population, households=0, streets=layout.streets(),
                    created_at=ctx.timestamp(founded, rng))
        yield grid, GridPlan(id=0, community=cplan, code=grid.code, name=name, kind=kind,
                             target=target, layout=layout)


def _community_sizes(rng: Random, n_grids: int) -> list[int]:
    """Grids per community: about eight, varying, each community at least one grid."""
    n = max(1, round(n_grids / GRIDS_PER_COMMUNITY))
    n = max(n, math.ceil(n_grids / MAX_GRIDS_PER_COMMUNITY))
    if n > 2 * MAX_COMMUNITIES_PER_KIND:
        raise DemoError(f"{n_grids} grids do not fit in {2 * MAX_COMMUNITIES_PER_KIND} "
                        "communities; ask for fewer residents")
    sizes = [1] * n
    rest = _split(rng, n_grids - n, n, spread=0.4) if n_grids > n else [0] * n
    sizes = [a + b for a, b in zip(sizes, rest)]
    # Move grids out of any community over the limit (only for very large districts).
    for i, size in enumerate(sizes):
        while sizes[i] > MAX_GRIDS_PER_COMMUNITY:
            j = sizes.index(min(sizes))
            sizes[i] -= 1
            sizes[j] += 1
    return sizes


def _split(rng: Random, total: int, parts: int, spread: float) -> list[int]:
    """``total`` split into ``parts`` integers that vary by about ±spread and add up exactly."""
    weights = [1 - spread + 2 * spread * rng.random() for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares
