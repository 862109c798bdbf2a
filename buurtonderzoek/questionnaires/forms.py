"""Django forms for one section of a questionnaire (server-rendered pages such as the monitor survey).

`section_form_class(schema, section_id, context)` returns a form class with one field per top-level
question of the section. Django's own `required` is switched off: whether a question is required
depends on skip logic, so `clean()` runs the engine over the answers of earlier sections (passed as
`answers=`) plus this section, and puts the engine's Dutch messages on the fields. After
`is_valid()`, `form.section_answers` holds this section's cleaned answers (irrelevant ones dropped).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import Purpose


class RangeWidget(forms.MultiWidget):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.NumberInput(attrs={"aria-label": _("van"), "inputmode": "decimal"}),
                forms.NumberInput(attrs={"aria-label": _("tot en met"), "inputmode": "decimal"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Mapping):
            return [value.get("min"), value.get("max")]
        return [None, None]


class RangeField(forms.MultiValueField):
    widget = RangeWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.FloatField(required=False), forms.FloatField(required=False))
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:
        if not data_list or all(v is None for v in data_list):
            return None
        low, high = [*data_list, None, None][:2]
        return {"min": _number(low), "max": _number(high)}


class PointWidget(forms.MultiWidget):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            [
                forms.NumberInput(attrs={"aria-label": _("breedtegraad"), "step": "any"}),
                forms.NumberInput(attrs={"aria-label": _("lengtegraad"), "step": "any"}),
            ],
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Mapping):
            return [value.get("lat"), value.get("lon")]
        return [None, None]


class PointField(forms.MultiValueField):
    widget = PointWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.FloatField(required=False), forms.FloatField(required=False))
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:
        if not data_list or any(v is None for v in data_list):
            return None
        return {"lat": data_list[0], "lon": data_list[1]}


def _number(value: Any) -> Any:
    # Whole numbers as int so answers look the same as those from the browser (170, not 170.0).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field_for(q: engine.Question) -> forms.Field | None:
    common: dict[str, Any] = {"label": q.label, "help_text": q.hint, "required": False}
    if q.type == "note":
        return None
    if q.type == "single":
        return forms.ChoiceField(choices=list(q.choices), widget=forms.RadioSelect, **common)
    if q.type == "multiple":
        return forms.MultipleChoiceField(choices=list(q.choices), widget=forms.CheckboxSelectMultiple, **common)
    if q.type == "text":
        widget: forms.Widget
        if q.raw.get("multiline"):
            widget = forms.Textarea(attrs={"rows": 3})
        else:
            widget = forms.TextInput(attrs={"type": q.input if q.input != "text" else "text"})
        return forms.CharField(widget=widget, strip=True, max_length=q.max_length, **common)
    if q.type == "number":
        attrs = {"inputmode": "numeric" if q.integer else "decimal"}
        if q.integer:
            return forms.IntegerField(widget=forms.NumberInput(attrs=attrs), **common)
        return forms.FloatField(widget=forms.NumberInput(attrs=attrs), **common)
    if q.type == "scale":
        labels = dict(q.choices)
        low, high = int(q.min or 1), int(q.max or 1)
        choices = [(str(n), f"{n} - {labels[str(n)]}" if str(n) in labels else str(n)) for n in range(low, high + 1)]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, widget=forms.RadioSelect, **common)
    if q.type == "range":
        return RangeField(**common)
    if q.type == "point":
        return PointField(**common)
    if q.type == "time":
        return forms.CharField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
    if q.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    # Repeat groups need the browser renderer (static/js/questionnaire/render.js); without it the
    # blocks can still be entered as JSON.
    return forms.JSONField(widget=forms.Textarea(attrs={"rows": 4}), **common)


def _mark_required(field: forms.Field) -> None:
    """A required question says so: a visible "(verplicht)" (core/_field.html) and for screen readers the
    widget's required state. Radio buttons take `required` (aria-required is not allowed on a radio); a group
    of checkboxes has no such state, its legend says it. Django's `required` stays off (see the top)."""
    field.show_required = True  # type: ignore[attr-defined]
    if isinstance(field.widget, forms.RadioSelect):
        field.widget.attrs["required"] = True
    elif not isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.MultiWidget)):
        field.widget.attrs["aria-required"] = "true"


class SectionForm(forms.Form):
    schema: engine.Schema
    section: engine.Section
    context: Mapping[str, Any]

    def __init__(self, *args: Any, answers: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        self.other_answers = dict(answers or {})
        if "initial" not in kwargs:
            kwargs["initial"] = {
                q.id: self.other_answers[q.id] for q in self.section.questions if q.id in self.other_answers
            }
        super().__init__(*args, **kwargs)
        self.section_answers: dict[str, Any] = {}

    def items(self) -> Iterator[tuple[engine.Question, forms.BoundField | None]]:
        """Questions in order with their bound field (None for notes), for templates."""
        for q in self.section.questions:
            yield q, (self[q.id] if q.id in self.fields else None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own = {q.id for q in self.section.questions}
        answers = {k: v for k, v in self.other_answers.items() if k not in own}
        for q in self.section.questions:
            value = data.get(q.id)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if value in (None, "", []):
                continue
            answers[q.id] = _number(value) if q.type == "number" else value
        cleaned, errors = engine.check(self.schema, answers, self.context)
        for path, messages in errors.items():
            field_id = path.split(".", 1)[0]
            if field_id in own and field_id in self.fields and field_id not in self.errors:
                for message in messages:
                    self.add_error(field_id, message)
        self.section_answers = {k: v for k, v in cleaned.items() if k in own}
        return data


def section_form_class(
    schema: engine.SchemaLike, section_id: str, context: Mapping[str, Any] | None = None
) -> type[SectionForm]:
    """A form class for one section. Instantiate with `answers=` holding earlier sections' answers."""
    parsed = engine.as_schema(schema)
    section = parsed.section(section_id)
    fields: dict[str, Any] = {}
    for q in section.questions:
        field = _field_for(q)
        if field is not None:
            field.widget.attrs.setdefault("data-question", q.id)
            if q.required:
                _mark_required(field)
            fields[q.id] = field
    attrs: dict[str, Any] = {
        **fields,
        "schema": parsed,
        "section": section,
        "context": dict(context or {}),
        "__module__": __name__,
    }
    return type(f"SectionForm_{section_id}", (SectionForm,), attrs)


def answers_json(answers: Mapping[str, Any]) -> str:
    """Answers as compact JSON, e.g. for a hidden field carrying earlier sections' answers."""
    return json.dumps(answers, ensure_ascii=False, separators=(",", ":"))


class XLSFormUploadForm(forms.Form):
    """An XLSForm workbook to bring in as a draft questionnaire version."""

    MAX_SIZE = 10 * 1024 * 1024

    file = forms.FileField(
        label=_("XLSForm-bestand (.xls of .xlsx)"),
        help_text=_("Zoals u het uit KoboToolbox, ODK Central of Excel bewaart; hooguit 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xls,.xlsx"}),
    )
    purpose = forms.ChoiceField(
        choices=Purpose.choices,
        initial=Purpose.CANVASS,
        label=_("Waarvoor is de vragenlijst?"),
        help_text=_("Geldt alleen als de vragenlijst (form_id) nog niet bestaat."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(_("Het bestand is groter dan 10 MB; een XLSForm is meestal veel kleiner."))
        if not upload.name.lower().endswith((".xls", ".xlsx")):
            raise forms.ValidationError(_("Kies een .xls- of .xlsx-bestand."))
        return upload


class PublishImportForm(forms.Form):
    """Publishing an imported draft; with warnings, the user must say they read them."""

    accept = forms.BooleanField(
        label=_("Ik heb gelezen wat niet is overgenomen en wil de vragenlijst zo publiceren."), required=False
    )

    def __init__(self, *args: Any, has_warnings: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_warnings = has_warnings
        if not has_warnings:
            del self.fields["accept"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.has_warnings and not cleaned.get("accept"):
            self.add_error(
                "accept", _("Vink aan dat u de lijst heeft gelezen; of gooi het concept weg en pas het formulier aan.")
            )
        return cleaned
