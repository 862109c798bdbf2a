from __future__ import annotations

import re

from django.template import Context, Template

from buurtonderzoek.questionnaires.forms import section_form_class

YES_NO = [["ja", "Ja"], ["nee", "Nee"]]
SCHEMA = {
    "sections": [
        {
            "id": "general",
            "title": "Algemeen",
            "questions": [
                {
                    "id": "unsafe",
                    "type": "single",
                    "label": "Voelt u zich wel eens onveilig?",
                    "required": True,
                    "choices": YES_NO,
                },
                {
                    "id": "unsafe_often",
                    "type": "single",
                    "label": "Hoe vaak?",
                    "required": True,
                    "relevant": {"==": [{"var": "unsafe"}, "ja"]},
                    "choices": [["vaak", "Vaak"], ["soms", "Soms"], ["zelden", "Zelden"]],
                },
                {"id": "note", "type": "note", "label": "Dank u."},
            ],
        },
        {
            "id": "marks",
            "title": "Cijfers",
            "questions": [
                {"id": "mark", "type": "scale", "label": "Rapportcijfer", "min": 1, "max": 10, "required": True},
                {"id": "height", "type": "range", "label": "Lengte", "min": 100, "max": 230},
                {"id": "day", "type": "date", "label": "Datum"},
                {"id": "count", "type": "number", "label": "Aantal", "integer": True},
                {"id": "why", "type": "text", "label": "Waarom?", "relevant": {"<": [{"var": "mark"}, 6]}},
            ],
        },
    ]
}


def test_it_builds_one_field_per_answerable_question():
    form = section_form_class(SCHEMA, "general")()
    assert list(form.fields) == ["unsafe", "unsafe_often"]
    assert [q.id for q, _field in form.items()] == ["unsafe", "unsafe_often", "note"]


def test_it_requires_a_follow_up_only_when_relevant():
    form_class = section_form_class(SCHEMA, "general")
    no = form_class(data={"unsafe": "nee"})
    assert no.is_valid()
    assert no.section_answers == {"unsafe": "nee"}
    yes = form_class(data={"unsafe": "ja"})
    assert not yes.is_valid()
    assert yes.errors["unsafe_often"] == ["Kies een antwoord."]
    stale = form_class(data={"unsafe": "nee", "unsafe_often": "vaak"})
    assert stale.is_valid()
    assert stale.section_answers == {"unsafe": "nee"}


def test_it_returns_engine_shaped_answers():
    form = section_form_class(SCHEMA, "marks")(
        data={"mark": "5", "height_0": "170", "height_1": "175", "day": "2024-05-01", "count": "3", "why": "Inbraken"}
    )
    assert form.is_valid(), form.errors
    assert form.section_answers == {
        "mark": 5,
        "height": {"min": 170, "max": 175},
        "day": "2024-05-01",
        "count": 3,
        "why": "Inbraken",
    }


def test_it_drops_answers_hidden_by_skip_logic_in_the_same_section():
    form = section_form_class(SCHEMA, "marks")(data={"mark": "8", "why": "niets"})
    assert form.is_valid()
    assert "why" not in form.section_answers


def test_it_puts_engine_messages_on_the_fields():
    form = section_form_class(SCHEMA, "marks")(data={"mark": "", "height_0": "180", "height_1": "170"})
    assert not form.is_valid()
    assert form.errors["mark"] == ["Kies een antwoord."]
    assert "hoger dan bij" in form.errors["height"][0]


def test_required_questions_say_so_to_the_eye_and_the_screen_reader():
    schema = {
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "unsafe", "type": "single", "label": "Onveilig?", "required": True, "choices": YES_NO},
                    {"id": "street", "type": "text", "label": "Straat", "required": True},
                    {"id": "why", "type": "text", "label": "Waarom?"},
                ],
            }
        ]
    }
    form = section_form_class(schema, "s")()
    page = Template("{% load ob_forms %}{% for q, f in form.items %}{% form_field f %}{% endfor %}").render(
        Context({"form": form})
    )
    unsafe, street, why = page.split('<div class="field')[1:]
    assert re.search(r"<legend[^>]*>Onveilig\? <span class=\"field-required\">\(verplicht\)</span></legend>", unsafe)
    assert unsafe.count("required") == 1 + unsafe.count('type="radio"')  # the marker's class, each radio
    assert '>Straat <span class="field-required">(verplicht)</span></label>' in street
    assert 'aria-required="true"' in street
    assert "verplicht" not in why and "required" not in why
