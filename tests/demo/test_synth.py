"""The pure helpers behind the demo: ID numbers, families, addresses."""
from __future__ import annotations

from datetime import date
from random import Random

from hypothesis import given, strategies as st
from stdnum.cn import ric

from healthgrid.demo import synth


@given(st.integers(0, 2**32), st.dates(date(1925, 1, 1), date(2026, 12, 31)), st.booleans(),
       st.sampled_from(synth.LOCAL_AREAS + synth.OTHER_AREAS))
def test_id_numbers_are_valid_for_any_birth_date(seed, birth, male, area):
    number = synth.IdNumbers(Random(seed)).make(area, birth, male)
    assert ric.is_valid(number)
    assert ric.get_birth_date(number) == birth
    assert int(number[16]) % 2 == (1 if male else 0)
    assert synth.id_check_char(number[:17]) == number[17]


def test_id_numbers_do_not_repeat_even_when_crowded():
    ids = synth.IdNumbers(Random(1))
    numbers = {ids.make("110105", date(1980, 5, 17), True) for _ in range(500)}
    assert len(numbers) == 500  # every odd sequence number of that day


@given(st.integers(0, 2**32), st.integers(1, 6))
def test_families_are_plausible(seed, size):
    members = synth.household_members(Random(seed), size)
    assert len(members) == size
    assert members[0][0] == "head"
    assert sum(1 for m in members if m[0] == "spouse") <= 1
    head_age = members[0][2]
    for relation, sex, age, surname in members:
        assert 0 <= age <= synth.MAX_AGE and sex in ("male", "female")
        assert surname in synth.SURNAMES
        if relation == "parent":
            assert age >= head_age + 18
        if relation == "spouse":
            assert age >= 20 and sex != members[0][1]


def test_addresses_are_distinct_within_a_grid():
    rng = Random(3)
    for layout in (synth.ResidentialLayout(rng, "幸福里小区", 700),
                   synth.TownshipLayout(rng, 700), synth.VillageLayout(rng, "李家村", 700)):
        addresses = [layout.address(slot) for slot in range(layout.capacity)]
        assert layout.capacity >= 700
        assert len(set(addresses)) == len(addresses)
        assert layout.streets()


def test_chinese_numerals():
    assert [synth.chinese_number(n) for n in (1, 10, 11, 20, 23, 99)] == [
        "一", "十", "十一", "二十", "二十三", "九十九"]
