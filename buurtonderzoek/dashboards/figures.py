"""The few figures each start page shows, a handful of aggregate queries per role.

Start pages answer "what is waiting for me?" for each partner (DOMAIN.md section 7):
volunteers see their routes and the recognition they got, coordinators what needs
review, the police what is new in their inbox and the hours canvassing saved them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from buurtonderzoek.accounts.models import Membership, Role, Team, User
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus, Route
from buurtonderzoek.dashboards.grip import request_refresh
from buurtonderzoek.dashboards.health import LEVEL_ORDER, TeamHealth, counted_team_health
from buurtonderzoek.handoff.models import Notification, PoliceReport, ReportStatus, Thanks
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.places.models import Gemeente

FINAL_INCIDENT_STATES = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)


@dataclass(frozen=True)
class VolunteerFigures:
    open_routes: int
    doors_visited: int
    doors_spoken: int
    thanks_received: int
    unread_messages: int


@dataclass(frozen=True)
class CoordinatorFigures:
    open_incidents: int
    visits_to_review: int
    unread_messages: int


@dataclass(frozen=True)
class PoliceFigures:
    new_reports: int
    open_reports: int
    reports_total: int
    hours_saved: Decimal


START_PAGE_TEAMS = 12  # team cards on the municipal start page; the team-health page has them all


@dataclass(frozen=True)
class MunicipalFigures:
    incidents_90_days: int
    canvassed_90_days: int
    teams: list[TeamHealth]  # the most urgent first, at most START_PAGE_TEAMS
    team_count: int
    levels: dict[str, int]  # teams per level: in_orde, let_op, risico
    counted_at: datetime | None = None  # when the oldest of these teams' health was counted

    @property
    def teams_not_shown(self) -> int:
        return self.team_count - len(self.teams)


def volunteer_figures(user: User) -> VolunteerFigures:
    visits = DoorVisit.objects.filter(volunteer=user).aggregate(
        visited=Count("id"), spoken=Count("id", filter=Q(outcome=Outcome.GESPROKEN))
    )
    return VolunteerFigures(
        open_routes=Route.objects.filter(members=user)
        .exclude(canvass__incident__status__in=FINAL_INCIDENT_STATES)
        .count(),
        doors_visited=visits["visited"],
        doors_spoken=visits["spoken"],
        thanks_received=Thanks.objects.filter(
            Q(to_user=user) | Q(to_user__isnull=True, report__canvass__routes__members=user)
        )
        .distinct()
        .count(),
        unread_messages=Notification.objects.filter(user=user).unread().count(),
    )


def coordinator_figures(user: User) -> CoordinatorFigures:
    incidents = Incident.objects.visible_to(user).exclude(status__in=FINAL_INCIDENT_STATES)
    return CoordinatorFigures(
        open_incidents=incidents.count(),
        visits_to_review=DoorVisit.objects.filter(
            canvass__incident__in=incidents, review_status=ReviewStatus.RECEIVED
        ).count(),
        unread_messages=Notification.objects.filter(user=user).unread().count(),
    )


def police_figures(user: User) -> PoliceFigures:
    reports = PoliceReport.objects.visible_to(user).aggregate(
        total=Count("id"),
        new=Count("id", filter=Q(status=ReportStatus.SUBMITTED)),
        open=Count("id", filter=Q(status__in=(ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS))),
        doors=Sum("doors_visited"),
    )
    minutes = Decimal(reports["doors"] or 0) * Decimal(settings.MINUTES_PER_DOOR)
    return PoliceFigures(
        new_reports=reports["new"],
        open_reports=reports["open"],
        reports_total=reports["total"],
        hours_saved=(minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    )


def municipal_figures(user: User) -> MunicipalFigures:
    """Counts only: the gemeente sees where and how much happens, not the incidents themselves."""
    since = timezone.now() - timedelta(days=90)
    gemeenten = Membership.objects.filter(user=user, role=Role.MUNICIPAL).values("gemeente")
    teams = Team.objects.filter(gemeente__in=gemeenten).order_by("name")
    counts = Incident.objects.filter(team__in=teams, created_at__gte=since).aggregate(
        incidents=Count("id", distinct=True), canvassed=Count("id", filter=Q(canvasses__isnull=False), distinct=True)
    )
    for gemeente in Gemeente.objects.filter(pk__in=gemeenten):
        request_refresh(gemeente)  # the stored team health, as the team-health page asks for it
    health = counted_team_health(list(teams))
    # A start page says what needs doing: risico first, then let op, each by name (the order of `teams`).
    # A large gemeente (200 teams) would otherwise get every card here as well as on its team-health page.
    urgent = sorted(health, key=lambda h: -LEVEL_ORDER[h.level])
    return MunicipalFigures(
        incidents_90_days=counts["incidents"],
        canvassed_90_days=counts["canvassed"],
        teams=urgent[:START_PAGE_TEAMS],
        team_count=len(health),
        levels={level: sum(1 for h in health if h.level == level) for level in LEVEL_ORDER},
        counted_at=min((h.counted_at for h in health if h.counted_at), default=None),
    )
