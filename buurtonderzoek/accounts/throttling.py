"""Which account a login attempt was for, as django-axes should see it.

allauth authenticates with `email=...` while its form field is called `login`; axes looks in the
credentials first, so without this it would count every failure under an empty name and a successful
login would not clear them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name:
        data = getattr(request, "data", None) or request.POST
        name = data.get("login") or data.get("username") or ""
    return str(name).strip().lower()
