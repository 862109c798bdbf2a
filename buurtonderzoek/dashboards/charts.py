"""A monthly trend as inline SVG, drawn in Python: works without JavaScript, prints its numbers, and
the page puts the same figures in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape

from buurtonderzoek.monitor.charts_svg import BRAND, GRID, INK, MUTED, _axis, _fmt

BEFORE = "#8a4b00"  # the year before: dashed, in a second colour with 4.5:1 contrast on white


def two_year_chart(
    points: Sequence[tuple[str, Decimal | int | None, Decimal | int | None]],
    *,
    title: str,
    now_label: str,
    before_label: str,
    width: int = 720,
    height: int = 260,
) -> str:
    """Months along the x axis; this period as a solid line, the year before dashed."""
    left, right, top, bottom = 44, 12, 34, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for _label, *pair in points for v in pair if v is not None]
    lo, hi, ticks = _axis(0.0, max(values, default=1.0) or 1.0)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / max(1, len(points))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for tick in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{_fmt(tick)}</text>"
        )
    lines = ((BEFORE, ' stroke-dasharray="6 4"', [p[2] for p in points]), (BRAND, "", [p[1] for p in points]))
    for colour, dash, raw in lines:
        series = [(i, float(v)) for i, v in enumerate(raw) if v is not None]
        if len(series) >= 2:
            line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in series)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for i, v in series:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
    step = max(1, len(points) // 12)
    for i, (label, *_pair) in enumerate(points):
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" fill="{INK}">'
                f"{escape(label)}</text>"
            )
    parts.append(f'<line x1="{left}" x2="{left + 24}" y1="14" y2="14" stroke="{BRAND}" stroke-width="2.5"/>')
    parts.append(f'<text x="{left + 30}" y="18" font-size="12" fill="{INK}">{escape(now_label)}</text>')
    parts.append(
        f'<line x1="{left + 180}" x2="{left + 204}" y1="14" y2="14" stroke="{BEFORE}" stroke-width="2.5" '
        'stroke-dasharray="6 4"/>'
    )
    parts.append(f'<text x="{left + 210}" y="18" font-size="12" fill="{INK}">{escape(before_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def timeline_chart(
    waves: Sequence[tuple[date, float | None, float | None, float | None, str]],
    starts: Sequence[tuple[date, str]],
    canvasses: Sequence[tuple[date, int]],
    *,
    title: str,
    width: int = 720,
    height: int = 280,
) -> str:
    """Monitor waves (value with its 95% interval) on a time axis, with the teams' first canvass as
    dashed vertical lines and the canvasses per month as small bars along the bottom."""
    moments = [d for d, *_rest in waves] + [d for d, _n in starts] + [d for d, _n in canvasses]
    if not moments:
        return ""
    first, last = min(moments), max(moments)
    span = max(1, (last - first).days)
    left, right, top, bottom, strip = 44, 16, 30, 40, 36
    plot_w, plot_h = width - left - right, height - top - bottom - strip
    values = [v for _d, v, lo, hi, _t in waves for v in (v, lo, hi) if v is not None]
    lo_axis, hi_axis, ticks = _axis(min(values, default=0.0), max(values, default=1.0))

    def x(day: date) -> float:
        return left + plot_w * (day - first).days / span

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo_axis) / (hi_axis - lo_axis))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for tick in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
            f"{_fmt(tick)}</text>"
        )
    for day, label in starts:
        parts.append(
            f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{top}" y2="{top + plot_h}" stroke="{BEFORE}" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(f'<text x="{x(day) + 3:.1f}" y="{top + 10}" font-size="10" fill="{BEFORE}">{escape(label)}</text>')
    most = max((n for _d, n in canvasses), default=1) or 1
    base = height - bottom
    for day, n in canvasses:
        h = (strip - 6) * n / most
        parts.append(f'<rect x="{x(day) - 2:.1f}" y="{base - h:.1f}" width="4" height="{h:.1f}" fill="{MUTED}"/>')
    for day, value, low, high, text in waves:
        if value is None:
            continue
        if low is not None and high is not None:
            parts.append(
                f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{y(low):.1f}" y2="{y(high):.1f}" stroke="{BRAND}" '
                'stroke-width="2"/>'
            )
        parts.append(f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="4.5" fill="{BRAND}"/>')
        parts.append(
            f'<text x="{x(day) + 7:.1f}" y="{y(value) - 6:.1f}" font-size="11" fill="{INK}">{escape(text)}</text>'
        )
    for day in (first, last):
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - 8}" text-anchor="middle" font-size="11" fill="{INK}">'
            f"{day:%m-%Y}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
