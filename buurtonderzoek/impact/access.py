"""Permission-checked reads of partner tables and actions.

Whoever works in the table's gemeente (gemeente officers, police of a covering unit, team members) sees
its tables and actions: every partner sees the same state. Writing (proposing, checking, moving an
action) is for the people seated at the table; `write=True` gives 403 to the others.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.impact.models import Action, PartnerMember, PartnerTable


def is_member(user: Any, table: PartnerTable) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser) or PartnerMember.objects.filter(table=table, user=user).exists()


def get_table_for_user(user: Any, pk: int, *, write: bool = False) -> PartnerTable:
    try:
        table = PartnerTable.objects.visible_to(user).select_related("gemeente", "wijk").get(pk=pk)
    except PartnerTable.DoesNotExist:
        raise Http404("Driehoeksoverleg niet gevonden.") from None
    if write and not is_member(user, table):
        raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen dit doen."))
    return table


def get_action_for_user(user: Any, pk: int, *, write: bool = False) -> Action:
    try:
        action = (
            Action.objects.visible_to(user).select_related("table__gemeente", "table__wijk", "proposed_by").get(pk=pk)
        )
    except Action.DoesNotExist:
        raise Http404("Actie niet gevonden.") from None
    if write and not is_member(user, action.table):
        raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen dit doen."))
    return action
