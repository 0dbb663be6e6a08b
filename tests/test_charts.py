"""The server-side SVG charts: axes a reader can trust."""
import re
from datetime import date

from healthgrid.charts import Chart, Series, TargetLine, line_chart


def _axis(svg: str) -> list[int]:
    return [int(v) for v in re.findall(r'text-anchor="end" fill="#5d6b7a">(-?\d+)</text>', svg)]


def test_a_rate_is_not_drawn_below_zero():
    months = [date(2026, m, 1) for m in range(1, 7)]
    rates = list(zip(months, [0, 40, 80, 100, 95, 90]))
    svg = str(line_chart(Chart("满意率", [Series("满意率", rates)], [TargetLine("目标", 90)],
                               unit="%")))
    assert _axis(svg) == [0, 25, 50, 75, 100]


def test_readings_far_from_zero_keep_their_margin_and_negatives_stay_negative():
    days = [date(2026, 1, d) for d in (1, 8, 15)]
    bp = str(line_chart(Chart("收缩压", [Series("收缩压", list(zip(days, [130, 150, 170])))])))
    assert min(_axis(bp)) == 126  # 130 - 10% of the 40 spread
    change = str(line_chart(Chart("变化", [Series("变化", list(zip(days, [-5, 0, 5])))])))
    assert min(_axis(change)) == -6


def _trend():
    months = [date(2026, m, 1) for m in range(1, 10)]
    return line_chart(Chart("随访", [Series("高血压", list(zip(months, [60, 62, 90, 91, 88, 61,
                                                                   59, 92, 93])))],
                            [TargetLine("满意率目标", 90), TargetLine("知晓率目标", 60)],
                            unit="%"))


def test_months_are_ticked_on_the_time_axis():
    svg = str(_trend())
    ticks = re.findall(r'class="month-tick"[^>]*>([^<]+)</text>', svg)
    assert ticks == [f"{m}月" for m in range(1, 10)]


def test_target_labels_sit_beside_the_plot_not_on_its_lines():
    svg = str(_trend())
    plot = re.search(r'<rect x="(\d+)" y="\d+" width="(\d+)"', svg)
    right_edge = int(plot.group(1)) + int(plot.group(2))
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*class="target-label"', svg)
    assert len(labels) == 2
    assert all(float(x) > right_edge for x, _y in labels)
