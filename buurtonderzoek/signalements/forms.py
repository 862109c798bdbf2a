from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.core.forms import honeypot_field
from buurtonderzoek.places.models import Buurt, Gemeente


class AlertForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=160)
    text = forms.CharField(
        label=_("Tekst van de oproep"),
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Alleen een beschrijving: geen namen, huisnummers, telefoonnummers of foto's. Laat de link naar het "
            "tipformulier staan."
        ),
    )
    buurt = forms.ModelChoiceField(
        label=_("Buurt waar de oproep verschijnt"), queryset=Buurt.objects.none(), required=False
    )

    def __init__(self, *args: Any, buurten: QuerySet[Buurt], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buurt"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buurten
        field.empty_label = _("hele gemeente")


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Waarom moet de oproep terug?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    outcome_text = forms.CharField(
        label=_("Afloopbericht"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Wat is er van de oproep gekomen? Dit bericht vervangt de oproep en gaat naar iedereen die hem kreeg."
        ),
    )


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        max_length=254,
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."),
        },
    )
    area = forms.ChoiceField(
        label=_("Waarvoor wilt u oproepen krijgen?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies of u oproepen wilt krijgen voor uw buurt of voor de hele gemeente."),
            "invalid_choice": _("Kies een van de twee mogelijkheden: uw buurt of de hele gemeente."),
        },
    )
    # Left empty by people; robots fill in every field.
    website = honeypot_field()

    def __init__(self, *args: Any, buurt: Buurt | None, gemeente: Gemeente, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if buurt is not None:
            choices.append((f"buurt:{buurt.pk}", _("Alleen de buurt %(name)s") % {"name": buurt.name}))
        choices.append((f"gemeente:{gemeente.pk}", _("De hele gemeente %(name)s") % {"name": gemeente.name}))
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.initial = choices[0][0]
        self.buurt, self.gemeente = buurt, gemeente

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def chosen_area(self) -> dict[str, Any]:
        kind = str(self.cleaned_data["area"]).split(":", 1)[0]
        return {"buurt": self.buurt} if kind == "buurt" else {"gemeente": self.gemeente}
