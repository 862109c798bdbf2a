"""Recognition for volunteers (DOMAIN.md section 7): "Mijn inzet", the team's page and the yearly figures
on the certificate of contribution.

"Mijn inzet" lists every canvass the volunteer walked, with their own doors and conversations and what
the police did with the report (status, outcome, usefulness, feedback) and the thanks they received.
The team page has the same totals and tells each outcome as a short story without personal data: the
kind of incident, the buurt and the month, the figures and the police's verdict, never an address, a
name or a statement. Each is a fixed handful of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome, Route
from buurtonderzoek.handoff.models import HelpfulPart, PoliceReport, ReportFeedback, Thanks
from buurtonderzoek.places.models import Buurt


@dataclass
class CanvassEffort:
    canvass: Canvass
    doors: int
    spoken: int
    first_visit: datetime
    report: PoliceReport | None = None
    feedback: list[ReportFeedback] = field(default_factory=list)
    thanks: list[Thanks] = field(default_factory=list)

    @property
    def helped(self) -> str:
        parts = self.report.helpful_parts if self.report else []
        return ", ".join(str(HelpfulPart(p).label) for p in parts if p in HelpfulPart.values)


@dataclass(frozen=True)
class Effort:
    canvasses: list[CanvassEffort]
    thanks_received: int

    @property
    def doors(self) -> int:
        return sum(c.doors for c in self.canvasses)

    @property
    def spoken(self) -> int:
        return sum(c.spoken for c in self.canvasses)

    @property
    def reports(self) -> int:
        return sum(1 for c in self.canvasses if c.report is not None)


def my_effort(user: Any, *, year: int | None = None) -> Effort:
    """Everything `user` walked (in `year`, if given), newest first, with the police's answer to each."""
    visits = DoorVisit.objects.filter(volunteer=user)
    if year is not None:
        visits = visits.filter(visited_at__year=year)
    rows = {
        r["canvass"]: r
        for r in visits.order_by()
        .values("canvass")
        .annotate(doors=Count("id"), spoken=Count("id", filter=Q(outcome=Outcome.GESPROKEN)), first=Min("visited_at"))
    }
    canvasses = Canvass.objects.filter(pk__in=rows).select_related("incident__team", "police_report")
    efforts = {
        c.pk: CanvassEffort(
            canvass=c,
            doors=rows[c.pk]["doors"],
            spoken=rows[c.pk]["spoken"],
            first_visit=rows[c.pk]["first"],
            report=getattr(c, "police_report", None),
        )
        for c in canvasses
    }
    by_report = {e.report.pk: e for e in efforts.values() if e.report is not None}
    for feedback in ReportFeedback.objects.filter(report__in=by_report).order_by("created_at", "id"):
        by_report[feedback.report_id].feedback.append(feedback)
    thanks = Thanks.objects.filter(report__in=by_report).filter(Q(to_user=user) | Q(to_user__isnull=True))
    count = 0
    for item in thanks.order_by("created_at", "id"):
        by_report[item.report_id].thanks.append(item)
        count += 1
    ordered = sorted(efforts.values(), key=lambda e: e.first_visit, reverse=True)
    return Effort(canvasses=ordered, thanks_received=count)


@dataclass(frozen=True)
class Story:
    """One canvass told without personal data."""

    text: str
    outcome: str
    usefulness: int | None
    helped: str


@dataclass(frozen=True)
class TeamEffort:
    team: Team
    canvasses: int
    doors: int
    spoken: int
    volunteers: int
    reports: int
    thanks: int
    stories: list[Story]


STORY_LIMIT = 20


def team_effort(team: Team) -> TeamEffort:
    totals = DoorVisit.objects.filter(canvass__incident__team=team).aggregate(
        doors=Count("id"),
        spoken=Count("id", filter=Q(outcome=Outcome.GESPROKEN)),
        canvasses=Count("canvass", distinct=True),
        volunteers=Count("volunteer", distinct=True),
    )
    reports = list(
        PoliceReport.objects.filter(incident__team=team)
        .select_related("incident__address")
        .defer("document", "witness_sources")
        .order_by("-submitted_at")
    )
    codes = {r.incident.address.buurt_code for r in reports if r.incident.address is not None}
    buurten = dict(Buurt.objects.filter(code__in=codes).values_list("code", "name"))
    stories = [_story(r, buurten) for r in reports if r.outcome][:STORY_LIMIT]
    return TeamEffort(
        team=team,
        canvasses=totals["canvasses"],
        doors=totals["doors"],
        spoken=totals["spoken"],
        volunteers=totals["volunteers"],
        reports=len(reports),
        thanks=Thanks.objects.filter(report__incident__team=team).count(),
        stories=stories,
    )


def _story(report: PoliceReport, buurten: dict[str, str]) -> Story:
    incident = report.incident
    address = incident.address
    where = buurten.get(address.buurt_code, "") if address is not None else ""
    month = date_format(timezone.localtime(report.submitted_at), "F Y")
    what = incident.get_incident_type_display()
    if where:
        text = _(
            "Na een %(what)s in %(where)s (%(month)s) belde het team aan bij %(doors)d deuren en sprak "
            "%(spoken)d buren."
        ) % {"what": what, "where": where, "month": month, "doors": report.doors_visited, "spoken": report.doors_spoken}
    else:
        text = _("Na een %(what)s (%(month)s) belde het team aan bij %(doors)d deuren en sprak %(spoken)d buren.") % {
            "what": what,
            "month": month,
            "doors": report.doors_visited,
            "spoken": report.doors_spoken,
        }
    helped = ", ".join(str(HelpfulPart(p).label) for p in report.helpful_parts if p in HelpfulPart.values)
    return Story(text=text, outcome=report.get_outcome_display(), usefulness=report.usefulness, helped=helped)


def is_new_member(user: Any) -> bool:
    """Nothing walked and no route yet: the start page explains the work instead of showing zeros."""
    return not DoorVisit.objects.filter(volunteer=user).exists() and not Route.objects.filter(members=user).exists()


def active_years(user: Any) -> list[int]:
    """The years in which `user` visited doors, newest first: one certificate each."""
    return [d.year for d in DoorVisit.objects.filter(volunteer=user).datetimes("visited_at", "year", order="DESC")]
