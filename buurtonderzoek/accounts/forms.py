from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import TEAM_ROLE_CHOICES, Invitation, Role, User
from buurtonderzoek.accounts.tokens import DEFAULT_VALID_DAYS, MAX_VALID_DAYS


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mailadres"),
        help_text=_("Wij sturen een e-mail met een persoonlijke link om lid te worden."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Rol in het team"),
        choices=TEAM_ROLE_CHOICES,
        initial=Role.VOLUNTEER,
        widget=forms.RadioSelect,
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Nieuwe rol"), choices=TEAM_ROLE_CHOICES)


class NewAccountForm(forms.Form):
    """Create an account for an invitee. The e-mail address comes from the invitation, never from the form."""

    full_name = forms.CharField(
        label=_("Uw naam"),
        max_length=150,
        help_text=_("Zo ziet uw team u staan."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Kies een wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Herhaal het wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = str(self.cleaned_data["password2"])
        if password1 and password1 != password2:
            raise forms.ValidationError(_("De twee wachtwoorden zijn niet gelijk."), code="password_mismatch")
        return password2

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password2")
        if password:
            # Validate against the account-to-be, so "similar to your name or e-mail" is caught too.
            candidate = User(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=100,
        help_text=_("Voor welk systeem is deze sleutel? Bijvoorbeeld: BVH-koppeling basisteam."),
        error_messages={"required": _("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    valid_days = forms.IntegerField(
        label=_("Geldig (dagen)"),
        min_value=1,
        max_value=MAX_VALID_DAYS,
        initial=DEFAULT_VALID_DAYS,
        error_messages={
            "required": _("Vul in hoeveel dagen de sleutel geldig is, bijvoorbeeld 90."),
            "invalid": _("Vul een heel aantal dagen in, bijvoorbeeld 90."),
            "min_value": _("Een sleutel is minstens 1 dag geldig."),
            "max_value": _("Een sleutel is hoogstens %(limit_value)s dagen geldig. Kies een kortere periode."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted here, not at import: a lazy string with % would be fixed in the language of the import.
        self.fields["valid_days"].help_text = _(
            "Hoogstens %(max)d dagen. Daarna werkt de sleutel niet meer en maakt u een nieuwe."
        ) % {"max": MAX_VALID_DAYS}

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt."))
        return name
