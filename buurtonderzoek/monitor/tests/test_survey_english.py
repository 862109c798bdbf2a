"""The resident's survey with English selected: the standard questionnaire's own English texts."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from buurtonderzoek.monitor.models import Response
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, issue_codes

pytestmark = pytest.mark.django_db

SECTION = reverse("monitor:survey_section")


def start(client: Client, mworld: MonitorWorld, *, language: str | None = None) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    client.post(reverse("monitor:survey_start"), {"code": code})
    if language:
        client.post(reverse("set_language"), {"language": language, "next": SECTION})


def shown(client: Client) -> str:
    """The survey screen as the resident reads it (without the schema the page carries for skip logic)."""
    page = client.get(SECTION).content.decode()
    assert '<script id="survey-schema"' in page
    return page.split('<script id="survey-schema"', 1)[0]


def choices(page: str, name: str) -> list[tuple[str, str]]:
    """(value, shown label) of the radio buttons of one question."""
    pattern = rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*>\s*([^<]*?)\s*</label>'
    return [(value, html.unescape(label)) for value, label in re.findall(pattern, page)]


def test_the_first_block_reads_in_english(client: Client, mworld: MonitorWorld) -> None:
    start(client, mworld, language="en")
    page = shown(client)
    assert 'lang="en"' in page
    assert "<h1>Feelings of safety</h1>" in page
    assert (
        '<legend class="field-label">Do you ever feel unsafe? <span class="field-required">(required)</span></legend>'
        in page
    )
    assert (
        '<legend class="field-label">Do you ever feel unsafe in your own neighbourhood? '
        '<span class="field-required">(required)</span></legend>' in page
    )
    assert "How often does that happen?" in page
    # English labels, the schema's values: answers are the same in both languages.
    assert choices(page, "unsafe_general") == [("ja", "Yes"), ("nee", "No")]
    assert choices(page, "unsafe_buurt_frequency") == [("vaak", "Often"), ("soms", "Sometimes"), ("zelden", "Rarely")]
    assert "Gevoel van veiligheid" not in page and "Voelt u zich" not in page


def test_scales_and_notes_read_in_english_and_answers_keep_their_values(client: Client, mworld: MonitorWorld) -> None:
    start(client, mworld, language="en")
    client.post(SECTION, {"section": "unsafe", "action": "next", "unsafe_general": "ja", "unsafe_buurt": "nee"})
    page = shown(client)
    assert "<h1>Your neighbourhood in scores</h1>" in page
    assert "What score (from 1 to 10) would you give the safety in your neighbourhood?" in page
    marks = choices(page, "mark_safety")
    assert marks[0] == ("1", "1 - very poor") and marks[4] == ("5", "5") and marks[9] == ("10", "10 - excellent")
    assert choices(page, "buurt_change") == [
        ("vooruit", "Improved"),
        ("gelijk", "Stayed the same"),
        ("achteruit", "Got worse"),
        ("weet_niet", "Don't know"),
    ]

    client.post(SECTION, {"section": "marks", "action": "next", "mark_safety": "7", "buurt_change": "gelijk"})
    page = shown(client)
    assert "<h1>The people in your neighbourhood</h1>" in page
    # The introduction is a note (no field): it too is in English.
    assert "To what extent do you agree or disagree with the following statements" in page
    assert "Hoe erg bent u het eens" not in page
    assert "People in this neighbourhood hardly know each other." in page
    assert [label for _value, label in choices(page, "cohesion_know_each_other")] == [
        "1 - Strongly disagree",
        "2 - Disagree",
        "3 - Neither agree nor disagree",
        "4 - Agree",
        "5 - Strongly agree",
    ]

    answers = Response.objects.get().answers
    assert answers == {"unsafe_general": "ja", "unsafe_buurt": "nee", "mark_safety": 7, "buurt_change": "gelijk"}


def test_the_survey_stays_dutch_by_default(client: Client, mworld: MonitorWorld) -> None:
    start(client, mworld)
    page = shown(client)
    assert "<h1>Gevoel van veiligheid</h1>" in page
    assert (
        '<legend class="field-label">Voelt u zich wel eens onveilig? '
        '<span class="field-required">(verplicht)</span></legend>' in page
    )
    assert choices(page, "unsafe_general") == [("ja", "Ja"), ("nee", "Nee")]
    assert "Do you ever feel unsafe" not in page and "Feelings of safety" not in page
