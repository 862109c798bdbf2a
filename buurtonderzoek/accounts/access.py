"""Permission-checked reads for organisations.

Lists go through `visible_to(user)` querysets; single objects through the
`get_*_for_user` helpers: 404 when the user may not see it, 403 when the user
may see it but not change it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team
from buurtonderzoek.places.models import Gemeente


def roles_of(user: Any) -> set[str]:
    if not user.is_authenticated:
        return set()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if user.is_superuser:
        roles.add("admin")
    return roles


def visible_teams(user: Any) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(
        Q(memberships__user=user)
        | Q(gemeente__memberships__user=user, gemeente__memberships__role=Role.MUNICIPAL)
        | Q(gemeente__police_units__memberships__user=user)
    ).distinct()


def visible_gemeenten(user: Any) -> QuerySet[Gemeente]:
    if not user.is_authenticated:
        return Gemeente.objects.none()
    if user.is_superuser:
        return Gemeente.objects.all()
    return Gemeente.objects.filter(
        Q(memberships__user=user) | Q(police_units__memberships__user=user) | Q(teams__memberships__user=user)
    ).distinct()


def visible_police_units(user: Any) -> QuerySet[PoliceUnit]:
    if not user.is_authenticated:
        return PoliceUnit.objects.none()
    if user.is_superuser:
        return PoliceUnit.objects.all()
    return PoliceUnit.objects.filter(
        Q(memberships__user=user) | Q(gemeenten__memberships__user=user) | Q(gemeenten__teams__memberships__user=user)
    ).distinct()


def is_team_coordinator(user: Any, team: Team) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user, team=team, role=Role.COORDINATOR).exists()


def is_team_member(user: Any, team: Team) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user, team=team).exists()


def get_team_for_user(user: Any, pk: int, *, write: bool = False, member: bool = False) -> Team:
    """The team with this pk, if `user` may see it.

    404 when the team is invisible to the user. 403 when `write` is asked and the user is not its
    coordinator (or an admin), or when `member` is asked (pages that show the member list) and the user
    sees the team only through the police unit or the gemeente.
    """
    try:
        team = visible_teams(user).get(pk=pk)
    except Team.DoesNotExist:
        raise Http404(_("Team niet gevonden.")) from None
    if write and not is_team_coordinator(user, team):
        raise PermissionDenied(_("Alleen de coördinator van dit team mag dit wijzigen."))
    if member and not is_team_member(user, team):
        raise PermissionDenied(_("Alleen leden van dit team zien deze pagina."))
    return team
