"""Grip for the gemeente: what buurtpreventie does per buurt, as aggregates only.

`area_figures` counts, per buurt and for a period, incidents, canvasses, doors visited, reports the
police used and the police hours saved. Everything is a count: no incident descriptions, no
addresses. A buurt is where the address is: door visits by the visited address, incidents (and
their canvasses and reports) by the incident's address; incidents registered at a map point
without an address are not placed in a buurt.

A fixed number of aggregate queries, whatever the number of buurten or the amount of activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome, ReportStatus
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Address, Buurt

# A report counts as used by the police when they marked it used, or closed it with an outcome
# saying the information helped.
USED_OUTCOMES = (
    ReportOutcome.SUSPECT_IDENTIFIED,
    ReportOutcome.SUSPECT_ARRESTED,
    ReportOutcome.GOODS_RECOVERED,
    ReportOutcome.INFORMATION_USED,
)
REPORT_USED = Q(status=ReportStatus.USED) | Q(outcome__in=USED_OUTCOMES)


def hours_for_doors(doors: int) -> Decimal:
    """Police hours saved: doors x MINUTES_PER_DOOR, as on the police start page."""
    minutes = Decimal(doors) * Decimal(settings.MINUTES_PER_DOOR)
    return (minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AreaFigures:
    incidents: int = 0
    addresses: int = 0
    canvasses: int = 0
    doors_visited: int = 0
    reports_used: int = 0
    hours_saved: Decimal = Decimal("0.0")

    @property
    def incidents_per_1000_addresses(self) -> Decimal | None:
        if not self.addresses:
            return None
        return (Decimal(self.incidents) * 1000 / self.addresses).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def __add__(self, other: AreaFigures) -> AreaFigures:
        doors = self.doors_visited + other.doors_visited
        return AreaFigures(
            incidents=self.incidents + other.incidents,
            addresses=self.addresses + other.addresses,
            canvasses=self.canvasses + other.canvasses,
            doors_visited=doors,
            reports_used=self.reports_used + other.reports_used,
            hours_saved=hours_for_doors(doors),
        )


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end` (inclusive), in local time."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def area_figures(buurt_ids: Sequence[int], *, start: date, end: date) -> dict[int, AreaFigures]:
    """Figures per buurt id for the period start..end (both days included); six queries."""
    codes = dict(Buurt.objects.filter(id__in=buurt_ids).values_list("code", "id"))
    since, until = period_bounds(start, end)

    def per_buurt(rows: object) -> dict[str, int]:
        return {code: n for code, n in rows}  # type: ignore[attr-defined]

    addresses = per_buurt(
        Address.objects.filter(buurt_code__in=codes)
        .values("buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("buurt_code", "n")
    )
    incidents = per_buurt(
        Incident.objects.filter(address__buurt_code__in=codes, occurred_from__gte=since, occurred_from__lt=until)
        .values("address__buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("address__buurt_code", "n")
    )
    canvasses = per_buurt(
        Canvass.objects.filter(incident__address__buurt_code__in=codes, created_at__gte=since, created_at__lt=until)
        .values("incident__address__buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("incident__address__buurt_code", "n")
    )
    doors = per_buurt(
        DoorVisit.objects.filter(address__buurt_code__in=codes, visited_at__gte=since, visited_at__lt=until)
        .values("address__buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("address__buurt_code", "n")
    )
    used = per_buurt(
        PoliceReport.objects.filter(
            REPORT_USED,
            incident__address__buurt_code__in=codes,
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
        .values("incident__address__buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("incident__address__buurt_code", "n")
    )
    return {
        buurt_id: AreaFigures(
            incidents=incidents.get(code, 0),
            addresses=addresses.get(code, 0),
            canvasses=canvasses.get(code, 0),
            doors_visited=doors.get(code, 0),
            reports_used=used.get(code, 0),
            hours_saved=hours_for_doors(doors.get(code, 0)),
        )
        for code, buurt_id in codes.items()
    }
