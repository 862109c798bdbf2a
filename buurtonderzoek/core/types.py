"""Request types for views that only run for logged-in users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from buurtonderzoek.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User
