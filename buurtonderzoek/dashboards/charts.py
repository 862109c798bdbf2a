"""A monthly trend as inline SVG, drawn in Python: works without JavaScript, prints its numbers, and
the page puts the same figures in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
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
