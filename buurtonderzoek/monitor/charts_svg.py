"""Charts for the PDF report as inline SVG, drawn in Python (WeasyPrint renders SVG; no JavaScript).

Every chart also prints its numbers (the value next to each bar or point), so it reads without
colour, and the report puts a table beside it. Suppressed values are left out and labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

INK = "#1b1f24"
MUTED = "#4a5460"
BRAND = "#0b5394"
BAND = "#b9cfe6"
GRID = "#d5dbe1"
REF = "#8a4b00"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str  # the value as shown (Dutch formatting), or the suppression mark


def _axis(lo: float, hi: float) -> tuple[float, float, list[float]]:
    """A rounded axis range with 4-6 ticks."""
    if hi <= lo:
        hi = lo + 1.0
    span = hi - lo
    raw = span / 5.0
    magnitude = 10 ** int(f"{raw:e}".split("e")[1])
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = step * int(lo // step)
    end = step * -int(-hi // step)
    ticks = []
    tick = start
    while tick <= end + step / 1000:
        ticks.append(round(tick, 10))
        tick += step
    return start, end, ticks


def _fmt(value: float) -> str:
    text = f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"
    return text.replace(".", ",")


def trend_chart(
    points: Sequence[Point],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
    bounds: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 240,
) -> str:
    """A line through the waves with the 95% interval as a band, and the national reference dashed."""
    left, right, top, bottom = 48, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [p for p in points if p.value is not None]
    values = [v for p in known for v in (p.low, p.high, p.value) if v is not None]
    if reference is not None:
        values.append(reference)
    lo, hi = bounds if bounds else ((min(values), max(values)) if values else (0.0, 1.0))
    lo, hi, ticks = _axis(lo, hi)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / max(1, len(points)))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [_open(width, height, title)]
    for tick in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y(tick) + 4, _fmt(tick), anchor="end", size=10, fill=MUTED))
    band = [(i, p) for i, p in enumerate(points) if p.low is not None and p.high is not None]
    if len(band) >= 2:
        upper = " ".join(f"{x(i):.1f},{y(p.high):.1f}" for i, p in band if p.high is not None)
        lower = " ".join(f"{x(i):.1f},{y(p.low):.1f}" for i, p in reversed(band) if p.low is not None)
        parts.append(f'<polygon points="{upper} {lower}" fill="{BAND}" stroke="none"/>')
    for i, p in band:
        assert p.low is not None and p.high is not None
        parts.append(
            f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{y(p.low):.1f}" y2="{y(p.high):.1f}" stroke="{BRAND}"/>'
        )
    if reference is not None:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(reference):.1f}" y2="{y(reference):.1f}" '
            f'stroke="{REF}" stroke-dasharray="6 4"/>'
        )
        parts.append(_text(width - right, y(reference) - 4, reference_label, anchor="end", size=10, fill=REF))
    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points) if p.value is not None)
    if len(known) >= 2:
        parts.append(f'<polyline points="{line}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
    for i, p in enumerate(points):
        parts.append(_text(x(i), height - bottom + 16, p.label, anchor="middle", size=10, fill=INK))
        if p.value is None:
            parts.append(_text(x(i), top + plot_h / 2, p.text, anchor="middle", size=11, fill=MUTED))
            continue
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4" fill="{BRAND}"/>')
        parts.append(_text(x(i) + 7, y(p.value) - 7, p.text, size=11, fill=INK, weight="bold"))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
    bounds: tuple[float, float] | None = None,
    width: int = 640,
) -> str:
    """Horizontal bars (one per area) with 95% error bars and the value printed beside each bar."""
    row, label_w, right, top = 22, 150, 70, 24
    height = top + row * len(points) + 28
    plot_w = width - label_w - right
    values = [v for p in points for v in (p.low, p.high, p.value) if v is not None]
    if reference is not None:
        values.append(reference)
    lo, hi = bounds if bounds else (0.0, max(values) if values else 1.0)
    lo, hi, ticks = _axis(min(lo, 0.0), hi)

    def x(v: float) -> float:
        return label_w + plot_w * (v - lo) / (hi - lo)

    parts = [_open(width, height, title)]
    bottom = top + row * len(points)
    for tick in ticks:
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(_text(x(tick), bottom + 14, _fmt(tick), anchor="middle", size=10, fill=MUTED))
    for i, p in enumerate(points):
        cy = top + row * i + row / 2
        parts.append(_text(label_w - 6, cy + 4, _clip(p.label, 24), anchor="end", size=10, fill=INK))
        if p.value is None:
            parts.append(_text(label_w + 4, cy + 4, p.text, size=10, fill=MUTED))
            continue
        bar_width = max(0.0, x(p.value) - x(lo))
        parts.append(f'<rect x="{x(lo):.1f}" y="{cy - 7:.1f}" width="{bar_width:.1f}" height="14" fill="{BRAND}"/>')
        if p.low is not None and p.high is not None:
            parts.append(f'<line x1="{x(p.low):.1f}" x2="{x(p.high):.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="{INK}"/>')
            for end in (p.low, p.high):
                parts.append(
                    f'<line x1="{x(end):.1f}" x2="{x(end):.1f}" y1="{cy - 5:.1f}" y2="{cy + 5:.1f}" stroke="{INK}"/>'
                )
        text_x = x(p.high if p.high is not None else p.value) + 6
        parts.append(_text(text_x, cy + 4, p.text, size=10, fill=INK, weight="bold"))
    if reference is not None:
        parts.append(
            f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="{top - 6}" y2="{bottom}" '
            f'stroke="{REF}" stroke-dasharray="5 3" stroke-width="1.5"/>'
        )
        parts.append(_text(x(reference), top - 9, reference_label, anchor="middle", size=10, fill=REF))
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif"><title>{escape(title)}</title>'
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, fill: str = INK, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
