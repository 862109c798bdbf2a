"""Permission-checked reads for consolidation and alerts.

The consolidation of a canvass (signalementen with who-said-what, addresses of witnesses, camera
leads) is for the team's coordinators and the police of the area; volunteers get 403, outsiders 404.
Alerts follow their incident: coordinators write them, police of a unit covering the gemeente decide.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.incidents.access import get_incident_for_user, is_coordinator
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements.models import Alert


def is_area_police(user: Any, incident: Incident) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, role=Role.POLICE, police_unit__gemeenten=incident.team.gemeente_id
    ).exists()


def get_consolidation_target(user: Any, incident_pk: int, *, write: bool = False) -> tuple[Incident, Canvass]:
    """The incident and its canvass for the consolidation pages: coordinators, and police to read."""
    incident = get_incident_for_user(user, incident_pk)
    coordinator = is_coordinator(user, incident.team)
    if not coordinator and (write or not is_area_police(user, incident)):
        raise PermissionDenied(_("Alleen de coördinator van het team (of de politie, om te lezen) ziet dit."))
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    if canvass is None:
        raise Http404(_("Er is nog geen buurtonderzoek gepland."))
    return incident, canvass


def get_alert_for_user(user: Any, pk: int) -> tuple[Alert, bool, bool]:
    """The alert with (is coordinator, is police of the area); 404 when invisible, 403 for volunteers."""
    alert = (
        Alert.objects.visible_to(user)
        .select_related(
            "incident__team__gemeente", "incident__address", "buurt", "gemeente", "created_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404(_("Oproep niet gevonden."))
    coordinator = is_coordinator(user, alert.incident.team)
    police = bool(user.is_superuser) or is_area_police(user, alert.incident)
    if not (coordinator or police):
        raise PermissionDenied(_("Alleen de coördinator van het team en de politie beheren oproepen."))
    return alert, coordinator, police
