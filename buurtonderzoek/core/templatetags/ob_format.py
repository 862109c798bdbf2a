"""Small display filters shared by templates."""

from __future__ import annotations

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """Minutes, rounded up: "try again in 0 minutes" would be wrong for a 30-second wait."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
