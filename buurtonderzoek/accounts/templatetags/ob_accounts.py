from __future__ import annotations

from typing import Any

from django import template

from buurtonderzoek.accounts.adapter import requires_two_factor as _requires_two_factor

register = template.Library()


@register.simple_tag
def requires_two_factor(user: Any) -> bool:
    """True for police and municipal accounts, which may not work without 2FA."""
    return _requires_two_factor(user)
