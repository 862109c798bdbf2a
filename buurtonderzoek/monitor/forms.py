"""Forms for officers (waves, print runs) and residents (code, buurt for the public link)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.invitations import MAX_PDF_LETTERS
from buurtonderzoek.monitor.models import SampleMode, Wave
from buurtonderzoek.places.models import Address, Buurt, Gemeente
from buurtonderzoek.questionnaires.models import Purpose, QuestionnaireVersion


class VersionChoiceField(forms.ModelChoiceField[QuestionnaireVersion]):
    def label_from_instance(self, obj: QuestionnaireVersion) -> str:
        return f"{obj.questionnaire.title} \u2013 versie {obj.number}"


class BuurtChoiceField(forms.ModelMultipleChoiceField[Buurt]):
    def label_from_instance(self, obj: Buurt) -> str:
        return f"{obj.name} ({obj.wijk.name})"


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Naam van de meetronde"), max_length=120, help_text=_("Bijvoorbeeld: Najaar 2026."))
    starts_on = forms.DateField(label=_("Begindatum"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Einddatum"), widget=forms.DateInput(attrs={"type": "date"}))
    version = VersionChoiceField(
        label=_("Vragenlijst"),
        queryset=QuestionnaireVersion.objects.none(),
        help_text=_("De standaardvragenlijst volgt de Veiligheidsmonitor van het CBS, zodat u kunt vergelijken."),
    )
    buurten = BuurtChoiceField(label=_("Buurten"), queryset=Buurt.objects.none(), widget=forms.CheckboxSelectMultiple)
    target_per_buurt = forms.IntegerField(
        label=_("Beoogd aantal antwoorden per buurt"),
        min_value=1,
        max_value=100_000,
        initial=100,
        help_text=_("Voor een uitspraak per buurt zijn 100 tot 300 antwoorden nodig (marge 5 tot 10 procentpunt)."),
    )
    public_link_enabled = forms.BooleanField(
        label=_("Ook een openbare link zonder code (antwoorden worden apart gehouden)"), required=False
    )

    def __init__(self, *args: Any, gemeente: Gemeente, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = (
            QuestionnaireVersion.objects.published()
            .filter(questionnaire__purpose=Purpose.MONITOR)
            .select_related("questionnaire")
            .order_by("questionnaire__slug", "-number")
        )
        version_field = self.fields["version"]
        assert isinstance(version_field, VersionChoiceField)
        version_field.queryset = versions
        first = versions.first()
        if first is not None:
            version_field.initial = first.pk
        buurten_field = self.fields["buurten"]
        assert isinstance(buurten_field, BuurtChoiceField)
        buurten_field.queryset = Buurt.objects.filter(gemeente=gemeente).select_related("wijk").order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("De einddatum ligt vóór de begindatum. Kies een latere einddatum."))
        return data


class WaveEditForm(forms.ModelForm[Wave]):
    class Meta:
        model = Wave
        fields = ["name", "starts_on", "ends_on", "target_per_buurt"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("De einddatum ligt vóór de begindatum. Kies een latere einddatum."))
        return data


class PrintRunForm(forms.Form):
    buurten = BuurtChoiceField(label=_("Buurten"), queryset=Buurt.objects.none(), widget=forms.CheckboxSelectMultiple)
    mode = forms.ChoiceField(
        label=_("Welke adressen"), choices=SampleMode.choices, initial=SampleMode.SAMPLE, widget=forms.RadioSelect
    )
    sample_size = forms.IntegerField(
        label=_("Steekproefgrootte per buurt"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=_(
            "Aantal adressen per buurt, aselect gekozen. Reken op 25 tot 35 procent respons: "
            "voor 100 antwoorden zijn ongeveer 350 brieven nodig."
        ),
    )
    include_pdf = forms.BooleanField(
        label=_("Brieven als PDF meeleveren (anders alleen het bestand voor de drukkerij)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, wave: Wave, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        field = self.fields["buurten"]
        assert isinstance(field, BuurtChoiceField)
        field.queryset = wave.buurten.select_related("wijk").order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode, size = data.get("mode"), data.get("sample_size")
        if mode == SampleMode.SAMPLE and not size:
            self.add_error("sample_size", _("Vul in hoeveel adressen per buurt u wilt uitnodigen."))
        buurten: QuerySet[Buurt] | None = data.get("buurten")
        if buurten is not None and data.get("include_pdf"):
            letters = self.expected_letters(list(buurten), mode or "", size)
            if letters > MAX_PDF_LETTERS:
                self.add_error(
                    "include_pdf",
                    _(
                        "Dit worden %(n)s brieven; als PDF kunnen er hoogstens %(max)s in één keer. Kies minder "
                        "buurten per keer, of alleen het bestand voor de drukkerij."
                    )
                    % {"n": letters, "max": MAX_PDF_LETTERS},
                )
        return data

    @staticmethod
    def expected_letters(buurten: list[Buurt], mode: str, size: int | None) -> int:
        counts: dict[str, int] = {}
        for row in Address.objects.filter(buurt_code__in=[b.code for b in buurten]).values_list(
            "buurt_code", flat=True
        ):
            counts[row] = counts.get(row, 0) + 1
        if mode == SampleMode.SAMPLE and size:
            return sum(min(size, n) for n in counts.values())
        return sum(counts.values())


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Uw code"),
        max_length=30,
        help_text=_(
            "De code staat op uw brief, bijvoorbeeld ABCD-EFGH-JKMN. Hoofdletters en streepjes zijn niet nodig."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "Deze code kennen we niet in deze vorm. Een code heeft 12 tekens: hoofdletters en de cijfers 2 "
                    "tot en met 9. Typ de code over zoals hij op uw brief staat."
                )
            )
        return code


class PublicStartForm(forms.Form):
    buurt = forms.ModelChoiceField(
        label=_("In welke buurt woont u?"),
        queryset=Buurt.objects.none(),
        empty_label=_("Kies uw buurt"),
        help_text=_("Weet u het niet zeker? Vul dan hieronder uw postcode in."),
        required=False,
    )
    postcode = forms.CharField(
        label=_("Of: uw postcode"),
        max_length=7,
        required=False,
        help_text=_("Alleen om uw buurt te vinden; we bewaren uw postcode niet."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args: Any, wave: Wave, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave
        field = self.fields["buurt"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = wave.buurten.order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("buurt"):
            return data
        postcode = "".join((data.get("postcode") or "").split()).upper()
        if not postcode:
            raise forms.ValidationError(_("Kies uw buurt of vul uw postcode in."))
        codes_ = list(Address.objects.filter(postcode=postcode).values_list("buurt_code", flat=True).distinct()[:5])
        buurt = self.wave.buurten.filter(code__in=codes_).first() if codes_ else None
        if buurt is None:
            self.add_error(
                "postcode",
                _("Bij deze postcode vinden we geen buurt die meedoet. Kies uw buurt uit de lijst."),
            )
            return data
        data["buurt"] = buurt
        return data


class ResultsFilterForm(forms.Form):
    """GET parameters of the results page; invalid values fall back to the defaults."""

    wave = forms.IntegerField(required=False)
    indicator = forms.CharField(required=False, max_length=80)
    a = forms.IntegerField(required=False)
    b = forms.IntegerField(required=False)
