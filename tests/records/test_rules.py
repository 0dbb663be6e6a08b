from datetime import date

import pytest
from hypothesis import given, strategies as st
from stdnum.cn import ric

from healthgrid.records import rules
from tests.helpers import full_width


def make_id(area="110105", birth=date(1949, 12, 31), seq=2, sex="female") -> str:
    """A valid GB 11643 number: sequence's last digit odd for men, even for women."""
    seq = seq * 10 + (1 if sex == "male" else 2)
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")  # it ignores the last character


def test_archive_number_is_county_township_community_sequence():
    assert rules.archive_number("110105", "001", "012", 7) == "11010500101200007"
    assert len(rules.archive_number("110105", "001", "012", 99999)) == 17


def test_archive_number_refuses_an_exhausted_sequence():
    with pytest.raises(ValueError):
        rules.archive_number("110105", "001", "012", 100000)


def test_valid_id_number_matching_birth_and_sex():
    assert rules.id_number_problem("11010519491231002X", date(1949, 12, 31), "female") is None


@pytest.mark.parametrize("number,birth,sex,problem", [
    ("110105194912310021", date(1949, 12, 31), "female", "id_checksum"),
    ("11010519491231002", date(1949, 12, 31), "female", "id_format"),
    ("1101051949123100A2", date(1949, 12, 31), "female", "id_format"),
    ("11010519491231002X", date(1950, 1, 1), "female", "id_birth_mismatch"),
    ("11010519491231002X", date(1949, 12, 31), "male", "id_sex_mismatch"),
])
def test_id_number_problems_name_the_cause(number, birth, sex, problem):
    assert rules.id_number_problem(number, birth, sex) == problem


def test_unknown_area_code_is_named():
    assert rules.id_number_problem(make_id(area="990000"), None, None) == "id_area_unknown"


def test_impossible_birth_date_inside_id_number():
    body = "11010519491331002"
    number = body + ric.calc_check_digit(body + "?")
    assert rules.id_number_problem(number, None, None) == "id_birth_invalid"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)),
       st.integers(min_value=0, max_value=99), st.sampled_from(["male", "female"]))
def test_generated_numbers_validate_and_wrong_sex_is_caught(birth, seq, sex):
    number = make_id(birth=birth, seq=seq, sex=sex)
    assert rules.id_number_problem(number, birth, sex) is None
    other = "female" if sex == "male" else "male"
    assert rules.id_number_problem(number, birth, other) == "id_sex_mismatch"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17),
       st.sampled_from("0123456789X"))
def test_any_wrong_check_character_is_refused(body, check):
    if check == ric.calc_check_digit(body + "?"):
        return
    assert rules.id_number_problem(body + check, None, None) in {"id_checksum",
                                                                  "id_birth_invalid",
                                                                  "id_area_unknown"}


def test_masking_matches_the_spec():
    assert rules.mask_id_number("11010519491231002X") == "110105********002X"
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_id_number(None) is None and rules.mask_phone("") == ""


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_masked_id_never_shows_the_birth_date(number):
    masked = rules.mask_id_number(number)
    assert masked[6:14] == "********" and masked[:6] == number[:6] and masked[-4:] == number[-4:]


def test_contract_runs_one_year_minus_a_day():
    assert rules.contract_end(date(2026, 3, 1)) == date(2027, 2, 28)
    assert rules.contract_end(date(2024, 2, 29)) == date(2025, 2, 28)
    assert rules.contract_end(date(2026, 1, 1)) == date(2026, 12, 31)


def test_renewal_follows_without_gap_or_starts_today_after_a_lapse():
    assert rules.renewal_start(date(2026, 12, 31), date(2026, 12, 10)) == date(2027, 1, 1)
    assert rules.renewal_start(date(2026, 1, 31), date(2026, 3, 5)) == date(2026, 3, 5)


def test_pinyin_initials():
    assert rules.name_initials("张三") == "zs"
    assert rules.name_initials("欧阳娜娜") == "oynn"


@pytest.mark.parametrize("q,kind", [
    ("张", "name"), ("zs", "initials"), ("ZS", "initials"), ("11010519491231002X", "id_number"),
    ("11010519491231002x", "id_number"), ("11010500101200007", "archive_no"),
    ("1101050010120", "archive_prefix"), ("138", "phone"), ("13812341234", "phone"),
])
def test_search_box_understands_what_was_typed(q, kind):
    assert rules.classify_query(q)[0] == kind


@pytest.mark.parametrize("typed,expected", [
    ("1381234", ("phone", "1381234")),
    ("11010519491231002x", ("id_number", "11010519491231002X")),
    ("11010500101200007", ("archive_no", "11010500101200007")),
    ("1101050010120", ("archive_prefix", "1101050010120")),
    ("ZS", ("initials", "zs")),
    ("010-12345678", ("phone", "010-12345678")),
])
def test_search_box_reads_full_width_input_as_ascii(typed, expected):
    assert full_width(typed) != typed
    assert rules.classify_query(full_width(typed)) == expected


@pytest.mark.parametrize("q", ["张三", "1234567890123456789", "1234567890123456X"])
def test_what_is_no_number_is_searched_as_a_name_as_typed(q):
    # too long to be a number; an X only ends an ID number
    assert rules.classify_query(q) == ("name", q)


def test_key_populations_on_a_day():
    person = rules.PersonFacts(date(1961, 6, 1), "female", disabled=True,
                               programs=frozenset({"hypertension"}))
    assert rules.key_populations(person, date(2026, 5, 31)) == ["hypertension", "disabled"]
    assert rules.key_populations(person, date(2026, 6, 1)) == ["elderly", "hypertension",
                                                               "disabled"]
    child = rules.PersonFacts(date(2020, 1, 1), "male")
    assert rules.key_populations(child, date(2026, 12, 31)) == ["child_0_6"]
    assert rules.key_populations(child, date(2027, 1, 1)) == []
