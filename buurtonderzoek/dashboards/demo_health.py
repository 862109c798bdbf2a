"""Demo history for team health: a third team in Lindenhoven that is slowly going quiet.

With Noord (busy, "in orde") and Zuid (two members who never walked, "risico"), the demo town shows
every team-health level, so a new user sees what a warning looks like before they need one.
Written straight to the tables because it is a history: the timestamps lie in the past.
Idempotent: a second run finds the team's incidents and adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from buurtonderzoek.accounts.models import Membership, Role, Team, User
from buurtonderzoek.canvass.models import Canvass, CanvassStatus, DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentType
from buurtonderzoek.places.models import Address, Gemeente

TEAM_NAME = "Buurtpreventie Lindenhoven-Centrum"
NOORD = "Buurtpreventie Lindenhoven-Noord"


@transaction.atomic
def seed_demo_health(gemeente: Gemeente, *, password: str, domain: str) -> Team:
    """Centrum: four walked 100 days ago, three 50 days ago, two 20 days ago ("let op"). Noord gets
    earlier canvasses walked by the members who are not in today's canvass, so its work is shared."""
    team, _created = Team.objects.get_or_create(gemeente=gemeente, name=TEAM_NAME)
    if Incident.objects.filter(team=team).exists():
        return team
    buurt = gemeente.buurten.order_by("code").first()
    assert buurt is not None
    team.buurten.set([buurt])
    people = []
    for n, (name, role) in enumerate(
        [
            ("Mieke Dekker", Role.COORDINATOR),
            ("Henk de Wit", Role.VOLUNTEER),
            ("Yusuf Kaya", Role.VOLUNTEER),
            ("Lotte Bos", Role.VOLUNTEER),
        ]
    ):
        email = f"centrum{n + 1}@{domain}"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, password, full_name=name)
        Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
        people.append(user)
    User.objects.filter(pk=people[0].pk).update(last_login=timezone.now() - timedelta(days=2))
    addresses = list(Address.objects.filter(buurt_code=buurt.code).order_by("id")[:400])
    _walks(team, [(100, people, 12), (50, people[:3], 12), (20, people[:2], 12)], addresses, by=people[0])

    noord = Team.objects.filter(gemeente=gemeente, name=NOORD).first()
    if noord is not None:
        busiest = (
            DoorVisit.objects.filter(canvass__incident__team=noord)
            .values("volunteer")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        members = User.objects.filter(memberships__team=noord).order_by("pk")
        others = list(members.exclude(pk=busiest["volunteer"]) if busiest else members)
        if others:
            _walks(
                noord, [(60, others, 60), (35, others, 60), (25, others, 60), (12, others, 60)], addresses, by=others[0]
            )
    return team


def _walks(team: Team, walks: list[tuple[int, list[User], int]], addresses: list[Address], *, by: User) -> None:
    """Per walk (days ago, walkers, doors): an incident the evening before, canvassed that day."""
    now = timezone.now()
    for index, (days_ago, walkers, count) in enumerate(walks):
        at = now - timedelta(days=days_ago)
        doors = [addresses[(index * count + i) % len(addresses)] for i in range(count)]
        incident = Incident.objects.create(
            team=team,
            incident_type=IncidentType.FIETSDIEFSTAL,
            occurred_from=at - timedelta(hours=20),
            occurred_until=at - timedelta(hours=18),
            address=doors[0],
            location_label=str(doors[0]),
            x=doors[0].x,
            y=doors[0].y,
            lat=doors[0].lat,
            lon=doors[0].lon,
            description="Fiets gestolen bij de voordeur.",
            victim_consent=True,
            status=IncidentStatus.CLOSED,
            created_by=by,
        )
        canvass = Canvass.objects.create(
            incident=incident,
            status=CanvassStatus.DONE,
            centre_x=incident.x,
            centre_y=incident.y,
            centre_lat=incident.lat,
            centre_lon=incident.lon,
            radius_m=150,
            door_count=len(doors),
            created_by=by,
        )
        visits = DoorVisit.objects.bulk_create(
            DoorVisit(
                canvass=canvass,
                address=door,
                volunteer=walkers[i % len(walkers)],
                outcome=Outcome.GESPROKEN if i % 3 else Outcome.NIET_THUIS,
                visited_at=at + timedelta(minutes=5 * i),
                review_status=ReviewStatus.APPROVED,
            )
            for i, door in enumerate(doors)
        )
        Incident.objects.filter(pk=incident.pk).update(created_at=at - timedelta(hours=16))
        Canvass.objects.filter(pk=canvass.pk).update(created_at=at - timedelta(hours=4))
        DoorVisit.objects.filter(pk__in=[v.pk for v in visits]).update(created_at=at)
