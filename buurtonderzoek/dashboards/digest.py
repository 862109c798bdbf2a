"""The weekly digest e-mail for the gemeente and for coordinators: what changed, and what needs care.

Flow: a user opts in (`subscribe_digest` in actions.py); `manage.py send_weekly_digest` (weekly, e.g.
Monday morning) enqueues one `send_digest_email` task per subscriber not mailed in the last six days;
the task builds the digest and sends it. Counts only (this week against the week before) and the team
health warnings with their suggested action: no incidents, no names of residents or witnesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role, Team, User
from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.dashboards.health import TeamHealth, team_health
from buurtonderzoek.dashboards.models import DigestSubscription
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.incidents.models import Incident

RESEND_AFTER = timedelta(days=6)  # a weekly job that runs a little early never mails twice in one week


@dataclass(frozen=True)
class Week:
    incidents: int
    canvasses: int
    doors_visited: int
    reports_submitted: int


@dataclass(frozen=True)
class DigestArea:
    name: str  # the gemeente or the team
    this_week: Week
    last_week: Week
    needs_care: list[TeamHealth]  # teams with a warning, worst first


@dataclass(frozen=True)
class Digest:
    user: User
    areas: list[DigestArea]
    start: datetime
    end: datetime


def _week(teams: list[Team], start: datetime, end: datetime) -> Week:
    def count(qs: object) -> int:
        return int(qs.count())  # type: ignore[attr-defined]

    canvasses = Canvass.objects.filter(incident__team__in=teams, created_at__gte=start - timedelta(days=30))
    return Week(
        incidents=count(Incident.objects.filter(team__in=teams, created_at__gte=start, created_at__lt=end)),
        canvasses=count(canvasses.filter(created_at__gte=start, created_at__lt=end)),
        doors_visited=count(DoorVisit.objects.filter(canvass__in=canvasses, visited_at__gte=start, visited_at__lt=end)),
        reports_submitted=count(
            PoliceReport.objects.filter(incident__team__in=teams, submitted_at__gte=start, submitted_at__lt=end)
        ),
    )


def build_digest(user: User, *, now: datetime | None = None) -> Digest | None:
    """The digest for a gemeente officer (per gemeente) or coordinator (per team); None for other roles."""
    now = now or timezone.now()
    start, before = now - timedelta(days=7), now - timedelta(days=14)
    memberships = Membership.objects.filter(user=user, role__in=(Role.MUNICIPAL, Role.COORDINATOR)).select_related(
        "gemeente", "team"
    )
    groups: list[tuple[str, list[Team]]] = []
    for m in memberships:
        if m.role == Role.MUNICIPAL and m.gemeente is not None:
            groups.append((m.gemeente.name, list(Team.objects.filter(gemeente=m.gemeente).order_by("name"))))
        elif m.team is not None:
            groups.append((m.team.name, [m.team]))
    if not groups:
        return None
    areas = []
    for name, teams in groups:
        health = team_health(teams, now=now)
        order = {"risico": 0, "let_op": 1}
        care = sorted((h for h in health if h.level != "in_orde"), key=lambda h: (order[h.level], h.team.name))
        areas.append(DigestArea(name, _week(teams, start, now), _week(teams, before, start), care))
    return Digest(user, areas, start, now)


def render_digest(digest: Digest) -> tuple[str, str]:
    """Subject and plain-text body, in Dutch (the users' language)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "digest": digest,
            "settings_url": settings.SITE_URL.rstrip("/") + reverse("digest_settings"),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = _("Uw week in buurtpreventie: %(areas)s") % {"areas": ", ".join(a.name for a in digest.areas)}
        return subject, render_to_string("dashboards/digest_email.txt", context)


def due_subscriptions(now: datetime | None = None) -> list[int]:
    """Ids of subscribed, active users who were not mailed in the last six days."""
    now = now or timezone.now()
    return list(
        DigestSubscription.objects.filter(user__is_active=True)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=now - RESEND_AFTER))
        .annotate(
            roles=Count("user__memberships", filter=Q(user__memberships__role__in=(Role.MUNICIPAL, Role.COORDINATOR)))
        )
        .filter(roles__gt=0)
        .values_list("user_id", flat=True)
    )
