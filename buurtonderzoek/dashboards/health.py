"""Team health with early warning: is a buurtpreventie team still working, and what needs care?

Computed from what the team actually does (door visits, canvasses, reviews, sign-ins, invitations),
after the CHAOSS community-health metrics: inactive contributors, bus factor, time to first
response. Each `Signal` has a level, the reason in plain Dutch and a suggested action; a team's
level is its worst signal. Thresholds are settings (HEALTH_* in config/settings.py).

The figures for any number of teams come from a fixed number of aggregate queries. Counting them still
costs work per team and grows with the gemeente's history (the live door-visit count reads every canvass
of the teams), so the background job that keeps the grip roll-ups also stores each team's facts
(`refresh_team_health`, models.TeamHealthCount) and the pages read those (`counted_team_health`): one
query for any number of teams, showing when they were counted. A team without a count of the last
STORED_MAX_AGE (new, or the job has not run) is counted live, in the same call.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtonderzoek.accounts.models import Invitation, Membership, Role, Team
from buurtonderzoek.canvass.models import Canvass, DoorVisit, ReviewStatus
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.dashboards.models import AreaRefresh, TeamHealthCount
from buurtonderzoek.dashboards.walkers import visits_per_walker
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.places.models import Gemeente

Level = Literal["in_orde", "let_op", "risico"]
LEVEL_ORDER: dict[str, int] = {"in_orde": 0, "let_op": 1, "risico": 2}


@dataclass(frozen=True)
class Signal:
    code: str
    level: Level
    reason: str
    action: str


@dataclass(frozen=True)
class TeamFacts:
    """The measured facts behind the signals, for tables, the API and the digest."""

    members: int = 0
    active_30: int = 0
    active_prev_30: int = 0
    active_90: int = 0
    active_prev_90: int = 0
    doors_90: int = 0
    bus_factor: int | None = None
    coordinator_last_seen: datetime | None = None
    incidents_90: int = 0
    incidents_canvassable: int = 0  # with the victim's consent and not cancelled
    incidents_late: int = 0
    median_hours_to_first_door: float | None = None
    visits_waiting: int = 0
    invitations_unanswered: int = 0


@dataclass(frozen=True)
class TeamHealth:
    team: Team
    level: Level
    signals: list[Signal]
    facts: TeamFacts = field(default_factory=TeamFacts)
    counted_at: datetime | None = None  # the moment the figures hold for

    @property
    def warnings(self) -> list[Signal]:
        return [s for s in self.signals if s.level != "in_orde"]


def worst(levels: Sequence[Level]) -> Level:
    return max(levels, key=LEVEL_ORDER.__getitem__, default="in_orde")


def bus_factor(doors_per_member: Sequence[int]) -> int | None:
    """How few members do more than half of the doors (CHAOSS bus factor); None without doors."""
    total = sum(doors_per_member)
    if total == 0:
        return None
    done = 0
    for k, doors in enumerate(sorted(doors_per_member, reverse=True), start=1):
        done += doors
        if done * 2 > total:
            return k
    return len(doors_per_member)  # pragma: no cover - the loop always passes half


def dropped(now: int, before: int) -> bool:
    """True when activity fell by at least HEALTH_ACTIVE_DROP_PERCENT against the period before."""
    return before > 0 and now * 100 <= before * (100 - settings.HEALTH_ACTIVE_DROP_PERCENT)


def team_health(teams: Sequence[Team], *, now: datetime | None = None) -> list[TeamHealth]:
    """The health of each team, in the order given, counted now; a constant number of queries."""
    now = now or timezone.now()
    return [_health(team, facts, now=now, oldest_waiting=oldest) for team, facts, oldest in _count(teams, now=now)]


def _health(team: Team, facts: TeamFacts, *, now: datetime, oldest_waiting: datetime | None) -> TeamHealth:
    signals = _signals(team, facts, now=now, oldest_waiting=oldest_waiting)
    return TeamHealth(team, worst([s.level for s in signals]), signals, facts, counted_at=now)


# A stored count older than this is not shown: the team is counted live. Twice the interval after which
# the pages ask the background job for a new count, so a count stays in use while the next one runs.
def stored_max_age() -> timedelta:
    return timedelta(minutes=2 * settings.GRIP_REFRESH_MINUTES)


def counted_team_health(teams: Sequence[Team], *, now: datetime | None = None) -> list[TeamHealth]:
    """The health of each team, in the order given, as the background job last counted it (one query);
    teams without a count of the last `stored_max_age()` are counted live (a constant number more)."""
    now = now or timezone.now()
    teams = list(teams)
    stored = {
        c.pk: c
        for c in TeamHealthCount.objects.filter(
            team__in=[t.pk for t in teams], counted_at__gt=now - stored_max_age(), counted_at__lte=now
        )
    }
    live = {h.team.pk: h for h in team_health([t for t in teams if t.pk not in stored], now=now)}
    return [
        live[team.pk]
        if team.pk not in stored
        else _health(
            team,
            _facts_from_json(stored[team.pk].facts),
            now=stored[team.pk].counted_at,
            oldest_waiting=stored[team.pk].oldest_waiting,
        )
        for team in teams
    ]


def refresh_team_health(gemeente: Gemeente, *, now: datetime | None = None) -> int:
    """Count and store the health of every team of the gemeente (the background job, after the walker-day
    roll-up it reads); returns the teams counted. Under the lock on the gemeente's AreaRefresh row, as the
    roll-ups: the nightly run and a page's request may overlap, and two counts would write the same rows."""
    AreaRefresh.objects.get_or_create(gemeente=gemeente)
    with transaction.atomic():
        AreaRefresh.objects.select_for_update().get(gemeente=gemeente)
        now = now or timezone.now()
        teams = list(Team.objects.filter(gemeente=gemeente))
        rows = [
            TeamHealthCount(
                team=team,
                counted_at=now,
                level=_health(team, facts, now=now, oldest_waiting=oldest).level,
                facts=_facts_to_json(facts),
                oldest_waiting=oldest,
            )
            for team, facts, oldest in _count(teams, now=now)
        ]
        TeamHealthCount.objects.filter(team__gemeente=gemeente).delete()
        TeamHealthCount.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _facts_to_json(facts: TeamFacts) -> dict[str, object]:
    data = asdict(facts)
    if facts.coordinator_last_seen is not None:
        data["coordinator_last_seen"] = facts.coordinator_last_seen.isoformat()
    return data


def _facts_from_json(data: dict[str, object]) -> TeamFacts:
    seen = data.get("coordinator_last_seen")
    return TeamFacts(**{**data, "coordinator_last_seen": parse_datetime(seen) if isinstance(seen, str) else None})  # type: ignore[arg-type]


def _count(teams: Sequence[Team], *, now: datetime) -> list[tuple[Team, TeamFacts, datetime | None]]:
    """Each team's measured facts and its oldest door visit waiting for review; a constant number of queries."""
    teams = list(teams)
    if not teams:
        return []
    ids = [t.pk for t in teams]
    d30, d60, d90, d180 = (now - timedelta(days=n) for n in (30, 60, 90, 180))

    members: dict[int, int] = defaultdict(int)
    coordinators: dict[int, list[tuple[int, datetime | None]]] = defaultdict(list)
    for m in Membership.objects.filter(team__in=ids, created_at__lte=now).values(
        "team_id", "role", "user_id", "user__last_login"
    ):
        members[m["team_id"]] += 1
        if m["role"] == Role.COORDINATOR:
            coordinators[m["team_id"]].append((m["user_id"], m["user__last_login"]))

    # Door visits per team and walker in four periods: the 90 days before the last 90, then 90-60,
    # 60-30 and the last 30 days (the roll-up in walkers.py, exact to the second).
    walkers: dict[int, list[dict[str, int]]] = defaultdict(list)
    for team_id, per_walker in visits_per_walker(teams, [d180, d90, d60, d30, now]).items():
        for before_90, days_90_60, days_60_30, last_30 in per_walker.values():
            walkers[team_id].append(
                {
                    "c30": last_30,
                    "p30": days_60_30,
                    "c90": days_90_60 + days_60_30 + last_30,
                    "p90": before_90,
                }
            )

    coordinator_ids = [uid for cs in coordinators.values() for uid, _login in cs]
    last_action = dict(
        AuditEvent.objects.filter(actor__in=coordinator_ids, at__lt=now)
        .values("actor_id")
        .annotate(last=Max("at"))
        .order_by()
        .values_list("actor_id", "last")
    )

    incidents: dict[int, list[dict[str, object]]] = defaultdict(list)
    recent = Incident.objects.filter(team__in=ids, created_at__gte=d90, created_at__lt=now)
    for row in (
        recent.values("team_id", "id", "created_at", "occurred_until", "victim_consent", "status")
        .annotate(first_canvass=Min("canvasses__created_at"))
        .order_by()
    ):
        incidents[row["team_id"]].append(row)
    # The first door of each canvass is one entry of the (canvass, visited_at) index, instead of
    # reading every visit of every canvass of the last 90 days.
    first_door: dict[int, datetime] = {}
    first_visits = DoorVisit.objects.filter(canvass=OuterRef("pk")).order_by("visited_at").values("visited_at")[:1]
    for incident_id, at in (
        Canvass.objects.filter(incident__in=recent)
        .annotate(first=Subquery(first_visits))
        .order_by()
        .values_list("incident_id", "first")
    ):
        if at is not None and (incident_id not in first_door or at < first_door[incident_id]):
            first_door[incident_id] = at
    for team_incidents in incidents.values():
        for row in team_incidents:
            row["first_door"] = first_door.get(row["id"])  # type: ignore[call-overload]

    # Visits of the last year's canvasses still waiting for review (a small partial index).
    review_before = now - timedelta(days=settings.HEALTH_REVIEW_WAIT_DAYS)
    waiting: dict[int, int] = {}
    oldest_waiting: dict[int, datetime] = {}
    for row in (
        DoorVisit.objects.filter(
            canvass__incident__team__in=ids,
            canvass__created_at__gte=now - timedelta(days=365),
            review_status=ReviewStatus.RECEIVED,
            created_at__lt=review_before,
        )
        .values("canvass__incident__team_id")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by()
    ):
        waiting[row["canvass__incident__team_id"]] = row["n"]
        oldest_waiting[row["canvass__incident__team_id"]] = row["oldest"]

    invite_before = now - timedelta(days=settings.HEALTH_INVITATION_WAIT_DAYS)
    unanswered = dict(
        Invitation.objects.filter(
            team__in=ids,
            created_at__gte=d90,
            created_at__lt=invite_before,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("team_id", "n")
    )

    result: list[tuple[Team, TeamFacts, datetime | None]] = []
    for team in teams:
        rows = walkers.get(team.pk, [])
        last_seen = _coordinator_last_seen(coordinators.get(team.pk, []), last_action)
        team_incidents = incidents.get(team.pk, [])
        canvassable = [i for i in team_incidents if i["victim_consent"] and i["status"] != IncidentStatus.CANCELLED]
        late = [
            i
            for i in canvassable
            if _hours(i["created_at"], i["first_canvass"] or now) > settings.HEALTH_CANVASS_WITHIN_HOURS
        ]
        to_door = [_hours(i["occurred_until"], i["first_door"]) for i in team_incidents if i["first_door"]]
        facts = TeamFacts(
            members=members.get(team.pk, 0),
            active_30=sum(1 for r in rows if r["c30"]),
            active_prev_30=sum(1 for r in rows if r["p30"]),
            active_90=sum(1 for r in rows if r["c90"]),
            active_prev_90=sum(1 for r in rows if r["p90"]),
            doors_90=sum(r["c90"] for r in rows),
            bus_factor=bus_factor([r["c90"] for r in rows]),
            coordinator_last_seen=last_seen,
            incidents_90=len(team_incidents),
            incidents_canvassable=len(canvassable),
            incidents_late=len(late),
            median_hours_to_first_door=statistics.median(to_door) if to_door else None,
            visits_waiting=waiting.get(team.pk, 0),
            invitations_unanswered=unanswered.get(team.pk, 0),
        )
        result.append((team, facts, oldest_waiting.get(team.pk)))
    return result


def _hours(start: object, end: object) -> float:
    assert isinstance(start, datetime) and isinstance(end, datetime)
    return (end - start).total_seconds() / 3600


def _coordinator_last_seen(
    coordinators: list[tuple[int, datetime | None]], last_action: dict[int, datetime]
) -> datetime | None:
    moments = [m for uid, login in coordinators for m in (login, last_action.get(uid)) if m is not None]
    return max(moments, default=None)


def _signals(team: Team, f: TeamFacts, *, now: datetime, oldest_waiting: datetime | None) -> list[Signal]:
    return [
        _members_signal(f),
        _walkers_signal(team, f, now=now),
        *_concentration_signal(f),
        _coordinator_signal(f, now=now),
        _timeliness_signal(f),
        *_first_door_signal(f),
        _review_signal(f, now=now, oldest=oldest_waiting),
        *_invitation_signal(f),
    ]


def _members_signal(f: TeamFacts) -> Signal:
    minimum = settings.HEALTH_MIN_MEMBERS
    reason = ngettext("Het team heeft %(n)d lid.", "Het team heeft %(n)d leden.", f.members) % {"n": f.members}
    if f.members < 2:
        return Signal("members", "risico", reason, _("Werf leden: een buurtonderzoek loopt u altijd met z'n tweeën."))
    if f.members < minimum:
        return Signal(
            "members",
            "let_op",
            reason + " " + _("Minder dan %(min)d leden is kwetsbaar.") % {"min": minimum},
            _("Nodig buren uit via de teampagina en vraag leden iemand mee te nemen."),
        )
    return Signal("members", "in_orde", reason, _("Geen actie nodig."))


def _walkers_signal(team: Team, f: TeamFacts, *, now: datetime) -> Signal:
    counts = {"a30": f.active_30, "p30": f.active_prev_30, "a90": f.active_90, "p90": f.active_prev_90}
    if f.active_90 == 0:
        new = team.created_at >= now - timedelta(days=30)
        return Signal(
            "active_walkers",
            "let_op" if new else "risico",
            _("Niemand van het team heeft de afgelopen 90 dagen aangebeld."),
            _("Neem contact op met de coördinator: plan samen een eerste buurtonderzoek of een oefenronde."),
        )
    reason = (
        _(
            "Actieve lopers: %(a30)d in de laatste 30 dagen (daarvoor %(p30)d), "
            "%(a90)d in de laatste 90 dagen (daarvoor %(p90)d)."
        )
        % counts
    )
    # Lapsed walkers (active in the last 90 days but not the last 30) show a slow decline months
    # before the 90-day count falls: the early warning the gemeente needs.
    if (
        dropped(f.active_30, f.active_90)
        or dropped(f.active_30, f.active_prev_30)
        or dropped(f.active_90, f.active_prev_90)
    ):
        return Signal(
            "active_walkers",
            "let_op",
            reason + " " + _("Het team wordt stiller."),
            _("Vraag de coördinator wie er is afgehaakt en waarom; een bedankje of een teamavond helpt vaak."),
        )
    return Signal("active_walkers", "in_orde", reason, _("Geen actie nodig."))


def _concentration_signal(f: TeamFacts) -> list[Signal]:
    if f.bus_factor is None:
        return []
    reason = ngettext(
        "%(k)d lid deed meer dan de helft van de %(doors)d deuren van de laatste 90 dagen.",
        "%(k)d leden deden meer dan de helft van de %(doors)d deuren van de laatste 90 dagen.",
        f.bus_factor,
    ) % {"k": f.bus_factor, "doors": f.doors_90}
    if f.bus_factor == 1:
        return [
            Signal(
                "concentration",
                "risico",
                reason + " " + _("Valt die persoon weg, dan stopt het team."),
                _("Verdeel de routes over meer leden en laat nieuwe leden meelopen met ervaren lopers."),
            )
        ]
    if f.bus_factor == 2:
        return [
            Signal(
                "concentration",
                "let_op",
                reason,
                _("Verdeel de routes over meer leden en laat nieuwe leden meelopen met ervaren lopers."),
            )
        ]
    return [Signal("concentration", "in_orde", reason, _("Geen actie nodig."))]


def _coordinator_signal(f: TeamFacts, *, now: datetime) -> Signal:
    days = settings.HEALTH_COORDINATOR_SILENT_DAYS
    action = _("Bel of mail de coördinator; zoek zo nodig samen met het team een tweede coördinator.")
    if f.coordinator_last_seen is None:
        return Signal("coordinator", "risico", _("Het team heeft geen actieve coördinator."), action)
    silent = (now - f.coordinator_last_seen).days
    if silent >= days:
        reason = ngettext(
            "De coördinator is %(n)d dag niet ingelogd en heeft niets gedaan.",
            "De coördinator is %(n)d dagen niet ingelogd en heeft niets gedaan.",
            silent,
        ) % {"n": silent}
        return Signal("coordinator", "risico" if silent >= 2 * days else "let_op", reason, action)
    return Signal(
        "coordinator", "in_orde", _("De coördinator is de afgelopen tijd actief geweest."), _("Geen actie nodig.")
    )


def _timeliness_signal(f: TeamFacts) -> Signal:
    hours = settings.HEALTH_CANVASS_WITHIN_HOURS
    if f.incidents_canvassable == 0:
        return Signal(
            "timeliness",
            "in_orde",
            _("Geen incidenten met toestemming voor een buurtonderzoek in de laatste 90 dagen."),
            _("Geen actie nodig."),
        )
    reason = _(
        "%(late)d van de %(n)d incidenten van de laatste 90 dagen kregen geen buurtonderzoek binnen %(h)d uur."
    ) % {"late": f.incidents_late, "n": f.incidents_canvassable, "h": hours}
    if f.incidents_late == 0:
        return Signal("timeliness", "in_orde", reason, _("Geen actie nodig."))
    action = _(
        "Spreek met het team af wie een buurtonderzoek binnen %(h)d uur start; camerabeelden worden vaak snel gewist."
    ) % {"h": hours}
    level: Level = "risico" if f.incidents_late * 2 >= f.incidents_canvassable else "let_op"
    return Signal("timeliness", level, reason, action)


def _first_door_signal(f: TeamFacts) -> list[Signal]:
    median = f.median_hours_to_first_door
    if median is None:
        return []
    limit = settings.HEALTH_FIRST_DOOR_HOURS
    reason = _("Van incident tot de eerste deur duurde het de laatste 90 dagen mediaan %(h)s uur.") % {
        "h": f"{median:.0f}"
    }
    if median <= limit:
        return [Signal("first_door", "in_orde", reason, _("Geen actie nodig."))]
    return [
        Signal(
            "first_door",
            "risico" if median > 2 * limit else "let_op",
            reason,
            _("Plan routes meteen na de melding en vraag leden wie binnen een dag kan lopen."),
        )
    ]


def _review_signal(f: TeamFacts, *, now: datetime, oldest: datetime | None) -> Signal:
    days = settings.HEALTH_REVIEW_WAIT_DAYS
    if f.visits_waiting == 0:
        return Signal(
            "review",
            "in_orde",
            _("Geen deurbezoeken die langer dan %(d)d dagen op beoordeling wachten.") % {"d": days},
            _("Geen actie nodig."),
        )
    reason = ngettext(
        "%(n)d deurbezoek wacht langer dan %(d)d dagen op beoordeling.",
        "%(n)d deurbezoeken wachten langer dan %(d)d dagen op beoordeling.",
        f.visits_waiting,
    ) % {"n": f.visits_waiting, "d": days}
    level: Level = "risico" if oldest is not None and oldest < now - timedelta(days=3 * days) else "let_op"
    return Signal(
        "review",
        level,
        reason,
        _("Vraag de coördinator de bezoeken te beoordelen, zodat het verslag naar de politie kan."),
    )


def _invitation_signal(f: TeamFacts) -> list[Signal]:
    if f.invitations_unanswered == 0:
        return []
    reason = ngettext(
        "%(n)d uitnodiging is na %(d)d dagen nog niet aangenomen.",
        "%(n)d uitnodigingen zijn na %(d)d dagen nog niet aangenomen.",
        f.invitations_unanswered,
    ) % {"n": f.invitations_unanswered, "d": settings.HEALTH_INVITATION_WAIT_DAYS}
    return [
        Signal(
            "invitations",
            "let_op",
            reason,
            _("Vraag de coördinator de genodigden persoonlijk te benaderen of de uitnodiging opnieuw te sturen."),
        )
    ]
