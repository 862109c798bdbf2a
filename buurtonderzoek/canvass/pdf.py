"""Printable documents: the walking list per route and the leaflet with the tip QR code.

HTML templates with CSS paged media, rendered by WeasyPrint. The route map on the walking list is
a small SVG drawn here from RD coordinates (metres, so no projection is needed), so the list
prints with a map even where no map tiles can be fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from buurtonderzoek.canvass.models import RouteStop
from buurtonderzoek.incidents.models import Incident


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base_url = str(settings.BASE_DIR / "static")
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


def tip_url(incident: Incident) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tip_form", args=[incident.public_token])


def qr_svg(data: str) -> SafeString:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration: the SVG goes inline into HTML.
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :]
    return mark_safe(svg)


def route_svg(stops: Sequence[RouteStop], *, width: int = 360, height: int = 240, pad: int = 16) -> SafeString:
    """The route as a line through numbered stops, north up, on a blank background."""
    if not stops:
        return mark_safe("")
    xs = [s.address.x for s in stops]
    ys = [s.address.y for s in stops]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 40)
    scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def px(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale

    points = [px(s.address.x, s.address.y) for s in stops]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" class="route-map">',
        f'<rect width="{width}" height="{height}" fill="#f7f7f5" stroke="#999"/>',
        f'<polyline points="{path}" fill="none" stroke="#0b5394" stroke-width="2" stroke-linejoin="round"/>',
    ]
    labelled: set[tuple[int, int]] = set()
    for stop, (x, y) in zip(stops, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="#1b1f24"/>')
        cell = (int(x // 22), int(y // 14))
        if stop is stops[0] or stop is stops[-1] or cell not in labelled:
            labelled.add(cell)
            parts.append(f'<text x="{x + 3:.1f}" y="{y - 3:.1f}" font-size="8" fill="#1b1f24">{stop.order}</text>')
    first, last = points[0], points[-1]
    parts.append(f'<circle cx="{first[0]:.1f}" cy="{first[1]:.1f}" r="5" fill="#1e6b34"/>')
    parts.append(f'<rect x="{last[0] - 4:.1f}" y="{last[1] - 4:.1f}" width="8" height="8" fill="#b00020"/>')
    parts.append(f'<text x="{width - 14}" y="16" font-size="12" font-weight="bold">{escape("N")}</text>')
    parts.append(f'<path d="M {width - 10} 20 l -4 10 l 8 0 z" fill="#1b1f24"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
