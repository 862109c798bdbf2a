"""What canvassing is worth to the police: totals per period, per unit and per team (DOMAIN.md section 7).

Only the figures each report froze when it was sent are read (door counts, camera leads, the hours from
the incident to the first door and to the report), plus the police's usefulness and outcome; the door
visits themselves are never scanned, so the number of queries and most of the work do not grow with
the data. The page, the API and the
quarterly value report (PDF) all read `police_totals`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import PoliceUnit, Team
from buurtonderzoek.handoff.models import HelpfulPart, PoliceReport, ReportOutcome


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self == quarter_of(self.start):
            return _("%(q)de kwartaal %(year)d") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return _("%(start)s t/m %(end)s") % {"start": f"{self.start:%d-%m-%Y}", "end": f"{self.end:%d-%m-%Y}"}

    @property
    def slug(self) -> str:
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def quarter_of(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return Period(start, next_start - timedelta(days=1))


def recent_quarters(today: date, count: int = 4) -> list[Period]:
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarter_of(quarters[-1].start - timedelta(days=1)))
    return quarters


@dataclass
class Totals:
    """The figures for one group of reports (everything, one unit or one team)."""

    label: str
    reports: int = 0
    doors: int = 0
    camera_leads: int = 0
    rated: int = 0
    usefulness_sum: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    helpful: Counter[str] = field(default_factory=Counter)
    hours_to_first_door: list[float] = field(default_factory=list)
    hours_to_report: list[float] = field(default_factory=list)

    @property
    def hours_saved(self) -> Decimal:
        minutes = Decimal(self.doors * settings.MINUTES_PER_DOOR)
        return (minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def usefulness(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.usefulness_sum) / self.rated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def median_hours_to_first_door(self) -> Decimal | None:
        return _median(self.hours_to_first_door)

    @property
    def median_hours_to_report(self) -> Decimal | None:
        return _median(self.hours_to_report)

    @property
    def outcome_rows(self) -> list[tuple[str, str, int]]:
        return [(o.value, str(o.label), self.outcomes[o.value]) for o in ReportOutcome if self.outcomes[o.value]]

    @property
    def with_outcome(self) -> int:
        return sum(self.outcomes.values())

    @property
    def without_outcome(self) -> int:
        return self.reports - self.with_outcome

    @property
    def helpful_rows(self) -> list[tuple[str, str, int]]:
        return [(p.value, str(p.label), self.helpful[p.value]) for p in HelpfulPart]

    def add_counts(self, row: dict[str, Any]) -> None:
        """One (unit, team) row of the grouped query: counts and sums, added up."""
        self.reports += row["reports"]
        self.doors += row["doors"] or 0
        self.camera_leads += row["cameras"] or 0
        self.rated += row["rated"]
        self.usefulness_sum += row["usefulness_sum"] or 0
        for outcome in ReportOutcome.values:
            self.outcomes[outcome] += row[f"o_{outcome}"]
        for part in HelpfulPart.values:
            self.helpful[part] += row[f"h_{part}"]

    def add_hours(self, to_first_door: float | None, to_report: float | None) -> None:
        if to_first_door is not None:
            self.hours_to_first_door.append(to_first_door)
        if to_report is not None:
            self.hours_to_report.append(to_report)

    def as_dict(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "reports": self.reports,
            "doors_visited": self.doors,
            "hours_saved": float(self.hours_saved),
            "camera_leads": self.camera_leads,
            "median_hours_to_first_door": num(self.median_hours_to_first_door),
            "median_hours_to_report": num(self.median_hours_to_report),
            "usefulness_mean": num(self.usefulness),
            "usefulness_rated": self.rated,
            "outcomes": {o.value: self.outcomes[o.value] for o in ReportOutcome},
            "without_outcome": self.without_outcome,
            "helpful_parts": {p.value: self.helpful[p.value] for p in HelpfulPart},
        }


def _median(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(statistics.median(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class PoliceTotals:
    period: Period
    overall: Totals
    units: list[Totals]
    teams: list[Totals]
    minutes_per_door: int

    @property
    def group_tables(self) -> list[tuple[str, str, str, list[Totals]]]:
        return [
            ("units-title", _("Per politie-eenheid"), _("Cijfers per politie-eenheid"), self.units),
            ("teams-title", _("Per team"), _("Cijfers per buurtpreventieteam"), self.teams),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "minutes_per_door": self.minutes_per_door,
            "totals": self.overall.as_dict(),
            "units": [{"name": t.label, **t.as_dict()} for t in self.units],
            "teams": [{"name": t.label, **t.as_dict()} for t in self.teams],
        }


def police_totals(user: Any, period: Period) -> PoliceTotals:
    """Totals over the reports sent to the user's units (all units for a platform admin) in `period`.

    A fixed four queries whatever the volume: one grouped by unit and team for every count and sum (the
    database does the counting), the names of those units and teams, and one list of the frozen hours per
    report for the medians, which SQLite cannot compute in SQL.
    """
    start, end = period.bounds()
    reports = PoliceReport.objects.inbox(user).filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    counts = list(
        reports.annotate(parts_text=Cast("helpful_parts", TextField()))
        .values("unit_id", "incident__team_id")
        .annotate(
            reports=Count("id"),
            doors=Sum("doors_visited"),
            cameras=Sum("camera_lead_count"),
            rated=Count("usefulness"),
            usefulness_sum=Sum("usefulness"),
            **{f"o_{o}": Count("id", filter=Q(outcome=o)) for o in ReportOutcome.values},
            # The list is stored as JSON text; a part is there when its quoted name is.
            **{f"h_{p}": Count("id", filter=Q(parts_text__contains=f'"{p}"')) for p in HelpfulPart.values},
        )
    )
    # Names apart: grouping on two integers is cheaper than on three texts.
    unit_names = dict(PoliceUnit.objects.filter(pk__in={r["unit_id"] for r in counts}).values_list("id", "name"))
    team_names = {
        pk: f"{name} ({gemeente})"
        for pk, name, gemeente in Team.objects.filter(pk__in={r["incident__team_id"] for r in counts}).values_list(
            "id", "name", "gemeente__name"
        )
    }
    overall = Totals(_("Totaal"))
    units: dict[int, Totals] = {}
    teams: dict[int, Totals] = {}
    for row in counts:
        overall.add_counts(row)
        units.setdefault(row["unit_id"], Totals(unit_names[row["unit_id"]])).add_counts(row)
        team_id = row["incident__team_id"]
        teams.setdefault(team_id, Totals(team_names[team_id])).add_counts(row)
    hours = reports.values_list("unit_id", "incident__team_id", "hours_to_first_door", "hours_to_report")
    # One fetch, not a server-side cursor: DECLARE, FETCH and CLOSE are each a round trip, and on a busy
    # machine every round trip waits for the CPU twice; the rows are four small numbers each.
    for unit_id, team_id, to_first_door, to_report in list(hours):
        overall.add_hours(to_first_door, to_report)
        units[unit_id].add_hours(to_first_door, to_report)
        teams[team_id].add_hours(to_first_door, to_report)
    return PoliceTotals(
        period=period,
        overall=overall,
        units=sorted(units.values(), key=lambda t: t.label),
        teams=sorted(teams.values(), key=lambda t: t.label),
        minutes_per_door=settings.MINUTES_PER_DOOR,
    )


def parse_period(data: Any, today: date) -> tuple[Period, str]:
    """The period from `van`/`tot` (dates) in a query string; the current quarter when absent.

    Returns the period and a Dutch error message ("" when the input was fine)."""
    raw_start, raw_end = (data.get("van") or "").strip(), (data.get("tot") or "").strip()
    if not raw_start and not raw_end:
        return quarter_of(today), ""
    try:
        start = date.fromisoformat(raw_start)
        end = date.fromisoformat(raw_end)
    except ValueError:
        return quarter_of(today), _("Vul twee datums in (van en tot), bijvoorbeeld 2026-01-01 en 2026-03-31.")
    if end < start:
        return quarter_of(today), _("De einddatum ligt voor de begindatum; draai ze om.")
    if (end - start).days > 366 * 5:
        return quarter_of(today), _("Kies een periode van hoogstens vijf jaar.")
    return Period(start, end), ""
