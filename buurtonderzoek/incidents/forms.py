"""Incident forms. Registering and editing share one set of fields and rules (`IncidentDetailsForm`);
`window_errors` and `clean_police_number` are also what `actions.update_incident` checks, so a change
that does not come through a form meets the same rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.incidents.models import HIC_TYPES, Incident, IncidentStatus, IncidentType
from buurtonderzoek.places.models import Address

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
POLICE_NUMBER_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/. ")


def window_errors(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """The time window's rules: it may not end before it starts, nor start in the future."""
    errors: dict[str, str] = {}
    if start and end and end < start:
        errors["occurred_until"] = str(_("Het einde ligt vóór het begin. Controleer de datum en tijd."))
    if start and start > timezone.now():
        errors["occurred_from"] = str(_("Het begin ligt in de toekomst. Controleer de datum en tijd."))
    return errors


def clean_police_number(value: str) -> str:
    """The police registration number in capitals; refused when it holds other characters."""
    value = value.strip().upper()
    if value and not set(value) <= POLICE_NUMBER_CHARS:
        raise forms.ValidationError(_("Gebruik alleen letters, cijfers en streepjes, zoals PL0900-2025123456."))
    return value


def type_choices() -> list[tuple[str, str]]:
    # HIC types first and marked, so the most serious kinds are one glance away.
    hic = [(t.value, f"{t.label} (HIC)") for t in IncidentType if t in HIC_TYPES]
    rest = [(t.value, str(t.label)) for t in IncidentType if t not in HIC_TYPES]
    return [("", "---------"), *hic, *rest]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


class IncidentDetailsForm(forms.Form):
    """The fields and rules that registering and editing an incident share."""

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set by clean(): the chosen address, checked to lie in the team's gemeente.
        self.address_obj: Address | None = None

    def location_team(self, data: dict[str, Any]) -> Team | None:
        """The team whose gemeente the address must lie in."""
        raise NotImplementedError

    def location_required(self) -> bool:
        return True

    def chosen_point(self) -> tuple[float, float] | None:
        """The map point (lat, lon) on a valid form without an address; None otherwise."""
        if self.address_obj is not None:
            return None
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        return None if lat is None or lon is None else (lat, lon)

    def clean_police_registration_number(self) -> str:
        return clean_police_number(str(self.cleaned_data.get("police_registration_number") or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, message in window_errors(data.get("occurred_from"), data.get("occurred_until")).items():
            self.add_error(field, message)
        team = self.location_team(data)
        address_id = data.get("address")
        if address_id and team:
            try:
                self.address_obj = Address.objects.get(pk=address_id, gemeente_code=team.gemeente.code)
            except Address.DoesNotExist:
                self.add_error("address_query", _("Dit adres ligt niet in de gemeente van het team. Zoek opnieuw."))
        elif self.location_required() and (data.get("lat") is None or data.get("lon") is None):
            self.add_error(
                "address_query", _("Kies een adres uit de zoekresultaten of klik de plaats aan op de kaart.")
            )
        return data


class IncidentForm(IncidentDetailsForm):
    """Registering an incident for one of the teams the user may register for."""

    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"), empty_label=None)
    field_order = ["team"]

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams
        if len(teams) == 1:
            team_field.initial = teams[0]
            team_field.widget = forms.HiddenInput()

    def location_team(self, data: dict[str, Any]) -> Team | None:
        team = data.get("team")
        return team if isinstance(team, Team) else None

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


class IncidentEditForm(IncidentDetailsForm):
    """Correcting a registered incident. The team stays; the location only while no canvass is planned.

    Prefilled from the incident. A location left as it was is not a change (the action compares).
    """

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        self.incident = incident
        kwargs.setdefault("initial", self.initial_for(incident))
        super().__init__(*args, **kwargs)
        # The location is not one field (search, results, map), so its help text stands on its own.
        self.location_help = _(
            "De locatie kunt u alleen wijzigen zolang er geen buurtonderzoek is gepland: "
            "daarna is het plan rond deze plek gemaakt."
        )
        self.fields["victim_consent"].help_text = _(
            "Trekt het slachtoffer de instemming in, zet dit dan uit. Dat kan alleen zolang er geen "
            "buurtonderzoek is gepland; is het al gepland of begonnen, stop het dan eerst via 'Status wijzigen'."
        )

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "incident_type": incident.incident_type,
            # In whole minutes, as the input shows them: a window sent back untouched is then no change.
            "occurred_from": timezone.localtime(incident.occurred_from).replace(second=0, microsecond=0),
            "occurred_until": timezone.localtime(incident.occurred_until).replace(second=0, microsecond=0),
            "police_registration_number": incident.police_registration_number,
            "description": incident.description,
            "victim_consent": incident.victim_consent,
        }
        if incident.address_id is not None:
            initial["address"] = incident.address_id
        else:
            initial["lat"], initial["lon"] = f"{incident.lat:.6f}", f"{incident.lon:.6f}"
        return initial

    @property
    def location_locked(self) -> bool:
        return self.incident.status != IncidentStatus.REGISTERED

    def location_team(self, data: dict[str, Any]) -> Team | None:
        return self.incident.team

    def location_required(self) -> bool:
        # Once a canvass is planned the page does not offer the location; nothing posted means "unchanged".
        return not self.location_locked


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Nieuwe status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Toelichting"), required=False, max_length=500)
