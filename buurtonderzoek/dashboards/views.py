"""The public front page and each role's start page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from buurtonderzoek.accounts.access import roles_of
from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.dashboards import figures

# The order decides where a user with several roles lands first.
START_PAGES = [
    ("admin", "start_admin"),
    (Role.COORDINATOR, "start_coordinator"),
    (Role.POLICE, "start_police"),
    (Role.MUNICIPAL, "start_municipal"),
    (Role.VOLUNTEER, "start_volunteer"),
]


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def start(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    for role, url_name in START_PAGES:
        if role in roles:
            return redirect(url_name)
    return render(request, "dashboards/no_role.html")


def _memberships(request: AuthedHttpRequest, *roles: str) -> list[Membership]:
    return list(
        Membership.objects.filter(user=request.user, role__in=roles).select_related(
            "team__gemeente", "police_unit", "gemeente"
        )
    )


@role_required(Role.VOLUNTEER, Role.COORDINATOR)
def start_volunteer(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/start_volunteer.html",
        {
            "memberships": _memberships(request, Role.VOLUNTEER, Role.COORDINATOR),
            "figures": figures.volunteer_figures(request.user),
        },
    )


@role_required(Role.COORDINATOR)
def start_coordinator(request: AuthedHttpRequest) -> HttpResponse:
    memberships = _memberships(request, Role.COORDINATOR)
    teams = [m.team for m in memberships if m.team is not None]
    members = (
        Membership.objects.filter(team__in=teams).select_related("user", "team").order_by("team__name", "user__email")
    )
    return render(
        request,
        "dashboards/start_coordinator.html",
        {"memberships": memberships, "members": members, "figures": figures.coordinator_figures(request.user)},
    )


@role_required(Role.POLICE)
def start_police(request: AuthedHttpRequest) -> HttpResponse:
    memberships = _memberships(request, Role.POLICE)
    units = [m.police_unit for m in memberships if m.police_unit is not None]
    return render(
        request,
        "dashboards/start_police.html",
        {"memberships": memberships, "units": units, "figures": figures.police_figures(request.user)},
    )


@role_required(Role.MUNICIPAL)
def start_municipal(request: AuthedHttpRequest) -> HttpResponse:
    memberships = _memberships(request, Role.MUNICIPAL)
    gemeenten = [m.gemeente for m in memberships if m.gemeente is not None]
    return render(
        request,
        "dashboards/start_municipal.html",
        {"memberships": memberships, "gemeenten": gemeenten, "figures": figures.municipal_figures(request.user)},
    )


@role_required("admin")
def start_admin(request: AuthedHttpRequest) -> HttpResponse:
    from buurtonderzoek.accounts.models import PoliceUnit, Team, User
    from buurtonderzoek.places.models import Address, Gemeente

    counts = {
        "gemeenten": Gemeente.objects.count(),
        "police_units": PoliceUnit.objects.count(),
        "teams": Team.objects.count(),
        "users": User.objects.count(),
        "addresses": Address.objects.count(),
    }
    return render(request, "dashboards/start_admin.html", {"counts": counts})
