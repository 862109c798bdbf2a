"""Demo data for `make run`: the town Lindenhoven with its teams, police unit and one user per role.

Idempotent: running it again keeps what exists and fills in what is missing, so
`make run` can call it every time without duplicating anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User
from buurtonderzoek.canvass.actions import assign_route_members
from buurtonderzoek.canvass.demo import seed_demo_canvass
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.dashboards.demo_health import seed_demo_health
from buurtonderzoek.dashboards.grip import refresh_area_months
from buurtonderzoek.dashboards.health import refresh_team_health
from buurtonderzoek.dashboards.walkers import refresh_walker_days
from buurtonderzoek.handoff.demo import seed_demo_handoff
from buurtonderzoek.impact.demo import seed_demo_impact
from buurtonderzoek.monitor.demo import seed_demo_monitor
from buurtonderzoek.places.generators.town import generate_town
from buurtonderzoek.places.models import Gemeente

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - demo data only, printed for the user
# A fixed TOTP secret for the police, municipal and admin demo accounts (2FA is enforced for them).
# Add it to an authenticator app, or print the current code with `manage.py demo --totp`.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - demo data only
DOMAIN = "demo.buurtonderzoek.nl"


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    organisation: str  # team name, police unit name, "gemeente" or "admin"


DEMO_USERS = [
    DemoUser(f"coordinator@{DOMAIN}", "Annelies de Vries", Role.COORDINATOR, "Buurtpreventie Lindenhoven-Noord"),
    DemoUser(f"vrijwilliger@{DOMAIN}", "Bram Jansen", Role.VOLUNTEER, "Buurtpreventie Lindenhoven-Noord"),
    DemoUser(f"vrijwilliger2@{DOMAIN}", "Fatima El Amrani", Role.VOLUNTEER, "Buurtpreventie Lindenhoven-Noord"),
    DemoUser(f"vrijwilliger3@{DOMAIN}", "Kees Bakker", Role.VOLUNTEER, "Buurtpreventie Lindenhoven-Noord"),
    DemoUser(f"vrijwilliger4@{DOMAIN}", "Sanne Visser", Role.VOLUNTEER, "Buurtpreventie Lindenhoven-Noord"),
    DemoUser(f"coordinator-zuid@{DOMAIN}", "Joost Smit", Role.COORDINATOR, "Buurtpreventie Lindenhoven-Zuid"),
    DemoUser(f"vrijwilliger-zuid@{DOMAIN}", "Ingrid Mulder", Role.VOLUNTEER, "Buurtpreventie Lindenhoven-Zuid"),
    DemoUser(f"politie@{DOMAIN}", "Wijkagent Peter de Boer", Role.POLICE, "Basisteam Lindenhoven-Kromme Rijn"),
    DemoUser(f"gemeente@{DOMAIN}", "Gert Hendriks (adviseur OOV)", Role.MUNICIPAL, "gemeente"),
    DemoUser(f"beheer@{DOMAIN}", "Beheerder", "admin", "admin"),
]


@transaction.atomic
def create_demo_organisations(gemeente: Gemeente) -> None:
    wijken = list(gemeente.wijken.order_by("code"))
    teams: dict[str, Team] = {}
    team_names = ["Buurtpreventie Lindenhoven-Noord", "Buurtpreventie Lindenhoven-Zuid"]
    for wijk, name in zip(wijken, team_names, strict=False):
        team, _ = Team.objects.get_or_create(gemeente=gemeente, name=name)
        team.buurten.set(wijk.buurten.all())
        teams[name] = team
    unit, _ = PoliceUnit.objects.get_or_create(name="Basisteam Lindenhoven-Kromme Rijn")
    unit.gemeenten.add(gemeente)

    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(demo.email, DEMO_PASSWORD, full_name=demo.full_name)
        if demo.role == "admin":
            if not user.is_superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        elif demo.role in (Role.COORDINATOR, Role.VOLUNTEER):
            Membership.objects.get_or_create(user=user, team=teams[demo.organisation], defaults={"role": demo.role})
        elif demo.role == Role.POLICE:
            Membership.objects.get_or_create(user=user, police_unit=unit, defaults={"role": demo.role})
        else:
            Membership.objects.get_or_create(user=user, gemeente=gemeente, defaults={"role": demo.role})
        if (
            demo.role in (Role.POLICE, Role.MUNICIPAL, "admin")
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)


def _give_the_demo_volunteer_a_route(canvass: Canvass, *, by: User) -> None:
    # The first volunteer login is the one people try the field app with: it must have a route.
    volunteer = User.objects.get(email=f"vrijwilliger@{DOMAIN}")
    if canvass.routes.filter(members=volunteer).exists():
        return
    route = canvass.routes.order_by("number").first()
    if route is not None:
        others = [m for m in route.members.all() if m != by][:1]
        assign_route_members(route, by=by, members=[volunteer, *others])


def build_demo(*, progress: bool = True) -> Gemeente:
    gemeente = generate_town(progress=progress)
    create_demo_organisations(gemeente)
    # A canvass in progress for team Noord, and two finished monitor waves, so every start page
    # and the monitor results have something real to show.
    team = Team.objects.get(gemeente=gemeente, name="Buurtpreventie Lindenhoven-Noord")
    coordinator = User.objects.get(email=f"coordinator@{DOMAIN}")
    canvass = seed_demo_canvass(team, by=coordinator)
    _give_the_demo_volunteer_a_route(canvass, by=coordinator)
    # A second, finished case: reported to the police, with feedback, thanks and a published alert.
    seed_demo_handoff(team, by=coordinator)
    seed_demo_monitor(gemeente)
    # A third team that is going quiet, so team health shows every level; then the grip figures.
    seed_demo_health(gemeente, password=DEMO_PASSWORD, domain=DOMAIN)
    refresh_area_months(gemeente)
    # A driehoeksoverleg with actions in every state; one evaluated on the two monitor waves above.
    # Only Noord's coordinator acts in it: Zuid's coordinator must stay silent for team health's demo.
    seed_demo_impact(
        gemeente,
        gemeente_user=User.objects.get(email=f"gemeente@{DOMAIN}"),
        police_user=User.objects.get(email=f"politie@{DOMAIN}"),
        coordinators=[coordinator],
    )
    # What the background job keeps for team health: door visits per walker and day, then each team's health.
    refresh_walker_days(gemeente)
    refresh_team_health(gemeente)
    return gemeente
