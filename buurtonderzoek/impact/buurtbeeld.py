"""The buurtbeeld: what the system already knows about a table's area, prepared before a meeting.

Per buurt: the monitor's latest closed-wave figures for the key indicators with the change since the
previous wave (the monitor's own estimates, suppression and verdicts: monitor/results.py), the
incidents, canvasses, doors, reports the police used and hours saved over the last twelve months
against the twelve before (dashboards/grip.area_figures), and the health of the teams working there
(dashboards/health.team_health), and what the police did with the area's reports (outcomes and the
usefulness rating, for the whole area). Aggregates only: no incident descriptions, no addresses, no names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.impact.models import PartnerTable
from buurtonderzoek.monitor.indicators import indicators_for
from buurtonderzoek.monitor.results import Comparison, Figure, load_results
from buurtonderzoek.places.models import Buurt

# Social cohesion has two definitions (monitor questionnaire versions): the six VM 2021 statements
# (`cohesion_vm2021`) and the four from before (`cohesion`); the latest wave's own one is shown.
KEY_INDICATORS = ("unsafe_buurt", "mark_safety", "cohesion_vm2021", "cohesion", "watch_aware")
ACTIVITY = ("incidents", "canvasses", "doors_visited", "reports_used", "hours_saved")


@dataclass
class IndicatorLine:
    label: str
    figure: Figure
    change: Comparison | None


@dataclass
class BuurtLine:
    buurt: Buurt
    indicators: list[IndicatorLine] = field(default_factory=list)
    activity: list[tuple[str, float, float]] = field(default_factory=list)  # key, last year, year before


@dataclass
class Picture:
    table: PartnerTable
    made_on: date
    wave_name: str
    previous_name: str
    buurten: list[BuurtLine]
    teams: list[Any]  # health.TeamHealth
    activity_labels: dict[str, str]
    police: PoliceLine


@dataclass
class PoliceLine:
    """What the police did with the area's reports in the last twelve months (area level, no cases)."""

    reports: int
    outcomes: list[tuple[str, int]]  # label, number of reports
    waiting: int  # reports without an outcome yet
    usefulness: float | None  # mean rating 1-5 where rated


def police_line(buurten: list[Buurt], *, since: date) -> PoliceLine:
    from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome

    rows = PoliceReport.objects.filter(
        incident__address__buurt_code__in=[b.code for b in buurten], submitted_at__date__gte=since
    )
    counts = dict(rows.values("outcome").annotate(n=Count("id")).order_by().values_list("outcome", "n"))
    rated = rows.filter(usefulness__isnull=False).aggregate(mean=Avg("usefulness"))["mean"]
    return PoliceLine(
        reports=sum(counts.values()),
        outcomes=[(str(o.label), counts[o.value]) for o in ReportOutcome if counts.get(o.value)],
        waiting=counts.get("", 0),
        usefulness=float(rated) if rated is not None else None,
    )


def area_buurten(table: PartnerTable) -> list[Buurt]:
    rows = Buurt.objects.filter(gemeente_id=table.gemeente_id).select_related("wijk")
    if table.wijk_id:
        rows = rows.filter(wijk_id=table.wijk_id)
    return list(rows.order_by("wijk__name", "name"))


def build(table: PartnerTable, *, today: date | None = None) -> Picture:
    from django.utils.translation import gettext as _

    from buurtonderzoek.dashboards.grip import area_figures
    from buurtonderzoek.dashboards.health import team_health

    today = today or timezone.localdate()
    buurten = area_buurten(table)
    results = load_results(table.gemeente, today=today, finished_only=True, buurten=buurten)
    latest = results.latest
    previous = results.previous(latest) if latest else None
    measured = {i.key for i in indicators_for(latest.version.parsed)} if latest is not None else set()
    indicators = [
        results.indicator_by_key[k] for k in KEY_INDICATORS if k in results.indicator_by_key and k in measured
    ]

    ids = [b.pk for b in buurten]
    year = timedelta(days=365)
    recent = area_figures(ids, start=today - year, end=today)
    before = area_figures(ids, start=today - 2 * year, end=today - year - timedelta(days=1))

    lines = []
    for buurt in buurten:
        line = BuurtLine(buurt)
        if latest is not None and latest.pk in results.invited:
            key = ("buurt", buurt.pk)
            for indicator in indicators:
                figure = results.invited[latest.pk].figure(key, indicator)
                line.indicators.append(
                    IndicatorLine(str(indicator.label), figure, results.compare_waves(key, indicator, latest, previous))
                )
        for metric in ACTIVITY:
            now_value = getattr(recent[buurt.pk], metric, 0) if buurt.pk in recent else 0
            then_value = getattr(before[buurt.pk], metric, 0) if buurt.pk in before else 0
            line.activity.append((metric, float(now_value), float(then_value)))
        lines.append(line)

    teams = Team.objects.filter(gemeente_id=table.gemeente_id)
    if table.wijk_id:
        teams = teams.filter(buurten__wijk_id=table.wijk_id).distinct()
    labels = {
        "incidents": _("incidenten"),
        "canvasses": _("buurtonderzoeken"),
        "doors_visited": _("bezochte deuren"),
        "reports_used": _("verslagen gebruikt door de politie"),
        "hours_saved": _("uren bespaard"),
    }
    return Picture(
        table=table,
        made_on=today,
        wave_name=latest.name if latest else "",
        previous_name=previous.name if previous else "",
        buurten=lines,
        teams=team_health(list(teams.order_by("name")), now=timezone.now()),
        activity_labels=labels,
        police=police_line(buurten, since=today - year),
    )
