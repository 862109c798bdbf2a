"""Charts for the PDF report as inline SVG, drawn in Python (WeasyPrint renders SVG; no JavaScript).

Every chart also prints its numbers (the value next to each bar or point), so it reads without
colour, and the report puts a table beside it. Suppressed values are left out and labelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import ngettext

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


@dataclass(frozen=True)
class MapArea:
    name: str
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon, WGS84
    value: float | None  # None when suppressed or empty
    text: str  # the value as shown, or the suppression mark


SHADES = ("#dbe7f3", "#b9cfe6", "#8fb3d9", "#5b8fc7", "#2f6aa8")


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon."""
    coordinates: list[Any] = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return [coordinates[0]] if coordinates else []
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in coordinates if polygon]
    return []


def map_chart(areas: Sequence[MapArea], *, title: str, width: int = 520) -> str:
    """The buurten shaded by value, each with its value printed where it fits.

    Labels never cover each other: a label that would overlap one already placed (small buurten
    side by side) is left out, and the number of buurten without a label is said under the map;
    every value is in the table next to it.
    """
    shapes = [(area, _rings(area.geometry)) for area in areas]
    points = [p for _a, rings in shapes for ring in rings for p in ring]
    if not points:
        return ""
    lons, lats = [float(p[0]) for p in points], [float(p[1]) for p in points]
    mid_lat = (min(lats) + max(lats)) / 2
    squeeze = math.cos(math.radians(mid_lat))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    pad = 10
    scale = min((width - 2 * pad) / span_x, 600 / span_y)
    height = int(span_y * scale) + 2 * pad + 24

    def xy(p: Sequence[float]) -> tuple[float, float]:
        return pad + (float(p[0]) - min(lons)) * squeeze * scale, pad + (max(lats) - float(p[1])) * scale

    values = sorted(a.value for a in areas if a.value is not None)
    low, high = (values[0], values[-1]) if values else (0.0, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif">'
    ]
    placed: list[tuple[float, float, float, float]] = []
    unlabelled = 0
    labels = []
    for area, rings in shapes:
        if area.value is None:
            fill = "#eeeeee"
        else:
            step = 0 if high <= low else min(4, int((area.value - low) / (high - low) * 5))
            fill = SHADES[step]
        path = "".join(
            "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in (xy(p) for p in ring)) + "Z" for ring in rings if ring
        )
        title_text = escape(f"{area.name}: {area.text}")
        parts.append(
            f'<path d="{path}" fill="{fill}" stroke="#ffffff" stroke-width="1.2"><title>{title_text}</title></path>'
        )
        ring = max(rings, key=len) if rings else []
        if not ring:
            continue
        cx = sum(xy(p)[0] for p in ring) / len(ring)
        cy = sum(xy(p)[1] for p in ring) / len(ring)
        box_w, box_h = 6.5 * max(len(area.text), len(area.name), 1) + 6, 28.0
        box = (cx - box_w / 2, cy - box_h / 2, cx + box_w / 2, cy + box_h / 2)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            unlabelled += 1
            continue
        placed.append(box)
        labels.append(
            f'<rect x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" rx="3" '
            f'fill="#ffffff" fill-opacity="0.85"/>'
            + _text(cx, cy - 2, area.name, anchor="middle", size=10, fill=MUTED)
            + _text(cx, cy + 11, area.text, anchor="middle", size=11, fill=INK, weight="bold")
        )
    parts.extend(labels)
    if unlabelled:
        note = ngettext(
            "%(n)s buurt zonder label (te klein); zie de tabel",
            "%(n)s buurten zonder label (te klein); zie de tabel",
            unlabelled,
        ) % {"n": unlabelled}
        parts.append(_text(pad, height - 6, note, anchor="start", size=10, fill=MUTED))
    parts.append("</svg>")
    return "".join(parts)
