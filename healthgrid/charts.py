"""Small server-side SVG charts: no JavaScript, no third-party assets, same in pages and PDFs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

PALETTE = ("#0b6e4f", "#b45309", "#1d4ed8", "#9333ea", "#be123c")


@dataclass
class Series:
    name: str
    points: list[tuple[date, float]]
    color: str | None = None


@dataclass
class TargetLine:
    name: str
    value: float
    color: str = "#b42318"


@dataclass
class Chart:
    title: str
    series: list[Series]
    targets: list[TargetLine] = field(default_factory=list)
    unit: str = ""
    width: int = 640
    height: int = 240


def _scale(lo: float, hi: float, size: float, pad_lo: float, invert: bool = False):
    span = (hi - lo) or 1.0

    def to_px(value: float) -> float:
        ratio = (value - lo) / span
        return pad_lo + (1 - ratio if invert else ratio) * size
    return to_px


def line_chart(chart: Chart) -> Markup:
    """A time-series line chart with dashed target lines, as inline SVG markup."""
    # The right margin holds the target labels, beside the plot rather than on its lines.
    # The legend has its own row under the title (it ran into a long title).
    left, right, top, bottom = 44, (96 if chart.targets else 12), 42, 28
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    points = [p for s in chart.series for p in s.points]
    values = [v for _, v in points] + [t.value for t in chart.targets]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {chart.width} {chart.height}" width="100%" '
             f'aria-label="{escape(chart.title)}">',
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">'
             f'{escape(chart.title)}</text>']
    if not points:
        parts.append(f'<text x="{left}" y="{top + plot_h / 2}" font-size="12" fill="#5d6b7a">'
                     '—</text></svg>')
        return Markup("".join(parts))
    lo, hi = min(values), max(values)
    margin = (hi - lo) * 0.1 or 1
    # Readings and rates are never negative: the margin below them stops at zero.
    lo, hi = (lo - margin if lo < 0 else max(lo - margin, 0)), hi + margin
    if chart.unit == "%" and max(values) <= 100:
        hi = min(hi, 100)  # a rate tops out at 100%: ticks 0, 25, 50, 75, 100
    days = [d.toordinal() for d, _ in points]
    first, last = min(days), max(days)
    x = _scale(first, last if last > first else first + 1, plot_w, left)
    y = _scale(lo, hi, plot_h, top, invert=True)
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
                 'fill="none" stroke="#dde3ea"/>')
    for tick in range(5):
        value = lo + (hi - lo) * tick / 4
        parts.append(f'<text x="{left - 4}" y="{y(value) + 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#5d6b7a">{value:.0f}</text>')
    months = _month_starts(date.fromordinal(first), date.fromordinal(last))
    if len(months) >= 2:
        for month in months:  # a tick and its month under each month's first day
            mx = x(month.toordinal())
            parts.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top + plot_h}" '
                         f'y2="{top + plot_h + 4}" stroke="#5d6b7a"/>'
                         f'<text x="{mx:.1f}" y="{chart.height - 10}" font-size="10" '
                         f'text-anchor="middle" fill="#5d6b7a" class="month-tick">'
                         f'{_month_label(month, months[0])}</text>')
    else:
        parts.append(f'<text x="{left}" y="{chart.height - 8}" font-size="10" fill="#5d6b7a">'
                     f'{date.fromordinal(first).isoformat()}</text>')
        parts.append(f'<text x="{left + plot_w}" y="{chart.height - 8}" font-size="10" '
                     f'text-anchor="end" fill="#5d6b7a">{date.fromordinal(last).isoformat()}'
                     '</text>')
    label_ys: list[float] = []
    for target in sorted(chart.targets, key=lambda t: -t.value):
        ty = y(target.value)
        # Beside the plot, at its line's height, pushed down clear of a label above it.
        label_y = max([ty + 4] + [prev + 12 for prev in label_ys if prev + 12 > ty + 4])
        label_ys.append(label_y)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" '
                     f'y2="{ty:.1f}" stroke="{target.color}" stroke-dasharray="5 4"/>'
                     f'<text x="{left + plot_w + 4}" y="{label_y:.1f}" font-size="10" '
                     f'class="target-label" fill="{target.color}">{escape(target.name)} '
                     f'{target.value:g}</text>')
    legend_x = left
    for index, series in enumerate(chart.series):
        color = series.color or PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{x(d.toordinal()):.1f},{y(v):.1f}" for d, v in series.points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" '
                     'stroke-width="2"/>')
        for d, v in series.points:
            parts.append(f'<circle cx="{x(d.toordinal()):.1f}" cy="{y(v):.1f}" r="3" '
                         f'fill="{color}"><title>{d.isoformat()}: {v:g}</title></circle>')
        parts.append(f'<rect x="{legend_x}" y="23" width="10" height="10" fill="{color}"/>'
                     f'<text x="{legend_x + 14}" y="32" font-size="11">{escape(series.name)}</text>')
        legend_x += 30 + 12 * len(series.name)
    parts.append("</svg>")
    return Markup("".join(parts))


def _month_starts(first: date, last: date) -> list[date]:
    """The first days of the months from first's month to last (first's own month counts
    when the series starts on its first day)."""
    out, year, month = [], first.year, first.month
    while date(year, month, 1) <= last:
        if date(year, month, 1) >= first:
            out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_label(month: date, start: date) -> str:
    """3月 (Chinese and English pages alike read it); the year where a new one begins."""
    if month.month == 1 and month != start:
        return f"{month.year}年1月"
    return f"{month.month}月"


@dataclass
class Bar:
    label: str
    value: float | None  # 0–1, None when there is nothing to count


def bar_chart(title: str, bars: list[Bar], target: float | None, width: int = 640,
              lower_is_better: bool = False) -> Markup:
    """Horizontal bars (one per grid or team) in percent with the target as a dashed line;
    bars that miss the target are drawn in the alarm colour."""
    row_h, left, right, top = 18, 170, 48, 26
    height = top + row_h * max(1, len(bars)) + 10
    plot_w = width - left - right

    def px(value: float) -> float:
        return left + max(0.0, min(1.0, value)) * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
             f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']
    for index, bar in enumerate(bars):
        y = top + index * row_h
        name = bar.label if len(bar.label) <= 12 else bar.label[:11] + "…"
        parts.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">'
                     f'{escape(name)}<title>{escape(bar.label)}</title></text>')
        if bar.value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 12}" font-size="11" fill="#5d6b7a">—'
                         '</text>')
            continue
        missed = target is not None and (bar.value > target if lower_is_better
                                         else bar.value < target)
        color = "#b42318" if missed else "#0b6e4f"
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{px(bar.value) - left:.1f}" '
                     f'height="{row_h - 5}" fill="{color}"/>'
                     f'<text x="{px(bar.value) + 4:.1f}" y="{y + 12}" font-size="10">'
                     f'{bar.value * 100:.1f}%</text>')
    if target is not None:
        x = px(target)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 6}" '
                     f'stroke="#1d2733" stroke-dasharray="4 3"/>'
                     f'<text x="{x:.1f}" y="{top - 8}" font-size="10" text-anchor="middle">'
                     f'{target * 100:g}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
