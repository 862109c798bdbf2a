"""Form pieces shared by the public forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def honeypot_field() -> forms.CharField:
    """A field people leave empty and spam robots fill in (the form checks it as `is_spam`).

    CSS moves it off screen and the template wraps it in aria-hidden, so it must not take keyboard focus
    either (a Tab would land on an invisible field nobody can hear: axe's aria-hidden-focus) and browsers
    must not autofill it (a person's filled-in form would then count as spam).
    """
    return forms.CharField(
        required=False,
        label=_("Laat dit veld leeg"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
