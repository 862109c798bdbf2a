"""Permission-checked reads of canvasses and routes.

Everything hangs off the incident: whoever may not see the incident gets a 404. Coordinators of
the team (and platform admins) change plans, assign routes and read tips; police of the area see
progress; volunteers see the routes they walk.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.canvass.models import Canvass, Route, RouteQuerySet
from buurtonderzoek.incidents.access import get_incident_for_user, is_coordinator
from buurtonderzoek.incidents.models import Incident


def get_incident_and_canvass(user: Any, incident_pk: int, *, write: bool = False) -> tuple[Incident, Canvass | None]:
    incident = get_incident_for_user(user, incident_pk, write=write)
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    return incident, canvass


def get_canvass_for_user(user: Any, incident_pk: int, *, write: bool = False) -> tuple[Incident, Canvass]:
    incident, canvass = get_incident_and_canvass(user, incident_pk, write=write)
    if canvass is None:
        raise Http404("Er is nog geen buurtonderzoek gepland.")
    return incident, canvass


def sees_all_routes(user: Any, incident: Incident) -> bool:
    if is_coordinator(user, incident.team):
        return True
    return Membership.objects.filter(
        user=user, role=Role.POLICE, police_unit__gemeenten=incident.team.gemeente_id
    ).exists()


def visible_routes(user: Any, canvass: Canvass) -> RouteQuerySet:
    return Route.objects.visible_to(user).filter(canvass=canvass).order_by("number")


def get_route_for_user(user: Any, canvass: Canvass, route_pk: int) -> Route:
    try:
        return visible_routes(user, canvass).get(pk=route_pk)
    except Route.DoesNotExist:
        raise Http404("Route niet gevonden.") from None


def is_team_member(user: Any, incident: Incident) -> bool:
    """Walks (or coordinates) for the incident's team; platform admins count as members."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, team=incident.team, role__in=(Role.VOLUNTEER, Role.COORDINATOR)
    ).exists()


def require_team_member(user: Any, incident: Incident) -> None:
    """403 for police and others who may see the incident but do not walk for the team."""
    if not is_team_member(user, incident):
        raise PermissionDenied(_("Alleen leden van het team kunnen dit gebruiken."))
