from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.canvass.models import DEFAULT_RADIUS_M, MAX_RADIUS_M, MIN_RADIUS_M
from buurtonderzoek.canvass.pdf import MAX_LEAFLETS
from buurtonderzoek.canvass.planning import parse_polygon
from buurtonderzoek.core.forms import honeypot_field

TIP_SALT = "buurtonderzoek.tip-form"
# People need a few seconds to read the form and type a tip; scripts post at once.
TIP_MIN_FILL_SECONDS = 3
TIP_FORM_MAX_AGE_SECONDS = 6 * 60 * 60


class LeafletForm(forms.Form):
    size = forms.ChoiceField(
        label=_("Formaat"),
        choices=[("A6", _("A6 (briefkaart, past in elke brievenbus)")), ("A5", _("A5 (half A4)"))],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Kies A6 of A5."), "required": _("Kies A6 of A5.")},
    )
    copies = forms.IntegerField(
        label=_("Aantal briefjes"),
        min_value=1,
        max_value=MAX_LEAFLETS,
        help_text=_("Eén per deur; u kunt er ook een paar extra nemen."),
        error_messages={
            "required": _("Vul in hoeveel briefjes u nodig heeft."),
            "invalid": _("Vul een heel getal in, bijvoorbeeld 40."),
            "min_value": _("Vul in hoeveel briefjes u nodig heeft: minstens %(limit_value)s."),
            "max_value": _("Hoogstens %(limit_value)s briefjes per keer; maak er anders twee opdrachten van."),
        },
    )


class PlanForm(forms.Form):
    radius_m = forms.IntegerField(
        label=_("Straal in meters"),
        min_value=MIN_RADIUS_M,
        max_value=MAX_RADIUS_M,
        initial=DEFAULT_RADIUS_M,
        required=False,
        help_text=_("Alle adressen binnen deze afstand van het incident. Of teken een gebied op de kaart."),
    )
    polygon = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20_000)
    excluded = forms.CharField(required=False, widget=forms.HiddenInput, max_length=50_000)
    route_count = forms.IntegerField(
        label=_("Aantal routes"),
        min_value=1,
        max_value=40,
        required=False,
        help_text=_("Eén route per koppel lopers; leeg laten voor een voorstel (ongeveer 40 deuren per route)."),
    )

    def clean_polygon(self) -> dict[str, Any] | None:
        return parse_polygon(self.cleaned_data.get("polygon") or None)

    def clean_excluded(self) -> list[int]:
        raw = self.cleaned_data.get("excluded") or ""
        try:
            return sorted({int(part) for part in raw.replace(" ", "").split(",") if part})
        except ValueError:
            raise forms.ValidationError(
                _("De lijst met uitgesloten adressen is onleesbaar. Laad de pagina opnieuw.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("polygon") is None and data.get("radius_m") is None and not self.errors:
            data["radius_m"] = DEFAULT_RADIUS_M
        return data


class TipForm(forms.Form):
    text = forms.CharField(
        label=_("Wat heeft u gezien of gehoord?"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Wat, wanneer en waar. Beschrijf wat iemand deed en droeg, niet alleen hoe iemand eruitzag."),
        error_messages={
            "required": _("Schrijf kort op wat u heeft gezien of gehoord."),
            "min_length": _("Schrijf iets meer: minstens 10 tekens."),
        },
    )
    contact_consent = forms.BooleanField(
        label=_("De politie of het team mag contact met mij opnemen over deze tip"),
        required=False,
    )
    contact_name = forms.CharField(label=_("Naam"), required=False, max_length=100)
    contact_phone = forms.CharField(label=_("Telefoonnummer"), required=False, max_length=30)
    contact_email = forms.EmailField(
        label=_("E-mailadres"),
        required=False,
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
    )
    # The honeypot: hidden from people by CSS and aria-hidden, filled in by spam robots.
    website = honeypot_field()
    started = forms.CharField(widget=forms.HiddenInput)
    # The privacy statement version the page showed; stored with the tip.
    privacy_version = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)

    def __init__(self, *args: Any, incident_id: int, **kwargs: Any) -> None:
        from buurtonderzoek.privacy.statement import current_version

        super().__init__(*args, **kwargs)
        self.incident_id = incident_id
        if not self.is_bound:
            self.fields["started"].initial = signing.dumps({"i": incident_id, "t": time.time()}, salt=TIP_SALT)
            self.fields["privacy_version"].initial = current_version()

    def clean_privacy_version(self) -> str:
        from buurtonderzoek.privacy.statement import current_version, shown_version_problem

        version = (self.cleaned_data.get("privacy_version") or "").strip()
        if not version:
            return current_version()  # a page from before the field existed showed the current text
        if shown_version_problem(version) is None:
            return version
        # A form left open while the statement changed: show the new one and ask to send again.
        if isinstance(self.data, QueryDict):
            data = self.data.copy()
            data["privacy_version"] = current_version()
            self.data = data
        raise forms.ValidationError(
            _(
                "De privacyverklaring is gewijzigd sinds u dit formulier opende. Lees de nieuwe versie "
                "(link hieronder) en verstuur uw tip nog een keer; uw tekst staat er nog."
            )
        )

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean_started(self) -> float:
        try:
            data = signing.loads(self.cleaned_data["started"], salt=TIP_SALT, max_age=TIP_FORM_MAX_AGE_SECONDS)
        except signing.SignatureExpired:
            raise forms.ValidationError(_("Het formulier is verlopen. Verstuur uw tip nog een keer.")) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _("Dit formulier werkt niet meer. Laad de pagina opnieuw en verstuur uw tip nog een keer.")
            ) from None
        if data.get("i") != self.incident_id:
            raise forms.ValidationError(
                _("Dit formulier werkt niet meer. Laad de pagina opnieuw en verstuur uw tip nog een keer.")
            )
        started = float(data.get("t", 0))
        if time.time() - started < TIP_MIN_FILL_SECONDS:
            raise forms.ValidationError(_("Dat ging erg snel. Controleer uw tip en verstuur hem nog een keer."))
        return started

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact = any(data.get(f) for f in ("contact_name", "contact_phone", "contact_email"))
        if data.get("contact_consent"):
            if not (data.get("contact_phone") or data.get("contact_email")):
                self.add_error(
                    "contact_phone", _("Vul een telefoonnummer of e-mailadres in, zodat we contact kunnen opnemen.")
                )
        elif contact:
            self.add_error(
                "contact_consent",
                _("Vink aan dat we contact mogen opnemen, of laat naam, telefoon en e-mail leeg."),
            )
        phone = str(data.get("contact_phone") or "")
        if phone and not set(phone) <= set("+0123456789 -()"):
            self.add_error(
                "contact_phone",
                _("Vul een telefoonnummer in met alleen cijfers, spaties, + en -, bijvoorbeeld 06 12345678."),
            )
        return data
