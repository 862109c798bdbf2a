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
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.dashboards.models import AreaMonth, AreaRefresh
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome, ReportStatus
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Address, Buurt, Gemeente

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


# --- The roll-up the grip pages read (models.AreaMonth) ------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _monthly(rows: object) -> dict[tuple[str, date], int]:
    result: dict[tuple[str, date], int] = {}
    for code, moment, n in rows:  # type: ignore[attr-defined]
        month = timezone.localtime(moment).date().replace(day=1) if isinstance(moment, datetime) else moment
        result[(code, month)] = result.get((code, month), 0) + n
    return result


def refresh_area_months(gemeente: Gemeente) -> int:
    """Recount a gemeente's figures per buurt and month from the source tables; returns the rows written.

    Months are local (Europe/Amsterdam) months on SQLite and PostgreSQL alike.
    """
    buurten = dict(Buurt.objects.filter(gemeente=gemeente).values_list("code", "id"))
    tz = timezone.get_current_timezone()

    def counted(qs: object, code_field: str, moment_field: str) -> dict[tuple[str, date], int]:
        return _monthly(
            qs.values(code_field)  # type: ignore[attr-defined]
            .annotate(at=Trunc(moment_field, "month", tzinfo=tz))
            .values(code_field, "at")
            .annotate(n=Count("id"))
            .order_by()
            .values_list(code_field, "at", "n")
        )

    figures = {
        "incidents": counted(
            Incident.objects.filter(address__buurt_code__in=buurten), "address__buurt_code", "occurred_from"
        ),
        "canvasses": counted(
            Canvass.objects.filter(incident__address__buurt_code__in=buurten),
            "incident__address__buurt_code",
            "created_at",
        ),
        "doors_visited": counted(
            DoorVisit.objects.filter(address__buurt_code__in=buurten), "address__buurt_code", "visited_at"
        ),
        "reports_used": counted(
            PoliceReport.objects.filter(REPORT_USED, incident__address__buurt_code__in=buurten),
            "incident__address__buurt_code",
            "submitted_at",
        ),
    }
    cells = {key for counts in figures.values() for key in counts}
    rows = [
        AreaMonth(
            buurt_id=buurten[code],
            month=month,
            **{name: counts.get((code, month), 0) for name, counts in figures.items()},
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
    counts = (
        Address.objects.filter(buurt_code__in=codes)
        .values("buurt_code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("buurt_code", "n")
    )
    return {codes[code]: n for code, n in counts}


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
