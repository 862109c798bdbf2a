from __future__ import annotations

from typing import Any

from django import template

from buurtonderzoek.accounts.adapter import requires_two_factor as _requires_two_factor
from buurtonderzoek.accounts.tokens import may_hold_api_tokens as _may_hold_api_tokens

register = template.Library()


@register.simple_tag
def requires_two_factor(user: Any) -> bool:
    """True for police and municipal accounts, which may not work without 2FA."""
    return _requires_two_factor(user)


@register.simple_tag
def may_hold_api_tokens(user: Any) -> bool:
    """True for police and beheerders: they see the API keys page."""
    return _may_hold_api_tokens(user)
