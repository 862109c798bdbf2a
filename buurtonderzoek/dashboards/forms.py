"""The grip page's choices (which figure, which months, which wijk or buurt) and the resident's postcode form."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.dashboards.grip import FIGURES, add_months, month_start
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk

MAX_MONTHS = 60


class MonthField(forms.DateField):
    """A month as <input type="month"> sends it (YYYY-MM); also accepts a full date."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Vul een maand in als jjjj-mm, bijvoorbeeld 2026-03.")}

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return month_start(day) if day else None


class QuickSelect(forms.Select):
    """A <select> written in Python, the same markup as Django's: the grip form lists every buurt of the
    gemeente (500 in a big one), and Django's template per option cost more than the page's figures."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (_value(option["value"]), SELECTED if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


SELECTED = mark_safe(" selected")


def _value(value: Any) -> Any:
    return "" if value is None else value


class GripForm(forms.Form):
    figuur = forms.ChoiceField(
        label=_("Kleur de kaart naar"), choices=list(FIGURES.items()), required=False, widget=QuickSelect
    )
    van = MonthField(label=_("Van maand"), required=False)
    tot = MonthField(label=_("Tot en met maand"), required=False)
    wijk = forms.ModelChoiceField(
        label=_("Wijk"),
        queryset=Wijk.objects.none(),
        required=False,
        empty_label=_("Hele gemeente"),
        widget=QuickSelect,
    )
    buurt = forms.ModelChoiceField(
        label=_("Buurt"),
        queryset=Buurt.objects.none(),
        required=False,
        empty_label=_("Alle buurten"),
        widget=QuickSelect,
    )

    def __init__(
        self, *args: Any, gemeente: Gemeente, monitor: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The indicators of the latest closed, released Communitymonitor wave, as "monitor:<key>".
        self.fields["figuur"].choices = [*FIGURES.items(), *(monitor or [])]  # type: ignore[attr-defined]
        self.fields["wijk"].queryset = Wijk.objects.filter(gemeente=gemeente)  # type: ignore[attr-defined]
        self.fields["buurt"].queryset = Buurt.objects.filter(gemeente=gemeente).select_related("wijk")  # type: ignore[attr-defined]
        self.fields["wijk"].error_messages["invalid_choice"] = _("Kies een wijk van deze gemeente.")
        self.fields["buurt"].error_messages["invalid_choice"] = _("Kies een buurt van deze gemeente.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        this_month = month_start(timezone.localdate())
        last = data.get("tot") or this_month
        first = data.get("van") or add_months(last, -11)
        if first > last:
            raise forms.ValidationError(_("De beginmaand ligt na de eindmaand. Kies een beginmaand vóór de eindmaand."))
        if add_months(first, MAX_MONTHS - 1) < last:
            raise forms.ValidationError(_("Kies een periode van hoogstens %(n)d maanden.") % {"n": MAX_MONTHS})
        data["van"], data["tot"] = first, last
        data["figuur"] = data.get("figuur") or "per_1000"
        buurt, wijk = data.get("buurt"), data.get("wijk")
        if buurt is not None and wijk is not None and buurt.wijk_id != wijk.pk:
            raise forms.ValidationError(
                _("Deze buurt ligt niet in de gekozen wijk. Kies de wijk opnieuw of een andere buurt.")
            )
        return data


POSTCODE_RE = re.compile(r"^(\d{4})\s*([A-Za-z]{2})?$")


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=8,
        help_text=_("Vier cijfers (1234) of uw hele postcode (1234 AB)."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "autocapitalize": "characters"}),
        error_messages={"required": _("Vul uw postcode in, bijvoorbeeld 1234 AB.")},
    )
    huisnummer = forms.IntegerField(
        label=_("Huisnummer (als u de hele postcode invult)"),
        required=False,
        min_value=1,
        max_value=99999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": _("Vul alleen het nummer in, zonder letter of toevoeging.")},
    )

    def clean_postcode(self) -> str:
        match = POSTCODE_RE.match(self.cleaned_data["postcode"].strip())
        if not match:
            raise forms.ValidationError(_("Vul een postcode in zoals 1234 of 1234 AB."))
        return match.group(1) + (match.group(2) or "").upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("huisnummer") and len(data.get("postcode", "")) == 4:
            self.add_error("postcode", _("Vul bij een huisnummer ook de twee letters van uw postcode in."))
        return data
