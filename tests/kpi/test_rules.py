from datetime import date

import pytest
from hypothesis import given, strategies as st

from healthgrid.kpi import rules
from healthgrid.kpi.rules import Value


@pytest.mark.parametrize("text,start,end", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
])
def test_periods(text, start, end):
    period = rules.parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "2026/11", "abc"])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        rules.parse_period(text)


def test_as_of_is_period_end_or_today():
    period = rules.parse_period("2026")
    assert period.as_of(date(2026, 11, 28)) == date(2026, 11, 28)
    assert period.as_of(date(2027, 3, 1)) == date(2026, 12, 31)
    with pytest.raises(ValueError):
        period.as_of(date(2026, 11, 28), requested=date(2027, 1, 1))


@pytest.mark.parametrize("enrolled,exited,start,as_of,required", [
    (date(2025, 1, 1), None, date(2026, 1, 1), date(2026, 12, 31), 4),   # full year
    (date(2023, 1, 1), None, date(2024, 1, 1), date(2024, 12, 31), 4),   # leap year
    (date(2025, 1, 1), None, date(2026, 1, 1), date(2026, 3, 31), 1),    # Q1, 90 days
    (date(2025, 1, 1), None, date(2026, 7, 1), date(2026, 9, 30), 1),    # Q3, 92 days
    (date(2026, 7, 1), None, date(2026, 1, 1), date(2026, 11, 28), 2),   # from mid-period
    (date(2025, 1, 1), date(2026, 4, 30), date(2026, 1, 1), date(2026, 12, 31), 2),
    (date(2026, 6, 1), None, date(2026, 6, 1), date(2026, 6, 1), 1),
])
def test_required_followups(enrolled, exited, start, as_of, required):
    assert rules.required_followups(enrolled, exited, start, as_of) == required


@given(st.integers(min_value=1, max_value=800))
def test_required_followups_is_about_four_a_year(days):
    from datetime import timedelta
    start = date(2026, 1, 1)
    got = rules.required_followups(start, None, start, start + timedelta(days=days - 1))
    assert 4 * days / 365 - 1 < got <= max(1, 4 * days / 365 + 1)


def test_rates_are_computed_last_and_roll_ups_add():
    assert rules.add([(1, 2), (3, 4)]) == (4, 6)
    assert Value("archive_rate", 4, 6, 0.9).value == pytest.approx(4 / 6)
    assert Value("archive_rate", 0, 0, 0.9).value is None
    assert Value("archive_rate", 0, 0, 0.9).met is None


def test_lower_is_better_for_overdue():
    assert Value("followup_overdue", 1, 10, 0.10).met is True
    assert Value("followup_overdue", 2, 10, 0.10).met is False


def test_score_scales_weights_when_a_denominator_is_empty():
    full = {code: Value(code, 1, 1, rules.BY_CODE[code].target) for code in rules.DEFAULT_WEIGHTS}
    assert rules.score(full) == 100.0
    # 45% against 90%: 45 points short, nothing left of the weight (RULES.md §7).
    half = dict(full, archive_rate=Value("archive_rate", 45, 100, 0.90))
    assert rules.score(half) == pytest.approx(90.0)
    no_dm = dict(full, dm_standard_mgmt=Value("dm_standard_mgmt", 0, 0, 0.6),
                 dm_control=Value("dm_control", 0, 0, 0.6))
    no_dm["archive_rate"] = Value("archive_rate", 45, 100, 0.90)
    assert rules.score(no_dm) == pytest.approx(100 - 10 * 100 / 75, abs=0.05)  # one decimal


def test_grades_and_ranks():
    assert [rules.grade(s) for s in (95, 90, 89.9, 75, 60, 59.9)] == ["A", "A", "B", "B", "C", "D"]
    assert rules.rank({1: 80.0, 2: 95.0, 3: 80.0, 4: None}) == {2: 1, 1: 2, 3: 2, 4: 4}


# --- RULES.md §7: deduction_per_point ----------------------------------------------------------

def test_each_point_short_deducts_a_tenth_of_the_weight():
    assert rules.credit(Value("satisfaction", 85, 100, 0.90)) == pytest.approx(0.5)  # the example
    assert rules.credit(Value("satisfaction", 90, 100, 0.90)) == 1.0
    assert rules.credit(Value("satisfaction", 95, 100, 0.90)) == 1.0
    assert rules.credit(Value("htn_control", 59, 100, 0.60)) == pytest.approx(0.9)
    assert rules.credit(Value("htn_control", 50, 100, 0.60)) == 0.0
    assert rules.credit(Value("htn_control", 10, 100, 0.60)) == 0.0  # never below 0
    assert rules.credit(Value("followup_overdue", 13, 100, 0.10)) == pytest.approx(0.7)


def test_the_deduction_is_a_setting():
    lenient = rules.ScoreSettings(deduction_per_point=0.05)
    assert rules.credit(Value("satisfaction", 85, 100, 0.90), lenient) == pytest.approx(0.75)


def test_a_team_missing_three_targets_is_no_longer_an_a():
    met = {code: Value(code, 1, 1, rules.BY_CODE[code].target) for code in rules.DEFAULT_WEIGHTS}
    short = dict(met, htn_control=Value("htn_control", 52, 100, 0.60),
                 dm_control=Value("dm_control", 55, 100, 0.60),
                 satisfaction=Value("satisfaction", 85, 100, 0.90))
    # htn_control 8 short → 0.2 × 10, dm_control 5 short → 0.5 × 10, satisfaction 0.5 × 10
    assert rules.score(short) == pytest.approx(100 - 8 - 5 - 5)
    assert rules.grade(rules.score(short)) == "B"
