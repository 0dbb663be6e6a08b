"""Survey tallies count as the indicators do (satisfied = 4 or 5; rates only at the end;
roll-ups add counts), and the public page's device marks."""
from datetime import date

from healthgrid.surveys.rules import Tally, device_mark


def test_awareness_and_satisfaction_of_a_few_answers():
    t = Tally()
    t.add_answer(True, True, 5)
    t.add_answer(True, None, 4)
    t.add_answer(False, False, 3)
    t.add_answer(True, True, None)
    assert (t.responses, t.aware, t.rated, t.satisfied) == (4, 3, 3, 2)
    assert t.awareness == 0.75
    assert t.satisfaction == 2 / 3
    assert (t.knows_answered, t.knows_doctor) == (3, 2)
    assert t.scores == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}


def test_no_answers_means_no_rate_rather_than_zero():
    t = Tally()
    assert t.awareness is None and t.satisfaction is None and t.knows_doctor_rate is None
    t.add_answer(False, None, None)
    assert t.awareness == 0 and t.satisfaction is None


def test_roll_up_adds_counts_and_never_averages_rates():
    small, large = Tally(), Tally()
    small.add_answer(True, None, 5)                 # 100% of 1
    large.add_answer(False, None, 1, count=9)       # 0% of 9
    total = small + large
    assert total.responses == 10 and total.awareness == 0.1 and total.satisfaction == 0.1
    assert total.scores[1] == 9 and total.scores[5] == 1


def test_device_mark_differs_by_device_grid_and_day():
    day = date(2026, 5, 20)
    mark = device_mark("a" * 32, 1, day)
    assert len(mark) == 64 and "a" * 32 not in mark
    assert mark == device_mark("a" * 32, 1, day)
    others = {device_mark("b" * 32, 1, day), device_mark("a" * 32, 2, day),
              device_mark("a" * 32, 1, date(2026, 5, 21))}
    assert mark not in others and len(others) == 3
