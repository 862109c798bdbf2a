"""Printable documents: the walking list per route and the leaflet with the tip QR code.

HTML templates with CSS paged media, rendered by WeasyPrint. The route map on the walking list is
a small SVG drawn here from RD coordinates (metres, so no projection is needed), so the list
prints with a map even where no map tiles can be fetched.

Both are background jobs (jobs app): `walking_lists_document` makes one route's list or all of a
canvass (up to 5,000 doors), `leaflet_document` as many leaflets as there are doors. The leaflet is
laid out once and its page repeated (pypdf), so 5,000 copies cost little more than one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from buurtonderzoek.canvass.access import get_canvass_for_user, require_team_member, visible_routes
from buurtonderzoek.canvass.models import Canvass, Outcome, Route, RouteStop
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.jobs.kinds import PDF, Document, JobRefused, Progress
from buurtonderzoek.jobs.models import Job


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base_url = str(settings.BASE_DIR / "static")
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


MAX_LEAFLETS = 5000  # one per door of the largest canvass (planning.MAX_PLAN_DOORS)
LEAFLET_SIZES = ("A5", "A6")


def _canvass_for(job: Job) -> tuple[Incident, Canvass]:
    """The job's incident and canvass, if the requester may (still) see them."""
    try:
        return get_canvass_for_user(job.requested_by, int(job.params["incident"]))
    except (Http404, PermissionDenied):
        raise JobRefused(_("U heeft geen toegang (meer) tot dit buurtonderzoek.")) from None


def leaflet_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds): `copies` leaflets of one size, one per page."""
    from weasyprint import HTML

    incident, canvass = _canvass_for(job)
    try:
        require_team_member(job.requested_by, incident)
    except PermissionDenied:
        raise JobRefused(_("Alleen leden van het team kunnen briefjes afdrukken.")) from None
    size = job.params["size"] if job.params.get("size") in LEAFLET_SIZES else "A6"
    copies = max(1, min(MAX_LEAFLETS, int(job.params.get("copies", 1))))
    url = tip_url(incident)
    html = render_to_string(
        "canvass/leaflet.html",
        {"incident": incident, "canvass": canvass, "size": size, "copies": range(1), "url": url, "qr": qr_svg(url)},
    )
    page = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    progress(40)
    # Every copy is the same page: lay it out once and repeat it (WeasyPrint would lay out and
    # draw 5,000 pages: two minutes of CPU and 30 MB; this takes well under a second).
    reader = PdfReader(io.BytesIO(page))
    writer = PdfWriter()
    for _copy in range(copies):
        writer.add_page(reader.pages[0])
    out = io.BytesIO()
    writer.write(out)
    return Document(out.getvalue(), f"briefjes-{size.lower()}-{copies}.pdf", PDF)


def walking_list_context(incident: Incident, canvass: Canvass, route: Route) -> dict[str, Any]:
    stops = list(route.stops.select_related("address").order_by("order"))
    groups: list[dict[str, Any]] = []
    for stop in stops:
        key = (stop.street, stop.side)
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "street": stop.street, "side": stop.get_side_display(), "stops": []})
        groups[-1]["stops"].append(stop)
    return {
        "incident": incident,
        "canvass": canvass,
        "route": route,
        "members": list(route.members.all()),
        "groups": groups,
        "map_svg": route_svg(stops),
        "outcomes": list(Outcome),
        "printed_at": timezone.now(),
    }


def walking_lists_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds): the walking lists of the chosen routes (all the
    requester may see when none are named), each with its own page numbers, in one PDF."""
    from weasyprint import HTML

    incident, canvass = _canvass_for(job)
    routes = visible_routes(job.requested_by, canvass)
    wanted = job.params.get("routes")
    if wanted:
        routes = routes.filter(pk__in=wanted)
    chosen = list(routes.prefetch_related("members"))
    if not chosen:
        raise JobRefused(_("Er is geen route om af te drukken; misschien is het buurtonderzoek opnieuw gepland."))
    documents = []
    for index, route in enumerate(chosen, start=1):
        html = render_to_string("canvass/walking_list.html", walking_list_context(incident, canvass, route))
        documents.append(HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render())
        progress(5 + 85 * index // len(chosen))
    pages = [page for document in documents for page in document.pages]
    content: bytes = documents[0].copy(pages).write_pdf()
    name = f"looplijst-route-{chosen[0].number}.pdf" if len(chosen) == 1 else "looplijsten.pdf"
    return Document(content, name, PDF)


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
