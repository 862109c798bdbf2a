"""The printable police report (WeasyPrint) with a map drawn as inline SVG from RD coordinates.

RD New is a metric grid, so the map needs no projection and no tiles: every planned door is a dot
coloured by what happened there, the incident a red cross, camera leads numbered squares, with a
scale bar and a north arrow. Two variants are rendered from the same stored document: the police's
(with the contact details of witnesses who consented) and the team's (without).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from buurtonderzoek.canvass.coverage import OPEN, STATE_COLOURS, door_states
from buurtonderzoek.canvass.models import DoorVisit, Outcome, RouteStop
from buurtonderzoek.handoff.document import with_contacts
from buurtonderzoek.handoff.models import PoliceReport, ReportSupplement

SCALE_STEPS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)


@dataclass(frozen=True)
class MapPoint:
    x: int
    y: int
    state: str


@dataclass(frozen=True)
class MapMarker:
    x: int
    y: int
    label: str


def map_svg(
    doors: Sequence[MapPoint],
    *,
    incident: tuple[int, int],
    cameras: Sequence[MapMarker] = (),
    width: int = 640,
    height: int = 420,
    pad: int = 24,
) -> SafeString:
    xs = [p.x for p in doors] + [incident[0]] + [c.x for c in cameras]
    ys = [p.y for p in doors] + [incident[1]] + [c.y for c in cameras]
    span_x = max(max(xs) - min(xs), 60)
    span_y = max(max(ys) - min(ys), 60)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def px(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" class="report-map">',
        f'<rect width="{width}" height="{height}" fill="#f7f7f5" stroke="#8a8f98"/>',
    ]
    # One path of dots per state (zero-length segments with round caps): a thousand doors stay a
    # handful of elements, which keeps the PDF layout fast. Open doors first, visited ones on top.
    by_state: dict[str, list[str]] = {}
    for point in doors:
        x, y = px(point.x, point.y)
        by_state.setdefault(point.state, []).append(f"M{x:.1f} {y:.1f}h.01")
    for state in sorted(by_state, key=lambda st: st != OPEN):
        colour = STATE_COLOURS.get(state, STATE_COLOURS[OPEN])
        parts.append(
            f'<path d="{"".join(by_state[state])}" stroke="{colour}" stroke-width="5.2" '
            'stroke-linecap="round" fill="none"/>'
        )
    labelled: set[tuple[int, int]] = set()
    for marker in cameras:
        x, y = px(marker.x, marker.y)
        parts.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" '
            'stroke="#1d4ed8" stroke-width="2"/>'
        )
        # Label a camera only where no other label sits yet: thirty numbers on one block are unreadable.
        cell = (int(x // 26), int(y // 14))
        if cell not in labelled:
            labelled.add(cell)
            parts.append(
                f'<text x="{x + 7:.1f}" y="{y + 4:.1f}" font-size="9" font-weight="bold" fill="#1d4ed8">'
                f"{escape(marker.label)}</text>"
            )
    ix, iy = px(*incident)
    parts.append(
        f'<path d="M {ix - 8:.1f} {iy - 8:.1f} L {ix + 8:.1f} {iy + 8:.1f} M {ix - 8:.1f} {iy + 8:.1f} '
        f'L {ix + 8:.1f} {iy - 8:.1f}" stroke="#b00020" stroke-width="4"/>'
    )
    # Scale bar: the largest round length that fits in a quarter of the width.
    metres = max((s for s in SCALE_STEPS if s * scale <= width / 4), default=SCALE_STEPS[0])
    bar = metres * scale
    parts.append(f'<rect x="{pad}" y="{height - pad}" width="{bar:.1f}" height="5" fill="#1b1f24"/>')
    parts.append(f'<text x="{pad}" y="{height - pad - 5}" font-size="11">{metres} m</text>')
    parts.append(f'<text x="{width - 18}" y="20" font-size="13" font-weight="bold">N</text>')
    parts.append(f'<path d="M {width - 13} 25 l -5 12 l 10 0 z" fill="#1b1f24"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and escaped labels only


def report_map(report: PoliceReport | ReportSupplement) -> SafeString:
    stops = list(
        RouteStop.objects.filter(canvass=report.canvass_id).values_list("address_id", "address__x", "address__y")
    )
    visits = (
        DoorVisit.objects.filter(canvass=report.canvass_id)
        .order_by("visited_at", "id")
        .values_list("address_id", "outcome")
    )
    states = door_states(visits)
    doors = [MapPoint(x, y, states.get(address_id, OPEN)) for address_id, x, y in stops]
    cameras = [
        MapMarker(lead["address"]["rd"]["x"], lead["address"]["rd"]["y"], f"C{n}")
        for n, lead in enumerate(report.document.get("camera_leads", []), start=1)
        if lead["address"]["rd"]["x"] is not None
    ]
    incident = report.document["incident"]["location"]["rd"]
    return map_svg(doors, incident=(incident["x"], incident["y"]), cameras=cameras)


def legend() -> list[tuple[str, str]]:
    from buurtonderzoek.canvass.coverage import STATE_COLOURS as colours

    labels = {OPEN: "niet bezocht", **{o.value: str(o.label) for o in Outcome}}
    return [(colours[key], labels[key]) for key in colours]


def _report_html(report: PoliceReport | ReportSupplement) -> str:
    return render_to_string(
        "handoff/report_pdf.html",
        {
            "report": report,
            "doc": report.document,
            "map_svg": report_map(report),
            "legend": legend(),
            "printed_at": timezone.now(),
            "hours_saved": report.hours_saved,
        },
    )


def render_supplement(supplement: ReportSupplement, *, progress: Callable[[int], None] | None = None) -> bytes:
    """A supplement's PDF: the report's layout over the late statements, without a contacts annex."""
    from weasyprint import HTML

    html = _report_html(supplement)
    if progress:
        progress(30)
    content: bytes = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    return content


def render_pair(report: PoliceReport, *, progress: Callable[[int], None] | None = None) -> tuple[bytes, bytes]:
    """(police PDF, team PDF). The report is laid out once; the police copy adds a contacts annex.

    Laying out a long report is the expensive part (seconds for 20 pages), so the two variants
    share it: the team PDF is the report, the police PDF is the same pages plus one annex with the
    contact details of the witnesses who consented, looked up now.
    """
    from weasyprint import HTML

    def step(percent: int) -> None:
        if progress:
            progress(percent)

    base_url = str(settings.BASE_DIR / "static")
    html = _report_html(report)
    step(15)
    main = HTML(string=html, base_url=base_url).render()
    step(65)
    team: bytes = main.write_pdf()
    step(80)
    document, added = with_contacts(report.document, report.witness_sources)
    contacts = [
        {"ref": item["ref"], "address": item.get("address", {}).get("label", ""), "contact": item["contact"]}
        for item in [*document.get("witnesses", []), *document.get("tips", [])]
        if item.get("contact")
    ]
    if not added:
        return team, team
    annex = HTML(
        string=render_to_string(
            "handoff/report_pdf_annex.html",
            {"report": report, "contacts": contacts, "number": report.document["report"]["number"]},
        ),
        base_url=base_url,
    ).render()
    police: bytes = main.copy([*main.pages, *annex.pages]).write_pdf()
    step(95)
    return police, team
