"""Who may see a gemeente's grip pages: its municipal staff (adviseur OOV) and platform admins."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.places.models import Gemeente


def grip_gemeenten(user: Any) -> QuerySet[Gemeente]:
    if not user.is_authenticated:
        return Gemeente.objects.none()
    if user.is_superuser:
        return Gemeente.objects.all()
    return Gemeente.objects.filter(pk__in=Membership.objects.filter(user=user, role=Role.MUNICIPAL).values("gemeente"))


def get_grip_gemeente_for_user(user: Any, pk: int) -> Gemeente:
    """404 for a gemeente the user does not work for: its existence is none of their business."""
    gemeente = grip_gemeenten(user).filter(pk=pk).first()
    if gemeente is None:
        raise Http404
    return gemeente
