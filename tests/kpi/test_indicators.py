"""Every indicator of a small district worked out by hand (see the comments), across period
kinds and as_of days: patients enrolled mid-period, exited patients, a resident turning 65,
a death, and a grid whose team left."""
from datetime import date, datetime

import pytest

from healthgrid.auth.scope import Scope
from healthgrid.chronic import services as chronic
from healthgrid.extensions import db
from healthgrid.kpi import rules, services
from healthgrid.records.services import record_exit, sign_contract
from healthgrid.referral import services as referral
from healthgrid.surveys.models import SurveyResponse
from tests import factories

ADMIN = Scope(None, None, None, "admin")
CREATED = date(2025, 6, 1)


def visit(enrollment, day, sbp=None, dbp=None, fpg=None):
    chronic.record_followup(enrollment, {"visit_date": day, "sbp": sbp, "dbp": dbp, "fpg": fpg},
                            None)


@pytest.fixture
def town(district, db):
    """G1 (team A, complete) and G2 (team B, whose members all left on 31 March 2026)."""
    g1, g2 = district.grids
    g1.population, g2.population = 10, 8
    for membership in district.teams[1].memberships:
        membership.end_date = date(2026, 3, 31)
    h1, h2, h3 = (factories.household(g) for g in (g1, g1, g2))
    for h in (h1, h2, h3):
        h.created_at = datetime(2025, 6, 1, 9, 0)
    r = {}
    # r1 turns 65 on 1 July 2026; hypertension since Dec 2025, four visits in 2026.
    r[1] = factories.resident(h1, name="一", birth_date=date(1961, 7, 1), created=CREATED)
    htn1 = chronic.enroll(r[1], "hypertension", date(2025, 12, 1))
    visit(htn1, date(2026, 2, 1), 130, 80)
    visit(htn1, date(2026, 5, 1), 150, 95)
    visit(htn1, date(2026, 8, 1), 130, 80)
    visit(htn1, date(2026, 11, 1), 128, 78)
    sign_contract(r[1], district.teams[0], date(2026, 1, 1), None)
    # r2: enrolled mid-period (1 July), paper archive.
    r[2] = factories.resident(h1, name="二", birth_date=date(1980, 1, 1), created=CREATED,
                              archive_medium="paper")
    htn2 = chronic.enroll(r[2], "hypertension", date(2026, 7, 1))
    visit(htn2, date(2026, 7, 10), 150, 95)
    visit(htn2, date(2026, 10, 1), 135, 85)
    # r3: elderly; diabetes exited on 30 April after one visit; annual check in March.
    r[3] = factories.resident(h2, name="三", birth_date=date(1950, 1, 1), created=CREATED)
    dm3 = chronic.enroll(r[3], "diabetes", date(2025, 1, 1))
    visit(dm3, date(2026, 2, 1), fpg=6.5)
    chronic.end_enrollment(dm3, "refused", date(2026, 4, 30))
    chronic.record_check(chronic.active_enrollment(r[3].id, "elderly"), {
        "check_date": date(2026, 3, 1),
        "selfcare": dict(eating=0, washing=0, dressing=0, toileting=0, mobility=0)}, None)
    # r4: a child whose archive was created in the period.
    r[4] = factories.resident(h2, name="四", birth_date=date(2022, 5, 1),
                              created=date(2026, 3, 1))
    # r5: died on 1 May 2026.
    r[5] = factories.resident(h2, name="五", birth_date=date(1940, 1, 1), created=CREATED)
    record_exit(r[5], "deceased", date(2026, 5, 1), r[5].version)
    # r6 (G2): hypertension from 1 January, never visited.
    r[6] = factories.resident(h3, name="六", birth_date=date(1970, 1, 1), created=CREATED)
    chronic.enroll(r[6], "hypertension", date(2026, 1, 1))
    # r7 (G2): elderly, contract with team B from 1 February.
    r[7] = factories.resident(h3, name="七", birth_date=date(1958, 12, 31), created=CREATED)
    sign_contract(r[7], district.teams[1], date(2026, 2, 1), None)
    # Surveys in G1: aware yes, yes, no; satisfaction 5, 3, unanswered.
    for aware, satisfaction in ((True, 5), (True, 3), (False, None)):
        db.session.add(SurveyResponse(grid_id=g1.id, date=date(2026, 6, 1), channel="door",
                                      aware=aware, satisfaction=satisfaction))
    # Down referrals: r2 received 1 Sept, visited 10 Sept; r6 received 1 Oct, not visited
    # (G2 has no active team: it waits in the centre's queue).
    down = {"to_institution_id": district.centre.id, "reason": "出院", "urgency": "routine"}
    first = referral.create_down({**down, "id_number": r[2].id_number, "patient_name": "二"},
                                 district.hospital, None, date(2026, 9, 1))
    first.visited_on = date(2026, 9, 10)
    second = referral.create_down({**down, "id_number": r[6].id_number, "patient_name": "六"},
                                  district.hospital, None, date(2026, 10, 1))
    assert first.assigned_team_id == district.teams[0].id and second.assigned_team_id is None
    db.session.flush()
    return district, r


def compute(district, period, as_of, today=None, kind="institution", object_id=None):
    scope = services.resolve_scope(f"{kind}:{object_id or district.centre.id}", ADMIN)
    return services.compute(scope, rules.parse_period(period), as_of, today or date(2027, 6, 1))


def pairs(result):
    return {code: (v.numerator, v.denominator) for code, v in result.values.items()}


def test_year_2026_as_of_28_november(town):
    district, _ = town
    got = pairs(compute(district, "2026", date(2026, 11, 28)))
    assert got == {
        "grid_coverage": (2, 3),         # G2's team left: its household is not covered
        "staff_participation": (3, 6),   # team A's three of the six medical staff
        "service_provision": (7, 18),    # A: 6 of 10 items; B: 1 of 8 (see below)
        "awareness": (2, 3),
        "satisfaction": (1, 2),          # 5 yes, 3 no, the unanswered one is left out
        "archive_rate": (6, 18),         # r5 died; population 10 + 8
        "e_archive_rate": (5, 18),       # r2 keeps a paper archive
        "archive_usage": (4, 6),         # r1, r2, r3 (visits, check), r6 (referral)
        "contract_rate": (2, 6),         # r1, r7
        "key_contract_rate": (2, 6),     # all six are key population
        "htn_standard_mgmt": (2, 3),     # r1 4 of 4, r2 2 of 2 (from July), r6 0 of 4
        "htn_control": (2, 3),           # latest visits of r1 and r2 at target
        "dm_standard_mgmt": (0, 1),      # r3 needed 2 visits by 30 April, had 1
        "dm_control": (1, 1),
        "elderly_mgmt": (1, 3),          # r1 (65 since July), r3 (checked), r7
        "followup_overdue": (1, 3),      # r6, due since 15 January
        "down_referral_visit": (1, 2),   # r6's referral waits in the queue, unvisited
    }


def test_service_items_required_and_provided(town):
    district, _ = town
    result = compute(district, "2026", date(2026, 11, 28))
    team_a, team_b = district.teams
    assert set(result.required[team_a.id]) == {
        "archive", "contract", "health_education", "infectious_report", "supervision_report",
        "htn_followup", "dm_followup", "elderly_check", "referral", "child_health"}
    assert set(result.required[team_b.id]) == {
        "archive", "contract", "health_education", "infectious_report", "supervision_report",
        "htn_followup", "elderly_check", "referral"}
    provided = set(map(tuple, result.provided.itertuples(index=False)))
    assert {item for team, item in provided if team == team_a.id} == {
        "archive", "htn_followup", "dm_followup", "elderly_check", "contract", "referral"}
    assert {item for team, item in provided if team == team_b.id} == {"contract"}


def test_past_quarter(town):
    district, _ = town
    got = pairs(compute(district, "2026-Q3", date(2026, 9, 30)))
    assert got["htn_standard_mgmt"] == (2, 3)   # one visit needed in a quarter
    assert got["htn_control"] == (1, 3)         # r2's latest in Q3 (10 July) not at target
    assert got["dm_standard_mgmt"] == (0, 0)    # r3 left before the quarter
    assert got["elderly_mgmt"] == (0, 3)
    assert got["down_referral_visit"] == (1, 1)
    assert got["awareness"] == (0, 0)


def test_a_month_before_the_birthday_and_after_the_death(town):
    district, _ = town
    got = pairs(compute(district, "2026-05", date(2026, 5, 31)))
    assert got["archive_rate"] == (6, 18)       # r5 died on 1 May; r4 already registered
    assert got["elderly_mgmt"] == (0, 2)        # r1 is not yet 65; r3 and r7 are
    assert got["htn_standard_mgmt"] == (1, 2)   # r1 visited on 1 May; r6 did not
    assert got["htn_control"] == (0, 2)         # 150/95 at 64 is not at target
    assert got["followup_overdue"] == (2, 2)    # rebuilt: r1 due 15 May, r6 due 15 Jan


def test_as_of_earlier_in_the_period(town):
    district, _ = town
    got = pairs(compute(district, "2026", date(2026, 2, 28)))
    assert got["archive_rate"] == (6, 18)       # r4 not yet registered, r5 still alive
    assert got["grid_coverage"] == (3, 3)       # team B still had members in February
    assert got["contract_rate"] == (2, 6)       # r1 since January, r7 since 1 February
    assert got["dm_standard_mgmt"] == (1, 1)    # 1 visit needed in 59 days, r3 had it


def test_live_and_rebuilt_overdue_agree_today(town):
    district, _ = town
    as_of = date(2026, 11, 28)
    live = compute(district, "2026", as_of, today=as_of).values["followup_overdue"]
    rebuilt = compute(district, "2026", as_of).values["followup_overdue"]
    assert (live.numerator, live.denominator) == (rebuilt.numerator, rebuilt.denominator)


def test_grid_and_team_scopes_add_up_to_the_centre(town):
    district, _ = town
    as_of = date(2026, 11, 28)
    centre = pairs(compute(district, "2026", as_of))
    by_grid = [pairs(compute(district, "2026", as_of, kind="grid", object_id=g.id))
               for g in district.grids]
    for code in rules.GRID_CODES:
        if code == "down_referral_visit":
            continue  # the centre also counts referrals waiting in its queue
        n, d = rules.add([p[code] for p in by_grid])
        assert (n, d) == centre[code], code
    assert by_grid[1]["grid_coverage"] == (0, 1)
    team_a = pairs(compute(district, "2026", as_of, kind="team",
                           object_id=district.teams[0].id))
    assert team_a["htn_standard_mgmt"] == by_grid[0]["htn_standard_mgmt"]


def test_values_targets_and_met(town):
    district, _ = town
    values = compute(district, "2026", date(2026, 11, 28)).values
    assert values["grid_coverage"].value == pytest.approx(2 / 3)
    assert values["grid_coverage"].met is False
    assert values["staff_participation"].met is True     # 50% ≥ 30%
    assert values["followup_overdue"].met is False       # 33% > 10%, lower is better
    assert values["dm_control"].met is True


def test_team_scores_and_ranks(town):
    district, _ = town
    result = compute(district, "2026", date(2026, 11, 28))
    rows = services.team_performance(result)
    assert [row["rank"] for row in rows] == [1, 2]
    best = rows[0]
    assert best["team_id"] == district.teams[0].id
    assert best["quota"]["followups"] == 4 + 2 + 2   # r1 4, r2 2, r3 2
    assert best["done"]["followups"] == 4 + 2 + 1
    assert best["grade"] in "ABCD" and 0 <= best["score"] <= 100


@pytest.mark.parametrize("as_of,today", [(date(2026, 11, 28), date(2026, 11, 28)),
                                         (date(2026, 11, 28), date(2027, 6, 1))])
def test_every_gap_is_what_is_missing_from_the_numerator(town, as_of, today):
    district, _ = town
    result = compute(district, "2026", as_of, today=today)
    for code, value in result.values.items():
        kind, rows, total = services.gap_rows(result, code, 1, 500)
        # Lower is better for overdue follow-ups: the people to reach are the numerator.
        expected = value.numerator if code in rules.LOWER_IS_BETTER \
            else value.denominator - value.numerator
        if kind == "grids":
            missing = sum(row.get("missing", row.get("households", 0)) for row in rows)
            assert missing == expected, code
        else:
            assert total == len(rows) == expected, code


def test_gap_of_standard_management_names_the_patient_and_last_visit(town):
    district, r = town
    result = compute(district, "2026", date(2026, 11, 28))
    kind, rows, total = services.gap_rows(result, "htn_standard_mgmt", 1, 50)
    assert kind == "patients" and total == 1
    assert rows[0]["name"] == "六" and rows[0]["visits"] == 0 and rows[0]["required"] == 4
    assert rows[0]["team_name"] == district.teams[1].name


def test_key_population_by_disease_alone_counts_each_person_once(town):
    """r8, 45 and otherwise not key population, has both hypertension and diabetes and a
    contract; r9, 45, was in hypertension management until October (not key on as_of)."""
    district, r = town
    as_of = date(2026, 11, 28)
    before = pairs(compute(district, "2026", as_of))
    g1 = district.grids[0]
    r8 = factories.resident(factories.household(g1), name="八", birth_date=date(1981, 3, 1),
                            created=CREATED)
    chronic.enroll(r8, "hypertension", date(2026, 2, 1))
    chronic.enroll(r8, "diabetes", date(2026, 3, 1))
    sign_contract(r8, district.teams[0], date(2026, 4, 1), None)
    r9 = factories.resident(factories.household(g1), name="九", birth_date=date(1981, 3, 2),
                            created=CREATED)
    htn9 = chronic.enroll(r9, "hypertension", date(2026, 2, 1))
    chronic.end_enrollment(htn9, "misdiagnosis", date(2026, 10, 1))
    sign_contract(r9, district.teams[0], date(2026, 4, 1), None)
    db.session.flush()
    after = pairs(compute(district, "2026", as_of))
    n, d = before["key_contract_rate"]
    assert after["key_contract_rate"] == (n + 1, d + 1)
    n, d = before["contract_rate"]
    assert after["contract_rate"] == (n + 2, d + 2)
    assert after["htn_standard_mgmt"][1] == before["htn_standard_mgmt"][1] + 2  # r9 managed
    assert after["followup_overdue"][1] == before["followup_overdue"][1] + 2    # r8 only
