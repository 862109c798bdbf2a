from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import PoliceUnit, User
from buurtonderzoek.canvass.models import ReviewStatus
from buurtonderzoek.handoff.models import USEFULNESS_LABELS, HelpfulPart, ReportOutcome, ReportStatus

REVIEW_CHOICES = [
    (ReviewStatus.APPROVED.value, _("Goedkeuren: de verklaring telt mee")),
    (ReviewStatus.HAS_ISSUES.value, _("Heeft vragen: de loper moet iets aanvullen of verbeteren")),
    (ReviewStatus.REJECTED.value, _("Afwijzen: de verklaring telt niet mee")),
]


class ReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("Beoordeling"), choices=REVIEW_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Opmerking voor de loper"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Verplicht bij vragen of afwijzen: zeg wat er niet klopt of ontbreekt."),
    )


class SubmitReportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Naar politie-eenheid"), queryset=PoliceUnit.objects.none(), empty_label=None)
    confirm = forms.BooleanField(
        label=_("Ik heb de signalementen, verschillen en camerasporen nagekeken."), required=True
    )

    def __init__(self, *args: Any, units: Sequence[PoliceUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = PoliceUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("name")
        if units:
            field.initial = units[0].pk


class TransitionForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Nieuwe status"),
        error_messages={"required": _("Kies een nieuwe status."), "invalid_choice": _("Kies een nieuwe status.")},
    )
    note = forms.CharField(label=_("Toelichting (optioneel)"), max_length=500, required=False)

    def __init__(self, *args: Any, allowed: Sequence[ReportStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.value, s.label) for s in allowed]


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Terugkoppeling aan het team"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wat had u aan het verslag? Iedereen die meedeed, leest dit."),
        error_messages={"required": _("Schrijf uw terugkoppeling aan het team.")},
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=ReportOutcome.choices)
    usefulness = forms.TypedChoiceField(
        label=_("Hoe bruikbaar was het verslag?"),
        choices=list(USEFULNESS_LABELS.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Geef een cijfer voor de bruikbaarheid van 1 tot en met 5.")},
    )
    helpful_parts = forms.MultipleChoiceField(
        label=_("Wat hielp?"),
        choices=HelpfulPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kruis alles aan wat u verder hielp. Het team ziet dit, zo leren ze wat werkt."),
    )
    note = forms.CharField(
        label=_("Toelichting"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, earlier_note: str = "", **kwargs: Any) -> None:
        # The note explains the outcome recorded now and replaces the earlier one. It starts empty: filled in
        # with the earlier note, an officer who clicks and types would add to old text without noticing.
        # The earlier note is shown with the field, to copy from.
        super().__init__(*args, **kwargs)
        if earlier_note:
            self.fields["note"].help_text = _(
                "Eerdere toelichting: “%(note)s”. Wat u hier typt, komt daarvoor in de plaats. "
                "Laat u dit veld leeg, dan vervalt de eerdere toelichting."
            ) % {"note": earlier_note}


class ThanksForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Aan"), error_messages={"invalid_choice": _("Kies aan wie en schrijf een kort bericht.")}
    )
    message = forms.CharField(
        label=_("Bericht"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Schrijf een kort bedankje.")},
    )

    def __init__(self, *args: Any, people: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("team", _("het hele team")), *[(str(p.pk), str(p)) for p in people]]
        self.people = {str(p.pk): p for p in people}

    def recipient(self) -> User | None:
        return self.people.get(self.cleaned_data["to"])
