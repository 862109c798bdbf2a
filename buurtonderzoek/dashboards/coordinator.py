"""The coordinator's to-do list: what needs them now, each item a link (issue 9).

Visits to review per incident, doors recorded twice (conflicts), alerts the police sent back,
members who have gone quiet, and who joined recently; plus each member's activity. A fixed
handful of queries, whatever the number of incidents, visits or members.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.utils import timezone

from buurtonderzoek.accounts.models import Invitation, Membership, Role, Team
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.canvass.sync import _conflict_reasons
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.signalements.models import Alert, AlertStatus

FINAL = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
JOINED_RECENTLY_DAYS = 30


@dataclass(frozen=True)
class IncidentCount:
    incident_id: int
    label: str
    count: int


@dataclass(frozen=True)
class MemberActivity:
    membership: Membership
    visits: int
    last_visit: datetime | None

    @property
    def last_active(self) -> datetime | None:
        moments = [m for m in (self.last_visit, self.membership.user.last_login) if m is not None]
        return max(moments) if moments else None


@dataclass(frozen=True)
class CoordinatorTodo:
    to_review: list[IncidentCount]
    conflicts: list[IncidentCount]
    returned_alerts: list[Alert]
    inactive: list[MemberActivity]
    joined: list[Invitation]
    members: list[MemberActivity]
    inactive_days: int

    @property
    def visits_to_review(self) -> int:
        return sum(item.count for item in self.to_review)

    @property
    def nothing_waiting(self) -> bool:
        return not (self.to_review or self.conflicts or self.returned_alerts or self.inactive)


def _label(incident: dict[str, Any]) -> str:
    return f"{Incident(incident_type=incident['type']).get_incident_type_display()}, {incident['label']}"


def coordinator_todo(user: Any, teams: list[Team], *, now: datetime | None = None) -> CoordinatorTodo:
    now = now or timezone.now()
    open_incidents = Incident.objects.filter(team__in=teams).exclude(status__in=FINAL)

    review_rows = (
        DoorVisit.objects.filter(
            canvass__incident__in=open_incidents, outcome=Outcome.GESPROKEN, review_status=ReviewStatus.RECEIVED
        )
        .values("canvass__incident", "canvass__incident__incident_type", "canvass__incident__location_label")
        .annotate(n=Count("id"))
        .order_by("canvass__incident")
    )
    to_review = [
        IncidentCount(
            r["canvass__incident"],
            _label({"type": r["canvass__incident__incident_type"], "label": r["canvass__incident__location_label"]}),
            r["n"],
        )
        for r in review_rows
    ]

    # Doors where two volunteers recorded something: candidates in one query, then the canvass app's own
    # rule (`_conflict_reasons`) on just those doors, so the list matches the canvass page exactly.
    doubled = (
        DoorVisit.objects.filter(canvass__incident__in=open_incidents)
        .values("canvass", "address")
        .annotate(people=Count("volunteer", distinct=True))
        .filter(people__gte=2)
        .values("address")
    )
    doors: dict[tuple[int, int], list[DoorVisit]] = defaultdict(list)
    incident_of: dict[int, tuple[int, str]] = {}
    for visit in (
        DoorVisit.objects.filter(canvass__incident__in=open_incidents, address__in=doubled)
        .select_related("canvass__incident")
        .only(
            "id",
            "canvass_id",
            "address_id",
            "volunteer_id",
            "outcome",
            "visited_at",
            "canvass__incident__id",
            "canvass__incident__incident_type",
            "canvass__incident__location_label",
        )
        .order_by("visited_at", "id")
    ):
        doors[(visit.canvass_id, visit.address_id)].append(visit)
        incident = visit.canvass.incident
        incident_of[visit.canvass_id] = (
            incident.pk,
            _label({"type": incident.incident_type, "label": incident.location_label}),
        )
    conflict_counts: dict[int, int] = defaultdict(int)
    for (canvass_id, _address), visits in doors.items():
        if _conflict_reasons(visits):
            conflict_counts[canvass_id] += 1
    conflicts = [IncidentCount(*incident_of[c], n) for c, n in sorted(conflict_counts.items())]

    returned = list(
        Alert.objects.filter(incident__team__in=teams, status=AlertStatus.RETURNED)
        .select_related("incident")
        .order_by("-id")[:20]
    )

    team_visits = DoorVisit.objects.filter(volunteer=OuterRef("user"), canvass__incident__team=OuterRef("team"))
    members = [
        MemberActivity(m, m.visit_count or 0, m.last_visit)
        for m in Membership.objects.filter(team__in=teams, role__in=(Role.VOLUNTEER, Role.COORDINATOR))
        .select_related("user", "team")
        .annotate(
            visit_count=Subquery(
                team_visits.order_by().values("volunteer").annotate(c=Count("id")).values("c"),
                output_field=IntegerField(),
            ),
            last_visit=Subquery(team_visits.order_by().values("volunteer").annotate(m=Max("visited_at")).values("m")),
        )
        .order_by("team__name", "user__full_name", "user__email")
    ]
    days = settings.MEMBER_INACTIVE_DAYS
    cutoff = now - timedelta(days=days)
    inactive = [
        m
        for m in members
        if m.membership.user_id != user.pk
        and m.membership.created_at < cutoff  # a new member is not "quiet" yet
        and (m.last_active is None or m.last_active < cutoff)
    ]
    joined = list(
        Invitation.objects.filter(team__in=teams, accepted_at__gte=now - timedelta(days=JOINED_RECENTLY_DAYS))
        .filter(~Q(accepted_by=None))
        .select_related("accepted_by", "team")
        .order_by("-accepted_at")
    )
    return CoordinatorTodo(to_review, conflicts, returned, inactive, joined, members, days)
