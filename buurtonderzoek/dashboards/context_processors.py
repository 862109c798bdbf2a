"""Which main-menu entries a user gets, from their roles (one query, only on pages that show the menu)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from buurtonderzoek.accounts.access import roles_of
from buurtonderzoek.accounts.models import Role


def _menu(request: HttpRequest) -> dict[str, bool]:
    roles = roles_of(request.user)
    return {
        # The gemeente sees counts, never incidents or reports themselves: its menu leads to the grip
        # pages instead of lists it could only see empty.
        "cases": bool(roles & {Role.VOLUNTEER, Role.COORDINATOR, Role.POLICE, "admin"}),
        "grip": Role.MUNICIPAL in roles,
    }


def menu(request: HttpRequest) -> dict[str, Any]:
    return {"menu": SimpleLazyObject(lambda: _menu(request))}
