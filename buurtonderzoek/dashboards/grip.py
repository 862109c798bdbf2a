"""Grip for the gemeente: what buurtpreventie does per buurt, as aggregates only.

`area_figures` counts, per buurt and for a period, incidents, canvasses, doors visited, reports the
police used and the police hours saved. Everything is a count: no incident descriptions, no
addresses. A buurt is where the address is: door visits by the visited address, incidents (and
their canvasses and reports) by the incident's address, or for an incident registered at a map
point without an address, by the buurt boundary the point lies in (place_map_points).

A fixed number of aggregate queries, whatever the number of buurten or the amount of activity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.dashboards.models import AreaMonth, AreaRefresh
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome, ReportStatus
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.geo import distance_m
from buurtonderzoek.places.models import Address, Buurt, Gemeente
from buurtonderzoek.places.queries import addresses_within_radius, rd_polygon_from_geojson

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
    """Figures per buurt id for the period start..end (both days included); a fixed number of queries."""
    codes = dict(Buurt.objects.filter(id__in=buurt_ids).values_list("code", "id"))
    since, until = period_bounds(start, end)
    addresses = _addresses(codes)
    counts = _counts(codes, since=since, until=until)
    return {
        buurt_id: AreaFigures(
            incidents=counts["incidents"][(code, None)],
            addresses=addresses.get(code, 0),
            canvasses=counts["canvasses"][(code, None)],
            doors_visited=counts["doors_visited"][(code, None)],
            reports_used=counts["reports_used"][(code, None)],
            hours_saved=hours_for_doors(counts["doors_visited"][(code, None)]),
        )
        for code, buurt_id in codes.items()
    }


# --- Where an incident is: its address, or the buurt its map point lies in ----------------------

# A map point in a buurt without a known boundary takes the buurt of the nearest address this close.
NEAREST_ADDRESS_M = 100


def place_map_points(codes: Collection[str]) -> dict[int, str]:
    """Incident id -> buurt code for the incidents registered at a map point (no address) that lie in
    one of these buurten: the point in the buurt's boundary (points on the edge count as inside), or
    for buurten without a boundary the buurt of the nearest address within NEAREST_ADDRESS_M.

    Two queries, plus one per point that lies outside every boundary when some buurten have none."""
    buurten = list(Buurt.objects.filter(code__in=codes).values_list("code", "gemeente_id", "boundary"))
    points = list(
        Incident.objects.filter(address__isnull=True, team__gemeente__in={g for _c, g, _b in buurten}).values_list(
            "id", "x", "y"
        )
    )
    if not points:
        return {}
    placed: dict[int, str] = {}
    shapes = [(code, rd_polygon_from_geojson(boundary)) for code, _g, boundary in buurten if boundary]
    if shapes:
        tree = shapely.STRtree([shape for _code, shape in shapes])
        hits = tree.query(shapely.points([(x, y) for _id, x, y in points]), predicate="intersects")
        for point, shape in zip(*hits, strict=True):
            placed.setdefault(points[point][0], shapes[shape][0])
    unbounded = {code for code, _g, boundary in buurten if not boundary}
    for incident_id, x, y in points:
        if unbounded and incident_id not in placed:
            near = addresses_within_radius(x, y, NEAREST_ADDRESS_M)
            nearest = min(near, key=lambda a: (distance_m(x, y, a.x, a.y), a.pk), default=None)
            if nearest is not None and nearest.buurt_code in unbounded:
                placed[incident_id] = nearest.buurt_code
    return placed


def _counts(
    codes: Collection[str], *, since: datetime | None = None, until: datetime | None = None, monthly: bool = False
) -> dict[str, Counter[tuple[str, date | None]]]:
    """Per figure, the count per (buurt code, local month, or None when not `monthly`) in since..until.

    Incidents, and the canvasses and reports of an incident, count in the incident's buurt (by its
    address, or by its map point: place_map_points); door visits in the buurt of the visited door.
    """
    placed = place_map_points(codes)
    tz = timezone.get_current_timezone()

    def count(qs: QuerySet[Any], key: str, moment: str, *, points: bool = False) -> Counter[tuple[str, date | None]]:
        """Rows per buurt (and month); `key` leads to the buurt code, or with `points` to the incident id."""
        if since is not None:
            qs = qs.filter(**{f"{moment}__gte": since})
        if until is not None:
            qs = qs.filter(**{f"{moment}__lt": until})
        fields = [key, "at"] if monthly else [key]
        if monthly:
            qs = qs.annotate(at=Trunc(moment, "month", tzinfo=tz))
        result: Counter[tuple[str, date | None]] = Counter()
        for *group, n in qs.values(*fields).annotate(n=Count("id")).order_by().values_list(*fields, "n"):
            code = placed.get(group[0]) if points else group[0]
            if code is not None:
                month = _month_of(group[1]) if monthly else None
                result[(code, month)] += n
        return result

    gemeenten = Buurt.objects.filter(code__in=codes).values("gemeente_id")

    def by_incident(qs: QuerySet[Any], to_incident: str, moment: str) -> Counter[tuple[str, date | None]]:
        """Rows per buurt of their incident (`to_incident` is the path from the row to the incident)."""
        code = f"{to_incident}address__buurt_code"
        counted = count(qs.filter(**{f"{code}__in": codes}), code, moment)
        if placed:
            at_points = qs.filter(
                **{f"{to_incident}address__isnull": True, f"{to_incident}team__gemeente__in": gemeenten}
            )
            counted.update(count(at_points, "incident_id" if to_incident else "id", moment, points=True))
        return counted

    return {
        "incidents": by_incident(Incident.objects.all(), "", "occurred_from"),
        "canvasses": by_incident(Canvass.objects.all(), "incident__", "created_at"),
        "doors_visited": count(
            DoorVisit.objects.filter(address__buurt_code__in=codes), "address__buurt_code", "visited_at"
        ),
        "reports_used": by_incident(PoliceReport.objects.filter(REPORT_USED), "incident__", "submitted_at"),
    }


# --- The roll-up the grip pages read (models.AreaMonth) ------------------------------------------


def _month_of(moment: datetime | date) -> date:
    """The local month of a truncated moment (a datetime on both engines; a date is taken as it is)."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return day.replace(day=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def refresh_area_months(gemeente: Gemeente) -> int:
    """Recount a gemeente's figures per buurt and month from the source tables; returns the rows written.

    Months are local (Europe/Amsterdam) months on SQLite and PostgreSQL alike.
    """
    buurten = dict(Buurt.objects.filter(gemeente=gemeente).values_list("code", "id"))
    figures = _counts(buurten, monthly=True)
    cells = {(code, month) for counts in figures.values() for code, month in counts if month is not None}
    rows = [
        AreaMonth(
            buurt_id=buurten[code],
            month=month,
            **{name: counts[(code, month)] for name, counts in figures.items()},
        )
        for code, month in sorted(cells)
    ]
    AreaRefresh.objects.get_or_create(gemeente=gemeente)
    with transaction.atomic():
        # Two workers refreshing the same gemeente take turns here instead of inserting twice.
        AreaRefresh.objects.select_for_update().get(gemeente=gemeente)
        AreaMonth.objects.filter(buurt__gemeente=gemeente).delete()
        AreaMonth.objects.bulk_create(rows, batch_size=2000)
        AreaRefresh.objects.filter(gemeente=gemeente).update(refreshed_at=timezone.now())
    return len(rows)


def request_refresh(gemeente: Gemeente) -> AreaRefresh:
    """Start a background recount when the roll-up is older than GRIP_REFRESH_MINUTES (once per interval)."""
    from buurtonderzoek.dashboards.tasks import refresh_grip_figures

    state, _created = AreaRefresh.objects.get_or_create(gemeente=gemeente)
    due = timezone.now() - timedelta(minutes=settings.GRIP_REFRESH_MINUTES)
    fresh = state.refreshed_at is not None and state.refreshed_at > due
    asked = state.requested_at is not None and state.requested_at > due
    if not fresh and not asked:
        AreaRefresh.objects.filter(pk=state.pk).update(requested_at=timezone.now())
        refresh_grip_figures.enqueue(gemeente.pk)
        state.refresh_from_db()
    return state


def addresses_per_buurt(buurt_ids: Sequence[int]) -> dict[int, int]:
    codes = dict(Buurt.objects.filter(id__in=buurt_ids).values_list("code", "id"))
    return {codes[code]: n for code, n in _addresses(codes).items()}


def _addresses(codes: Collection[str]) -> dict[str, int]:
    return dict(
        Address.objects.filter(buurt_code__in=codes)
        .values("buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("buurt_code", "n")
    )


def _from_sums(sums: dict[str, int | None], addresses: int) -> AreaFigures:
    doors = sums.get("doors_visited") or 0
    return AreaFigures(
        incidents=sums.get("incidents") or 0,
        addresses=addresses,
        canvasses=sums.get("canvasses") or 0,
        doors_visited=doors,
        reports_used=sums.get("reports_used") or 0,
        hours_saved=hours_for_doors(doors),
    )


ROLLED = ("incidents", "canvasses", "doors_visited", "reports_used")


def rolled_up_figures(buurt_ids: Sequence[int], *, first: date, last: date) -> dict[int, AreaFigures]:
    """Figures per buurt for the months first..last (first days of months), from the roll-up; 3 queries."""
    addresses = addresses_per_buurt(buurt_ids)
    sums = {
        row["buurt_id"]: row
        for row in AreaMonth.objects.filter(buurt__in=buurt_ids, month__gte=first, month__lte=last)
        .values("buurt_id")
        .annotate(**{name: Sum(name) for name in ROLLED})
        .order_by()
    }
    return {b: _from_sums(sums.get(b, {}), addresses.get(b, 0)) for b in buurt_ids}


@dataclass(frozen=True)
class MonthFigures:
    month: date
    current: AreaFigures
    previous: AreaFigures  # the same month a year earlier


def monthly_figures(buurt_ids: Sequence[int], *, first: date, last: date, addresses: int) -> list[MonthFigures]:
    """The area's figures per month first..last, each beside the same month a year earlier; 1 query."""
    rows = {
        row["month"]: row
        for row in AreaMonth.objects.filter(buurt__in=buurt_ids, month__gte=add_months(first, -12), month__lte=last)
        .values("month")
        .annotate(**{name: Sum(name) for name in ROLLED})
        .order_by()
    }
    months = []
    month = first
    while month <= last:
        months.append(
            MonthFigures(
                month,
                _from_sums(rows.get(month, {}), addresses),
                _from_sums(rows.get(add_months(month, -12), {}), addresses),
            )
        )
        month = add_months(month, 1)
    return months


FIGURES = {
    "per_1000": _("Incidenten per 1.000 adressen"),
    "incidents": _("Incidenten"),
    "canvasses": _("Buurtonderzoeken"),
    "doors_visited": _("Deuren bezocht"),
    "reports_used": _("Verslagen gebruikt door de politie"),
    "hours_saved": _("Uren politie bespaard (geschat)"),
}


def figure_value(figures: AreaFigures, key: str) -> Decimal | int | None:
    if key == "per_1000":
        return figures.incidents_per_1000_addresses
    value: Decimal | int = getattr(figures, key)
    return value
