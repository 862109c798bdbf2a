from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.privacy.actions import MAX_REFERENCE_LENGTH
from buurtonderzoek.privacy.matching import Subject, normalise_name, normalise_phone


def _same_reference(value: str) -> str:
    return " ".join(value.split())


class RequestForm(forms.Form):
    """Who the request is about, and its reference. The values travel by POST only, never in a URL."""

    email = forms.EmailField(
        label=_("E-mailadres"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Vul een e-mailadres in zoals naam@voorbeeld.nl.")},
    )
    phone = forms.CharField(
        label=_("Telefoonnummer"),
        required=False,
        max_length=30,
        help_text=_("Spaties, streepjes en +31 maken niet uit: 06-1234 5678 en +31 6 12345678 zijn hetzelfde."),
    )
    name = forms.CharField(
        label=_("Naam (niet verplicht)"),
        required=False,
        max_length=150,
        help_text=_(
            "Alleen om gegevens met dezelfde naam te laten zien, ter controle. Op de naam alleen wordt niets "
            "geëxporteerd of verwijderd."
        ),
    )
    reference = forms.CharField(
        label=_("Referentie van het verzoek"),
        max_length=MAX_REFERENCE_LENGTH,
        help_text=_(
            "Het zaaknummer of kenmerk van het verzoek. Komt in het auditlog: gebruik geen naam, e-mailadres of "
            "telefoonnummer."
        ),
        error_messages={"required": _("Vul de referentie van het verzoek in, bijvoorbeeld het zaaknummer.")},
    )

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone and not normalise_phone(phone):
            raise forms.ValidationError(
                _(
                    "Een telefoonnummer bevat alleen cijfers, spaties, streepjes en een + vooraan, "
                    "en minstens 6 cijfers."
                )
            )
        return phone

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name") or "").strip()
        if name and not normalise_name(name):
            raise forms.ValidationError(_("Vul de hele naam in (minstens 3 tekens), of laat het veld leeg."))
        return name

    def clean_reference(self) -> str:
        return _same_reference(str(self.cleaned_data.get("reference") or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Vul een e-mailadres of een telefoonnummer in (of beide): daarop wordt gezocht."), code="empty"
            )
        return data

    def subject(self) -> Subject:
        data = self.cleaned_data
        return Subject.from_input(
            email=data.get("email") or "", phone=data.get("phone") or "", name=data.get("name") or ""
        )


class EraseForm(RequestForm):
    """The confirmation step: the request's values come along hidden; the reference is typed again."""

    reference_again = forms.CharField(
        label=_("Typ de referentie nog een keer ter bevestiging"),
        max_length=MAX_REFERENCE_LENGTH,
        error_messages={"required": _("Typ de referentie van het verzoek nog een keer om te bevestigen.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("email", "phone", "name", "reference"):
            self.fields[name].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        again = _same_reference(str(data.get("reference_again") or ""))
        if data.get("reference") and again and again != data["reference"]:
            self.add_error(
                "reference_again",
                _("De referentie komt niet overeen. Typ de referentie van het verzoek precies over."),
            )
        return data
