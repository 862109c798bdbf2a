"""Accessible form rendering shared by every page.

`{% form_errors form %}` puts an error summary at the top of a form (role=alert, so screen readers announce
it, with links to the fields); `{% form_field form.name %}` renders a label, help text and errors, tied to
the input with aria-describedby and aria-invalid. Placeholders (allauth sets them) are dropped: text that
disappears while typing, in low contrast, helps no one; the label and help text say it all.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

CHECKABLE = (forms.CheckboxInput,)


@register.inclusion_tag("core/_field.html")
def form_field(field: BoundField, **attrs: Any) -> dict[str, Any]:
    widget = field.field.widget
    base_id = field.auto_id or f"id_{field.html_name}"
    help_id = f"{base_id}_help" if field.help_text else ""
    errors_id = f"{base_id}_errors" if field.errors else ""
    described_by = " ".join(part for part in (help_id, errors_id) if part)
    widget_attrs: dict[str, Any] = {key.replace("_", "-"): value for key, value in attrs.items()}
    use_fieldset = bool(getattr(field, "use_fieldset", False))
    if described_by and not use_fieldset:
        widget_attrs["aria-describedby"] = described_by
    if field.errors:
        widget_attrs["aria-invalid"] = "true"
    if "placeholder" in widget.attrs:
        # Safe to change: every form instance holds deep copies of its fields and widgets.
        widget.attrs = {key: value for key, value in widget.attrs.items() if key != "placeholder"}
    return {
        "field": field,
        "widget": field.as_widget(attrs=widget_attrs),
        "is_checkbox": isinstance(widget, CHECKABLE),
        "use_fieldset": use_fieldset,
        "help_id": help_id,
        "errors_id": errors_id,
        "described_by": described_by,
    }


@register.inclusion_tag("core/_form_errors.html")
def form_errors(form: forms.BaseForm) -> dict[str, Any]:
    field_errors = [
        (form[name], error) for name, errors in form.errors.items() if name != "__all__" for error in errors
    ]
    return {"form": form, "non_field_errors": form.non_field_errors(), "field_errors": field_errors}
