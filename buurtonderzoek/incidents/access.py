"""Permission-checked reads of incidents.

Team members see their team's incidents; police see the incidents of teams in the gemeenten their
unit covers. Coordinators register incidents for their own teams, police officers for any team in
their area; whoever may register for a team may also correct an incident's details. Status changes
are for the team's coordinators (and platform admins) only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role, Team
from buurtonderzoek.incidents.models import Incident


def is_coordinator(user: Any, team: Team) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, team=team, role=Role.COORDINATOR).exists()


def registrable_teams(user: Any) -> QuerySet[Team]:
    """Teams this user may register an incident for."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.select_related("gemeente").order_by("name")
    return (
        Team.objects.filter(
            Q(memberships__user=user, memberships__role=Role.COORDINATOR)
            | Q(gemeente__police_units__memberships__user=user, gemeente__police_units__memberships__role=Role.POLICE)
        )
        .select_related("gemeente")
        .distinct()
        .order_by("name")
    )


def may_edit_incident(user: Any, incident: Incident) -> bool:
    """Whoever may register an incident for the team may correct it: its coordinators, police of the area."""
    return registrable_teams(user).filter(pk=incident.team_id).exists()


def get_incident_for_user(user: Any, pk: int, *, write: bool = False) -> Incident:
    """The incident if `user` may see it (else 404); with `write`, 403 unless they may change it."""
    try:
        incident = (
            Incident.objects.visible_to(user).select_related("team__gemeente", "address", "created_by").get(pk=pk)
        )
    except Incident.DoesNotExist:
        raise Http404("Incident niet gevonden.") from None
    if write and not is_coordinator(user, incident.team):
        raise PermissionDenied(_("Alleen de coördinator van dit team mag dit incident wijzigen."))
    return incident
