"""Forms of the driehoeksoverleg. They validate what a person typed; the rules live in actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import User
from buurtonderzoek.impact.actions import CommitmentSpec, EffectSpec
from buurtonderzoek.impact.models import (
    PROCESS_METRICS,
    ActionType,
    Comparison,
    Direction,
    EffectKind,
    Partner,
    PartnerTable,
)
from buurtonderzoek.places.models import Buurt, Wijk

INDICATOR_ROWS = 3
COMMITMENT_ROWS = 3
SCORE_CHOICES = [(str(i), str(i)) for i in range(1, 6)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TableForm(forms.Form):
    name = forms.CharField(label=_("Naam van het overleg"), max_length=120)
    wijk = forms.ModelChoiceField(
        label=_("Wijk (leeg: de hele gemeente)"), queryset=Wijk.objects.none(), required=False
    )
    share_library = forms.BooleanField(
        label=_("Geëvalueerde acties delen met andere gemeenten in de bibliotheek"), required=False
    )

    def __init__(self, *args: Any, gemeente: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wijk"].queryset = Wijk.objects.filter(gemeente=gemeente).order_by("name")  # type: ignore[attr-defined]


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van de deelnemer"))
    role = forms.CharField(
        label=_("Rol aan tafel"), max_length=80, help_text=_("Bijvoorbeeld: wijkagent, coördinator.")
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Er is geen account met dit e-mailadres. Nodig de persoon eerst uit."))
        return user


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=160)
    action_type = forms.ChoiceField(label=_("Soort actie"), choices=ActionType.choices)
    buurten = forms.ModelMultipleChoiceField(
        label=_("Buurten"), queryset=Buurt.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    problem = forms.CharField(
        label=_("Probleem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wat speelt er, en welk cijfer of signaal laat dat zien?"),
    )
    problem_indicator = forms.ChoiceField(label=_("Indicator die het probleem laat zien"), required=False)
    evidence = forms.CharField(
        label=_("Onderbouwing"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verwijzingen naar cijfers of pagina's, één per regel."),
    )
    plan = forms.CharField(label=_("Wat gaan we doen?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("Einde van de afgesproken periode"), widget=DATE)
    comparison = forms.ChoiceField(
        label=_("Vergelijken met"),
        choices=Comparison.choices,
        initial=Comparison.GEMEENTE,
        help_text=_("Het effect is de verandering in uw buurten min de verandering in deze buurten zonder de actie."),
    )

    def __init__(self, *args: Any, table: PartnerTable, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = Buurt.objects.filter(gemeente=table.gemeente)
        if table.wijk_id:
            area = area.filter(wijk_id=table.wijk_id)
        self.fields["buurten"].queryset = area.order_by("name")  # type: ignore[attr-defined]
        empty: list[tuple[str, Any]] = [("", _("(kies)"))]
        self.fields["problem_indicator"].choices = empty + indicators  # type: ignore[attr-defined]
        for i in range(1, INDICATOR_ROWS + 1):
            self.fields[f"effect_{i}_key"] = forms.ChoiceField(
                label=_("Indicator %(n)s") % {"n": i}, choices=empty + indicators, required=False
            )
            self.fields[f"effect_{i}_direction"] = forms.ChoiceField(
                label=_("Richting bij indicator %(n)s") % {"n": i}, choices=Direction.choices, required=False
            )
            self.fields[f"effect_{i}_size"] = forms.FloatField(
                label=_("Verwachte verandering bij indicator %(n)s") % {"n": i},
                required=False,
                min_value=0.1,
                help_text=_("In procentpunten bij een percentage, in punten bij een cijfer."),
            )
        for key, label in PROCESS_METRICS.items():
            self.fields[f"process_{key}_direction"] = forms.ChoiceField(
                label=_("Richting: %(label)s") % {"label": label}, choices=Direction.choices, required=False
            )
            self.fields[f"process_{key}_size"] = forms.FloatField(
                label=_("Doel: %(label)s") % {"label": label}, required=False, min_value=0.1
            )
        for i in range(1, COMMITMENT_ROWS + 1):
            self.fields[f"commitment_{i}_partner"] = forms.ChoiceField(
                label=_("Partner bij toezegging %(n)s") % {"n": i},
                choices=[("", _("(kies)")), *Partner.choices],
                required=False,
            )
            self.fields[f"commitment_{i}_what"] = forms.CharField(
                label=_("Toezegging %(n)s") % {"n": i}, max_length=300, required=False
            )
            self.fields[f"commitment_{i}_due_on"] = forms.DateField(
                label=_("Uiterlijk op (toezegging %(n)s)") % {"n": i}, required=False, widget=DATE
            )

    def indicator_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"effect_{i}_{p}"] for p in ("key", "direction", "size")] for i in range(1, INDICATOR_ROWS + 1)]

    def process_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"process_{k}_size"], self[f"process_{k}_direction"]] for k in PROCESS_METRICS]

    def commitment_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"commitment_{i}_{p}"] for p in ("partner", "what", "due_on")] for i in range(1, COMMITMENT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("De einddatum ligt vóór de start. Kies een datum na de start."))
        for i in range(1, INDICATOR_ROWS + 1):
            key, size = data.get(f"effect_{i}_key"), data.get(f"effect_{i}_size")
            if key and size is None:
                self.add_error(f"effect_{i}_size", _("Vul in hoeveel verandering u verwacht."))
            if size is not None and not key:
                self.add_error(f"effect_{i}_key", _("Kies de indicator bij deze verwachting."))
            if key and not data.get(f"effect_{i}_direction"):
                self.add_error(f"effect_{i}_direction", _("Kies omhoog of omlaag."))
        if not any(data.get(f"effect_{i}_key") for i in range(1, INDICATOR_ROWS + 1)):
            self.add_error(
                "effect_1_key",
                _("Leg vooraf vast welk effect u verwacht op minstens één monitorindicator; zo is het later te meten."),
            )
        for key in PROCESS_METRICS:
            if data.get(f"process_{key}_size") is not None and not data.get(f"process_{key}_direction"):
                self.add_error(f"process_{key}_direction", _("Kies omhoog of omlaag."))
        for i in range(1, COMMITMENT_ROWS + 1):
            parts = [data.get(f"commitment_{i}_{p}") for p in ("partner", "what", "due_on")]
            if any(parts) and not all(parts):
                self.add_error(
                    f"commitment_{i}_what", _("Vul bij een toezegging de partner, wat er gebeurt en de datum in.")
                )
        return data

    def effects(self) -> list[EffectSpec]:
        d = self.cleaned_data
        specs = [
            EffectSpec(
                kind=EffectKind.INDICATOR,
                key=d[f"effect_{i}_key"],
                direction=d[f"effect_{i}_direction"],
                size=d[f"effect_{i}_size"],
            )
            for i in range(1, INDICATOR_ROWS + 1)
            if d.get(f"effect_{i}_key")
        ]
        specs += [
            EffectSpec(
                kind=EffectKind.PROCESS, key=k, direction=d[f"process_{k}_direction"], size=d[f"process_{k}_size"]
            )
            for k in PROCESS_METRICS
            if d.get(f"process_{k}_size") is not None
        ]
        return specs

    def commitments(self) -> list[CommitmentSpec]:
        d = self.cleaned_data
        return [
            CommitmentSpec(
                partner=d[f"commitment_{i}_partner"], what=d[f"commitment_{i}_what"], due_on=d[f"commitment_{i}_due_on"]
            )
            for i in range(1, COMMITMENT_ROWS + 1)
            if d.get(f"commitment_{i}_what")
        ]


class CheckForm(forms.Form):
    worth = forms.CharField(
        label=_("Wat is de actie waard voor uw partij?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    shows_how = forms.CharField(
        label=_("Hoe zal dat blijken?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    value_score = forms.TypedChoiceField(
        label=_("Waarde voor uw partij (1-5)"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    quality_score = forms.TypedChoiceField(
        label=_("Kwaliteit en genoeg signalen (1-5)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Is de kwaliteit geborgd, en zijn er genoeg incidenten of signalen om mee te werken?"),
    )
    binding_score = forms.TypedChoiceField(
        label=_("Bindend voor het team (1-5)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Is het een vaste, belangrijke taak voor het team?"),
    )
    agrees = forms.TypedChoiceField(
        label=_("Akkoord?"),
        choices=[("1", _("Ja, akkoord")), ("0", _("Nog niet akkoord"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Toelichting"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Verplicht als u niet akkoord bent: wat moet er anders?"),
    )

    def __init__(self, *args: Any, partner: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hints: dict[str, Any] = {
            Partner.GEMEENTE: _("Welk cijfer geeft de gemeente grip?"),
            Partner.POLITIE: _("Hoeveel uren bespaart het de politie, of welke informatie levert het op?"),
            Partner.BUURTPREVENTIE: _("Hoe worden de vrijwilligers erkend?"),
        }
        if partner in hints:
            self.fields["shows_how"].help_text = hints[partner]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("agrees") is False and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Leg uit waarom u (nog) niet akkoord bent, zodat de anderen kunnen bijsturen."))
        return data


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Toelichting"), max_length=500, required=False)


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Wat is er gebeurd?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Schrijf wat er is gebeurd.")},
    )


class CommitmentForm(forms.Form):
    partner = forms.ChoiceField(
        label=_("Partner"), choices=Partner.choices, error_messages={"required": _("Kies de partner die dit toezegt.")}
    )
    what = forms.CharField(
        label=_("Toezegging"), max_length=300, error_messages={"required": _("Schrijf wat er gebeurt.")}
    )
    due_on = forms.DateField(
        label=_("Uiterlijk op"), widget=DATE, error_messages={"required": _("Vul de datum in waarop het klaar is.")}
    )


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Zoek op probleem"), required=False, max_length=100)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    action_type = forms.ChoiceField(
        label=_("Soort actie"), required=False, choices=[("", _("(alle)")), *ActionType.choices]
    )

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("(alle)")), *indicators]  # type: ignore[attr-defined]
