"""The accessible form rendering: labels, help and errors tied to the input, an announced summary."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class ExampleForm(forms.Form):
    name = forms.CharField(
        label="Naam", help_text="Zoals uw team u kent.", widget=forms.TextInput(attrs={"placeholder": "Naam"})
    )
    agree = forms.BooleanField(label="Ik ga akkoord")
    role = forms.ChoiceField(label="Rol", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def render(template: str, form: forms.Form) -> str:
    return Template("{% load ob_forms %}" + template).render(Context({"form": form}))


def test_a_field_has_a_label_and_its_help_is_described() -> None:
    html = render("{% form_field form.name %}", ExampleForm())
    assert '<label class="field-label" for="id_name">Naam</label>' in html
    assert 'id="id_name_helptext"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert "placeholder" not in html
    assert "aria-invalid" not in html


def test_errors_are_tied_to_the_input_and_marked_invalid() -> None:
    form = ExampleForm(data={})
    form.is_valid()
    html = render("{% form_field form.name %}", form)
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<ul class="errorlist" id="id_name_error">' in html
    assert "Fout:" in html


def test_a_checkbox_has_its_label_after_the_box() -> None:
    html = render("{% form_field form.agree %}", ExampleForm())
    assert html.index('type="checkbox"') < html.index('<label for="id_agree">Ik ga akkoord</label>')


def test_radio_buttons_are_grouped_in_a_fieldset_with_a_legend() -> None:
    html = render("{% form_field form.role %}", ExampleForm())
    assert "<fieldset" in html
    assert '<legend class="field-label">Rol</legend>' in html


def test_extra_attributes_reach_the_input() -> None:
    html = render('{% form_field form.name autofocus=True inputmode="numeric" %}', ExampleForm())
    assert "autofocus" in html
    assert 'inputmode="numeric"' in html


def test_the_error_summary_is_announced_and_links_to_the_fields() -> None:
    form = ExampleForm(data={})
    form.is_valid()
    html = render("{% form_errors form %}", form)
    assert 'role="alert"' in html
    assert '<a href="#id_name">Naam: ' in html


def test_no_summary_without_errors() -> None:
    assert render("{% form_errors form %}", ExampleForm()).strip() == ""


def test_errors_left_unshown_are_not_announced_either() -> None:
    # A form redrawn halfway (the address search without JavaScript) has errors it does not show yet.
    form = ExampleForm(data={})
    form.is_valid()
    html = render("{% form_field form.name show_errors=False %}", form)
    assert "errorlist" not in html and "aria-invalid" not in html
    assert 'aria-describedby="id_name_helptext"' in html and "<input" in html  # rendered, not escaped
