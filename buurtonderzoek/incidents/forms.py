from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.incidents.models import HIC_TYPES, IncidentStatus, IncidentType
from buurtonderzoek.places.models import Address

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
POLICE_NUMBER_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/. ")


def type_choices() -> list[tuple[str, str]]:
    # HIC types first and marked, so the most serious kinds are one glance away.
    hic = [(t.value, f"{t.label} (HIC)") for t in IncidentType if t in HIC_TYPES]
    rest = [(t.value, str(t.label)) for t in IncidentType if t not in HIC_TYPES]
    return [("", "---------"), *hic, *rest]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


class IncidentForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"), empty_label=None)
    incident_type = forms.ChoiceField(label=_("Soort incident"), choices=type_choices)
    occurred_from = forms.DateTimeField(
        label=_("Gebeurd vanaf"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
    )
    occurred_until = forms.DateTimeField(
        label=_("Gebeurd tot"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
    )
    address_query = forms.CharField(
        label=_("Adres zoeken"),
        required=False,
        max_length=80,
        help_text=_("Postcode en huisnummer (1234 AB 5) of straat en huisnummer (Kerkstraat 12)."),
    )
    address = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    police_registration_number = forms.CharField(
        label=_("Registratienummer politie"),
        required=False,
        max_length=40,
        help_text=_("Als er aangifte is gedaan; staat op het bewijs van aangifte."),
    )
    description = forms.CharField(
        label=_("Korte omschrijving"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wat is er gebeurd? Geen namen of telefoonnummers van het slachtoffer."),
    )
    victim_consent = forms.BooleanField(
        label=_("Het slachtoffer stemt in met een buurtonderzoek"),
        required=False,
        help_text=_("Zonder instemming kunt u het incident registreren, maar geen buurtonderzoek plannen."),
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams
        if len(teams) == 1:
            team_field.initial = teams[0]
            team_field.widget = forms.HiddenInput()
        self.address_obj: Address | None = None

    def selected_team(self) -> Team | None:
        """The team picked so far, also on an unsubmitted or invalid form (for the address search)."""
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        raw = self.data.get("team") if self.is_bound else None
        raw = raw or (team_field.initial.pk if isinstance(team_field.initial, Team) else None)
        if not raw:
            return None
        assert team_field.queryset is not None
        try:
            team = team_field.queryset.get(pk=int(raw))
        except (ValueError, Team.DoesNotExist):
            return None
        assert isinstance(team, Team)
        return team

    def clean_police_registration_number(self) -> str:
        value = str(self.cleaned_data.get("police_registration_number") or "").strip().upper()
        if value and not set(value) <= POLICE_NUMBER_CHARS:
            raise forms.ValidationError(_("Gebruik alleen letters, cijfers en streepjes, zoals PL0900-2025123456."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_from"), data.get("occurred_until")
        if start and end and end < start:
            self.add_error("occurred_until", _("Het einde ligt vóór het begin. Controleer de datum en tijd."))
        if start and start > timezone.now():
            self.add_error("occurred_from", _("Het begin ligt in de toekomst. Controleer de datum en tijd."))
        team = data.get("team")
        address_id = data.get("address")
        if address_id and team:
            try:
                self.address_obj = Address.objects.get(pk=address_id, gemeente_code=team.gemeente.code)
            except Address.DoesNotExist:
                self.add_error("address_query", _("Dit adres ligt niet in de gemeente van het team. Zoek opnieuw."))
        elif data.get("lat") is None or data.get("lon") is None:
            self.add_error(
                "address_query", _("Kies een adres uit de zoekresultaten of klik de plaats aan op de kaart.")
            )
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Nieuwe status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Toelichting"), required=False, max_length=500)
