"""Filters for showing the stored report document (ISO dates, labels of coded answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

CODES = {
    "ja": gettext_lazy("ja"),
    "nee": gettext_lazy("nee"),
    "weet_niet": gettext_lazy("weet niet"),
    "eigen_waarneming": gettext_lazy("zelf gezien of gehoord"),
    "camera": gettext_lazy("op camerabeelden"),
    "van_anderen": gettext_lazy("van anderen gehoord"),
    "zeker": gettext_lazy("zeker"),
    "redelijk_zeker": gettext_lazy("redelijk zeker"),
    "onzeker": gettext_lazy("onzeker"),
    "straat": gettext_lazy("straat"),
    "ingang": gettext_lazy("ingang"),
    "oprit": gettext_lazy("oprit"),
    "achterom": gettext_lazy("tuin of achterom"),
}


@register.filter
def isodate(value: Any) -> datetime | None:
    """An ISO 8601 string from the document as a local datetime, for the |date filter."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed


@register.filter
def code(value: Any) -> str:
    """A coded answer (ja, weet_niet, eigen_waarneming, ...) in words."""
    if isinstance(value, list):
        return ", ".join(code(v) for v in value)
    text = str(value or "")
    return str(CODES[text]) if text in CODES else text.replace("_", " ")


@register.filter
def agreement_label(status: str) -> str:
    return {"agree": _("eens"), "differ": _("verschillen"), "single": _("één getuige")}.get(status, status)


@register.filter
def percent(value: Any) -> int:
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def helpful_labels(parts: list[str]) -> str:
    """The police's "what helped" choices as a readable Dutch list."""
    from buurtonderzoek.handoff.models import HelpfulPart

    return ", ".join(str(HelpfulPart(p).label) for p in parts if p in HelpfulPart.values)
