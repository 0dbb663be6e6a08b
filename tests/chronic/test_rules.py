"""The classification table of RULES.md §3, example by example and as properties."""
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, strategies as st

from healthgrid.chronic import rules
from healthgrid.chronic.rules import Previous, Visit, classify

DAY = date(2026, 3, 1)


def htn(sbp, dbp, age=50, **kw):
    return Visit("hypertension", DAY, age, sbp=sbp, dbp=dbp, **kw)


def dm(fpg, age=50, **kw):
    return Visit("diabetes", DAY, age, fpg=fpg, **kw)


@pytest.mark.parametrize("sbp,dbp,age,expected", [
    (139, 89, 64, True), (140, 80, 64, False), (130, 90, 64, False),
    (149, 89, 65, True), (150, 80, 65, False), (145, 90, 70, False),
])
def test_blood_pressure_targets_with_the_150_rule_at_65(sbp, dbp, age, expected):
    assert rules.bp_at_target(sbp, dbp, age) is expected


def test_glucose_target_boundary_is_not_at_target():
    assert rules.fpg_at_target(6.9) and not rules.fpg_at_target(7.0)


@pytest.mark.parametrize("visit,reason", [
    (htn(180, 100), "sbp>=180"), (htn(170, 110), "dbp>=110"),
    (htn(130, 80, symptoms=("severe_headache",)), "symptom:severe_headache"),
    (htn(145, 85, pregnant_or_lactating=True), "pregnant_not_at_target"),
    (dm(16.7), "glucose>=16.7"), (dm(3.9), "glucose<=3.9"),
    (dm(6.0, heart_rate=101), "heart_rate>100"), (dm(6.0, temperature=39.1), "temperature>39.0"),
    (dm(6.0, symptoms=("ketone_breath",)), "symptom:ketone_breath"),
    (dm(7.5, pregnant_or_lactating=True), "pregnant_not_at_target"),
    (Visit("diabetes", DAY, 50, fpg=6.0, sbp=185, dbp=100), "sbp>=180"),
])
def test_each_urgent_criterion(visit, reason):
    outcome = classify(visit, None)
    assert outcome.referral == "urgent" and reason in outcome.reasons
    assert outcome.next_due_date == DAY + timedelta(days=14)


@pytest.mark.parametrize("visit", [
    dm(6.0, heart_rate=100), dm(6.0, temperature=39.0), dm(4.0), dm(16.6),
    htn(179, 109), htn(130, 80, symptoms=("ketone_breath",)),  # a diabetes symptom only
    htn(130, 80, pregnant_or_lactating=True),
])
def test_just_below_urgent_thresholds_is_not_urgent(visit):
    assert classify(visit, None).referral != "urgent"


def test_urgent_visit_is_classified_by_complication_then_reaction_then_values():
    both = htn(185, 100, new_complication=True, adverse_reaction=True)
    assert classify(both, None).classification == "complication"
    reaction = htn(185, 100, adverse_reaction=True)
    assert classify(reaction, None).classification == "adverse_reaction"
    assert classify(htn(130, 80, symptoms=("chest_pain",)), None).classification == "controlled"


def test_two_consecutive_uncontrolled_suggests_referral():
    first = classify(htn(150, 95), None)
    second = classify(htn(150, 95), Previous(at_target=False, adverse_reaction=False))
    assert (first.referral, second.referral) == ("none", "suggested")
    assert "two_consecutive_uncontrolled" in second.reasons


def test_repeated_adverse_reaction_suggests_referral():
    once = classify(htn(120, 80, adverse_reaction=True), Previous(True, False))
    twice = classify(htn(120, 80, adverse_reaction=True), Previous(True, True))
    assert (once.classification, once.referral) == ("adverse_reaction", "none")
    assert (twice.classification, twice.referral) == ("adverse_reaction", "suggested")


def test_complication_outranks_two_consecutive_uncontrolled():
    outcome = classify(htn(150, 95, new_complication=True), Previous(False, False))
    assert (outcome.classification, outcome.referral) == ("complication", "suggested")


visits = st.builds(
    Visit,
    program=st.sampled_from(["hypertension", "diabetes"]),
    visit_date=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    age=st.integers(min_value=18, max_value=100),
    sbp=st.integers(min_value=80, max_value=260), dbp=st.integers(min_value=40, max_value=79),
    fpg=st.floats(min_value=1.0, max_value=40.0, allow_nan=False),
    heart_rate=st.one_of(st.none(), st.integers(min_value=30, max_value=200)),
    temperature=st.one_of(st.none(), st.floats(min_value=34.0, max_value=43.0)),
    symptoms=st.lists(st.sampled_from(rules.HTN_URGENT_SYMPTOMS + rules.DM_URGENT_SYMPTOMS
                                      + ("dizziness",)), max_size=2).map(tuple),
    adverse_reaction=st.booleans(), new_complication=st.booleans(),
    pregnant_or_lactating=st.booleans())
previous = st.one_of(st.none(), st.builds(Previous, st.booleans(), st.booleans()))


@given(visits, previous)
def test_controlled_only_at_target_without_reaction_or_complication(visit, prev):
    outcome = classify(visit, prev)
    if outcome.classification == "controlled":
        assert outcome.at_target and not visit.adverse_reaction and not visit.new_complication


@given(visits, previous)
def test_urgent_criteria_always_give_urgent_referral(visit, prev):
    outcome = classify(visit, prev)
    assert (outcome.referral == "urgent") == bool(rules.urgent_reasons(visit))


@given(visits, previous)
def test_next_due_is_14_or_90_days_after_the_visit(visit, prev):
    outcome = classify(visit, prev)
    gap = (outcome.next_due_date - visit.visit_date).days
    assert gap in (14, 90)
    assert (gap == 90) == (outcome.classification == "controlled" and outcome.referral == "none")


@given(visits, previous)
def test_at_target_agrees_with_the_target_rules(visit, prev):
    outcome = classify(visit, prev)
    expected = rules.bp_at_target(visit.sbp, visit.dbp, visit.age) \
        if visit.program == "hypertension" else rules.fpg_at_target(visit.fpg)
    assert outcome.at_target is expected


@given(visits)
def test_first_visit_never_counts_as_two_consecutive(visit):
    assert "two_consecutive_uncontrolled" not in classify(visit, None).reasons


@given(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
       st.integers(0, 3))
def test_selfcare_score_and_level(eating, washing, dressing, toileting, mobility):
    levels = dict(eating=eating, washing=washing, dressing=dressing, toileting=toileting,
                  mobility=mobility)
    score = rules.selfcare_score(levels)
    assert 0 <= score <= 37
    level = rules.selfcare_level(score)
    expected = ("independent" if score <= 3 else "mild" if score <= 8
                else "moderate" if score <= 18 else "dependent")
    assert level == expected


def test_selfcare_table_examples():
    assert rules.selfcare_score(dict(eating=3, washing=3, dressing=3, toileting=3,
                                     mobility=3)) == 37
    assert rules.selfcare_score(dict(eating=1, washing=1, dressing=1, toileting=1,
                                     mobility=0)) == 2
    assert rules.selfcare_level(19) == "dependent" and rules.selfcare_level(18) == "moderate"


def test_input_problems():
    assert rules.input_problems({"sbp": 80, "dbp": 95}, "hypertension") == {
        "dbp": "sbp_not_above_dbp"}
    assert rules.input_problems({"sbp": 400, "dbp": 95}, "hypertension") == {
        "sbp": "out_of_range"}
    assert rules.input_problems({}, "hypertension") == {"sbp": "bp_required"}
    assert rules.input_problems({"sbp": 120, "dbp": 80}, "diabetes") == {
        "fpg": "fpg_required"}
    assert rules.input_problems({"fpg": 0.5}, "diabetes") == {"fpg": "out_of_range"}
    assert rules.input_problems({"sbp": 120}, "diabetes")["dbp"] == "bp_pair"


def test_check_flags_high_bp_without_hypertension_program():
    assert rules.check_flags(140, 80, False) == ["hypertension_screening"]
    assert rules.check_flags(120, 90, False) == ["hypertension_screening"]
    assert rules.check_flags(139, 89, False) == []
    assert rules.check_flags(160, 95, True) == []


def test_due_state():
    assert rules.due_state(date(2026, 2, 28), DAY) == "overdue"
    assert rules.due_state(DAY, DAY) == "due_soon"
    assert rules.due_state(DAY + timedelta(days=7), DAY) == "due_soon"
    assert rules.due_state(DAY + timedelta(days=8), DAY) is None


def test_first_due_dates():
    assert rules.first_due_date("hypertension", DAY) == DAY + timedelta(days=14)
    assert rules.first_due_date("elderly", DAY) == DAY
