from datetime import date

import pytest

from healthgrid.org.rules import Member, community_code_error, is_complete, missing_core_roles

DAY = date(2026, 6, 1)


def test_team_with_gp_nurse_and_public_health_is_complete():
    members = [Member(r, date(2026, 1, 1), None) for r in ("gp", "nurse", "public_health")]
    assert is_complete(members, DAY)


def test_specialists_do_not_replace_the_core_three():
    members = [Member("gp", date(2026, 1, 1), None), Member("specialist", date(2026, 1, 1), None)]
    assert missing_core_roles(members, DAY) == ["nurse", "public_health"]


def test_ended_or_future_members_do_not_count():
    members = [Member("gp", date(2026, 1, 1), date(2026, 5, 31)),
               Member("nurse", date(2026, 7, 1), None),
               Member("public_health", date(2026, 1, 1), DAY)]
    assert missing_core_roles(members, DAY) == ["gp", "nurse"]


@pytest.mark.parametrize("kind,code,problem", [
    ("neighborhood", "001", None), ("neighborhood", "099", None),
    ("neighborhood", "100", "code_range_neighborhood"), ("neighborhood", "000", "code_range_neighborhood"),
    ("village", "101", None), ("village", "199", None), ("village", "099", "code_range_village"),
    ("village", "200", "code_range_village"), ("village", "12", "code_three_digits"),
    ("neighborhood", "a01", "code_three_digits"),
])
def test_community_codes_by_kind(kind, code, problem):
    assert community_code_error(kind, code) == problem
