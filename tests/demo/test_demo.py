"""The demo district on the test database: valid archives, complete teams, working accounts."""
from __future__ import annotations

import math
from datetime import date
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select
from stdnum.cn import ric

from healthgrid.auth.models import User
from healthgrid.demo.accounts import DEMO_PASSWORD
from healthgrid.demo.context import DemoError
from healthgrid.demo.generate import generate
from healthgrid.extensions import db
from healthgrid.org.models import CORE_ROLES, Community, Grid, Institution, Staff
from healthgrid.records.models import Household, Resident
from healthgrid.records.rules import BLOOD_TYPES, PAYMENT_TYPES, RELATIONS, age_on

from .conftest import DEMO_AS_OF, DEMO_RESIDENTS


def _residents():
    return db.session.scalars(select(Resident).order_by(Resident.id)).all()


def test_district_has_the_requested_size(demo_district):
    assert db.session.scalar(select(func.count(Resident.id))) == DEMO_RESIDENTS
    kinds = dict(db.session.execute(select(Institution.kind, func.count()).group_by(
        Institution.kind)).all())
    assert kinds == {"health_center": 1, "hospital": 1, "public_health_agency": 1}
    grids = db.session.scalars(select(Grid)).all()
    assert len(grids) == math.ceil(DEMO_RESIDENTS / 1500)
    for grid in grids:
        generated = db.session.scalar(select(func.count()).where(Resident.grid_id == grid.id))
        assert abs(grid.population - generated) <= generated * 0.05 + 1
        households = db.session.scalar(select(func.count()).where(Household.grid_id == grid.id))
        assert abs(grid.households - households) <= households * 0.05 + 1
        assert grid.streets and grid.name.endswith("网格")
        expected = {"village": {"village"}, "neighborhood": {"residential", "township"}}
        assert grid.kind in expected[grid.community.kind]


def test_id_numbers_are_valid_unique_and_match_birth_date_and_sex(demo_district):
    residents = _residents()
    numbers = [r.id_number for r in residents if r.id_number]
    assert 0.90 <= len(numbers) / len(residents) <= 0.99
    assert len(numbers) == len(set(numbers))
    for r in residents:
        if r.id_number:
            assert ric.is_valid(r.id_number), r.id_number
            assert ric.get_birth_date(r.id_number) == r.birth_date
            assert (int(r.id_number[16]) % 2 == 1) == (r.sex == "male")


def test_archive_numbers_follow_the_community_and_registration_order(demo_district):
    centre = db.session.scalar(select(Institution).where(Institution.kind == "health_center"))
    by_community = defaultdict(list)
    rows = db.session.execute(
        select(Resident.archive_no, Resident.created_on, Resident.id, Community)
        .join(Grid, Grid.id == Resident.grid_id).join(Community)).all()
    assert len({row.archive_no for row in rows}) == len(rows)
    for archive_no, created_on, _id, community in rows:
        assert re.fullmatch(r"\d{17}", archive_no)
        assert archive_no[:12] == centre.county_code + centre.township_code + community.code
        by_community[community].append((archive_no, created_on))
    for community, numbers in by_community.items():
        numbers.sort()
        assert [int(n[12:]) for n, _ in numbers] == list(range(1, len(numbers) + 1))
        assert community.archive_seq == len(numbers)
        created = [day for _, day in numbers]
        assert created == sorted(created)


def test_every_grid_has_a_complete_team(demo_district):
    as_of = demo_district.as_of
    for grid in db.session.scalars(select(Grid)):
        team = grid.team
        assert team is not None and team.name == f"{grid.name}家庭健康责任团队"
        active = [m for m in team.memberships if m.active_on(as_of)]
        assert set(CORE_ROLES) <= {m.role for m in active}
        for m in active:
            if m.role in CORE_ROLES:
                assert m.staff.institution_id == team.institution_id
        x_members = [m for m in active if m.role not in CORE_ROLES]
        assert 1 <= len(x_members) <= 2
        x_kinds = {m.staff.institution.kind for m in x_members}
        assert x_kinds <= {"hospital", "public_health_agency"}


def test_staff_participation_is_realistic(demo_district):
    centre_id = demo_district.centre_id
    medical = db.session.scalars(select(Staff).where(
        Staff.institution_id == centre_id, Staff.is_medical, Staff.active)).all()
    in_teams = [s for s in medical if any(m.active_on(demo_district.as_of)
                                          for m in s.memberships)]
    assert 0.35 <= len(in_teams) / len(medical) <= 0.65
    for person in db.session.scalars(select(Staff)):
        assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
        assert 2 <= len(person.name) <= 3 and person.title


def test_households_are_plausible_families(demo_district):
    sizes = Counter()
    for household in db.session.scalars(select(Household)):
        members = household.members
        sizes[len(members)] += 1
        assert 1 <= len(members) <= 6
        heads = [r for r in members if r.relation_to_head == "head"]
        assert len(heads) == 1 and household.head_name == heads[0].name
        assert all(r.grid_id == household.grid_id for r in members)
        assert household.address and household.phone
        assert household.active == any(r.status == "active" for r in members)
    mean = sum(n * k for n, k in sizes.items()) / sum(sizes.values())
    assert 2.6 <= mean <= 3.2


def test_residents_look_like_a_chinese_district(demo_district):
    residents = _residents()
    as_of = demo_district.as_of
    ages = [age_on(r.birth_date, as_of) for r in residents]
    assert 0.15 <= sum(a >= 65 for a in ages) / len(ages) <= 0.24
    assert 0.08 <= sum(a <= 14 for a in ages) / len(ages) <= 0.20
    assert all(r.birth_date <= r.created_on <= as_of for r in residents)
    share = Counter(r.residence_type for r in residents)
    assert 0.7 <= share["registered"] / len(residents) <= 0.9
    assert Counter(r.ethnicity for r in residents).most_common(1)[0][0] == "汉族"
    assert {r.relation_to_head for r in residents} <= set(RELATIONS)
    assert {r.blood_type for r in residents} <= set(BLOOD_TYPES)
    assert {r.payment_type for r in residents} <= set(PAYMENT_TYPES)
    assert 0.85 <= sum(r.archive_medium == "electronic" for r in residents) / len(residents)
    phones = [r.phone for r in residents if r.phone]
    assert 0.75 <= len(phones) / len(residents) <= 0.92
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)
    for r in residents:
        assert re.fullmatch(r"[a-z]+", r.name_initials) and len(r.name_initials) == len(r.name)
        if r.pregnant:
            assert r.sex == "female" and 20 <= age_on(r.birth_date, as_of) <= 40
        if r.status == "active":
            assert r.status_date is None
        else:
            assert r.created_on <= r.status_date <= as_of
    assert 0 < sum(r.status != "active" for r in residents) < len(residents) * 0.05


def test_the_demo_accounts_can_sign_in(app, demo_district):
    client = app.test_client()
    for account in demo_district.users:
        response = client.post("/api/v1/auth/token", json={
            "username": account.username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, account.username
    users = {u.username: u for u in db.session.scalars(select(User))}
    first, second = demo_district.teams[0], demo_district.teams[1]
    assert users["doctor"].staff_id == first.core["gp"][0]
    assert users["doctor2"].staff_id == second.core["gp"][0]
    assert users["nurse"].staff_id == first.core["nurse"][0]
    assert users["nurse"].role == "doctor"
    assert users["hospital"].role == "referral_desk"
    assert users["hospital"].institution.kind == "hospital"
    assert users["manager"].institution_id == demo_district.centre_id


def test_new_records_get_fresh_ids_after_the_bulk_load(demo_district):
    """Explicit ids in bulk must not trip later inserts (PostgreSQL sequences)."""
    grid_id = demo_district.grids[0].id
    household = Household(grid_id=grid_id, address="幸福里小区99号楼1单元101室")
    db.session.add(household)
    db.session.flush()
    assert household.id > demo_district.counts["households"]


def test_a_database_with_institutions_is_refused(app, demo_district):
    with pytest.raises(DemoError):
        generate(100, 1, DEMO_AS_OF)
    result = app.test_cli_runner().invoke(args=["demo", "--residents", "100"])
    assert result.exit_code == 1
    assert "already has institutions" in result.output
    assert db.session.scalar(select(func.count(Institution.id))) == 3


def test_the_indicator_store_counts_the_district_as_the_reference(demo_district):
    """The demo writes in bulk and builds the store at the end (kpi/store/)."""
    from tests.kpi.store_check import differences
    centre = [f"institution:{demo_district.centre_id}"]
    for period, as_of in (("2026-Q1", DEMO_AS_OF), ("2025", date(2025, 12, 31)),
                          ("2026-03", date(2026, 3, 14))):
        assert differences(period, as_of, DEMO_AS_OF, centre) == []
