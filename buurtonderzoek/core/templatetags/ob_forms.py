"""Accessible form rendering shared by every page.

`{% form_errors form %}` puts an error summary at the top of a form (role=alert, so screen readers announce
it, with links to the fields); `{% form_field form.name %}` renders a label, help text and errors, tied to
the input with aria-describedby and aria-invalid. Placeholders (allauth sets them) are dropped: text that
disappears while typing, in low contrast, helps no one; the label and help text say it all.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()

CHECKABLE = (forms.CheckboxInput,)


@register.inclusion_tag("core/_field.html")
def form_field(field: BoundField, show_errors: bool = True, **attrs: Any) -> dict[str, Any]:
    """`show_errors=False` renders a bound form without its errors (a form redrawn halfway, not yet sent)."""
    widget = field.field.widget
    errors = field.errors if show_errors else []
    # Django's own ids (`{{ field.errors }}` renders `<id>_error`), so hand-written markup can point at them too.
    base_id = field.auto_id or f"id_{field.html_name}"
    help_id = f"{base_id}_helptext" if field.help_text else ""
    errors_id = f"{base_id}_error" if errors else ""
    described_by = " ".join(part for part in (help_id, errors_id) if part)
    widget_attrs: dict[str, Any] = {key.replace("_", "-"): value for key, value in attrs.items()}
    use_fieldset = bool(getattr(field, "use_fieldset", False))
    if described_by and not use_fieldset:
        widget_attrs["aria-describedby"] = described_by
    if errors:
        widget_attrs["aria-invalid"] = "true"
    if "placeholder" in widget.attrs:
        # Safe to change: every form instance holds deep copies of its fields and widgets.
        widget.attrs = {key: value for key, value in widget.attrs.items() if key != "placeholder"}
    return {
        "field": field,
        "errors": errors,
        "widget": _render_widget(field, widget_attrs, hide_errors=bool(field.errors) and not errors),
        "is_checkbox": isinstance(widget, CHECKABLE),
        "use_fieldset": use_fieldset,
        "help_id": help_id,
        "errors_id": errors_id,
        "described_by": described_by,
    }


def _render_widget(field: BoundField, attrs: dict[str, Any], *, hide_errors: bool) -> str:
    if not hide_errors:
        return field.as_widget(attrs=attrs)
    # Django marks a field with errors invalid and points it at `<id>_error`, also when the page does not show
    # the errors: a screen reader would then hear "invalid" and look for a description that is not there.
    built = field.build_widget_attrs(attrs)
    built.pop("aria-invalid", None)
    if not attrs.get("aria-describedby"):
        built.pop("aria-describedby", None)
    if field.auto_id and "id" not in field.field.widget.attrs:
        built.setdefault("id", field.auto_id)
    return cast(
        str, field.field.widget.render(field.html_name, field.value(), attrs=built, renderer=field.form.renderer)
    )


@register.inclusion_tag("core/_form_errors.html")
def form_errors(form: forms.BaseForm) -> dict[str, Any]:
    # A hidden field's error (a form sent too fast, an outdated privacy notice) has no field to link to or
    # to be read out with: it is listed like an error of the whole form.
    visible = [(form[name], errors) for name, errors in form.errors.items() if name != "__all__"]
    field_errors = [(field, error) for field, errors in visible if not field.is_hidden for error in errors]
    hidden_errors = [error for field, errors in visible if field.is_hidden for error in errors]
    return {
        "form": form,
        "non_field_errors": [*form.non_field_errors(), *hidden_errors],
        "field_errors": field_errors,
    }
