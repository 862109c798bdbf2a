"""The anti-profiling corpus (profiling_corpus.json): phrases to refuse and fair phrases to let through.

Python decides each phrase as expected, in the field it is typed in; the phone's engine.js, built from
the same word list (static/js/questionnaire/profiling-rules.json), gives the very same labels and
person-block reasons in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from buurtonderzoek.questionnaires import engine, profiling
from buurtonderzoek.questionnaires.standard import canvass
from buurtonderzoek.questionnaires.tests.test_browser import ENGINE, _choose, _mount, page  # noqa: F401
from buurtonderzoek.signalements.drafting import check_text
from tests.browser.conftest import browser  # noqa: F401
from tests.browser.helpers import script_errors

CORPUS: dict[str, Any] = json.loads(Path(__file__).with_name("profiling_corpus.json").read_text(encoding="utf-8"))
# Fields outside a person block that the canvass questionnaire checks too (meta origin_label_check).
NOT_PERSON = {"alert", "what_place", "vehicle_marks"}
ENTRIES = [(verdict, e) for verdict in ("refused", "fair") for e in CORPUS[verdict]]


def labels(entry: dict[str, str]) -> list[str]:
    return profiling.find_origin_labels(entry["text"], language_field=entry["field"] == "language")


def test_the_corpus_is_big_enough_and_has_no_phrase_twice() -> None:
    assert len(CORPUS["refused"]) >= 150
    assert len(CORPUS["fair"]) >= 150
    pairs = [(e["field"], e["text"]) for _, e in ENTRIES]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("entry", CORPUS["refused"], ids=lambda e: f"{e['field']}: {e['text']}")
def test_a_vague_origin_label_is_refused(entry: dict[str, str]) -> None:
    assert labels(entry) != []
    if entry["field"] not in NOT_PERSON:
        errors = profiling.person_block_errors({entry["field"]: entry["text"]})
        assert any("vage aanduiding van afkomst" in m for m in errors.get(entry["field"], []))


@pytest.mark.parametrize("entry", CORPUS["fair"], ids=lambda e: f"{e['field']}: {e['text']}")
def test_a_fair_phrase_passes(entry: dict[str, str]) -> None:
    assert labels(entry) == []
    if entry["field"] not in NOT_PERSON:
        errors = profiling.person_block_errors({entry["field"]: entry["text"]})
        assert not any("vage aanduiding van afkomst" in m for m in errors.get(entry["field"], []))


@pytest.mark.django_db
def test_alert_texts_follow_the_same_rule() -> None:
    for entry in CORPUS["refused"] + CORPUS["fair"]:
        if entry["field"] != "alert":
            continue
        tip = "https://example.org/tip/abc/"
        refused = any("vage aanduiding van afkomst" in m for m in check_text(f"{entry['text']} {tip}", tip_url=tip))
        assert refused == (entry in CORPUS["refused"]), entry["text"]


@pytest.mark.browser
def test_the_phone_gives_the_same_verdicts_as_the_server_on_the_whole_corpus(page: Page) -> None:  # noqa: F811
    entries = [e for _, e in ENTRIES]
    blocks = [{e["field"]: e["text"]} for e in entries]
    result = page.evaluate(
        """async ([url, entries, blocks]) => {
            const E = await import(url);
            return {
              labels: entries.map((e) => E.findOriginLabels(e.text, e.field === "language")),
              blocks: blocks.map((b) => E.personBlockErrors(b)),
              patterns: [...E.ORIGIN_PATTERNS, ...E.FAIR_PATTERNS],
            };
        }""",
        [ENGINE, entries, blocks],
    )
    assert result["patterns"] == [*profiling.ORIGIN_PATTERNS, *profiling.FAIR_PATTERNS]
    assert result["labels"] == [labels(e) for e in entries]
    assert result["blocks"] == [profiling.person_block_errors(b) for b in blocks]
    assert script_errors(page) == []


@pytest.mark.browser
def test_a_volunteer_typing_an_origin_label_on_the_phone_is_stopped_and_a_language_is_not(
    page: Page,  # noqa: F811
) -> None:
    context = {"incident_type": "autokraak", "privacy_notice_version": "2026-1"}
    _mount(page, canvass.schema(), context)
    _choose(page, "respondent_type", "Bewoner")
    _choose(page, "privacy_notice_shown", "Nee")
    _choose(page, "present", "Ja")
    _choose(page, "seen_anything", "Ja")
    page.get_by_label("Wat zag of hoorde u?").press_sequentially("Iemand trok aan portieren")
    page.get_by_label("Hoeveel personen zag u?").press_sequentially("1")
    page.get_by_role("button", name="Persoon toevoegen").click()
    block = page.locator("[data-path='persons.0']")
    block.get_by_label("Wat deed de persoon?").press_sequentially("Trok aan de portieren van auto's")
    block.get_by_label("Kleur bovenkleding").press_sequentially("turkooize jas")
    block.get_by_label("Schoenen").press_sequentially("witte sneakers")
    gait = block.get_by_label("Manier van lopen of bewegen")
    gait.press_sequentially("typisch Marokkaans loopje")
    block.get_by_label("Taal of accent dat u hoorde").press_sequentially("sprak Turks")
    _choose(page, "persons.0.provenance", "Zelf gezien of gehoord")
    _choose(page, "persons.0.certainty", "Zeker")
    _choose(page, "has_camera", "Nee")
    _choose(page, "contact_consent", "Nee")
    page.get_by_role("button", name="Opslaan").click()
    assert page.evaluate("window.submitted") is None
    assert "marokkaans" in page.locator("#qf-persons-0-gait-error").inner_text()
    assert (
        page.locator("#qf-persons-0-language-error").count() == 0
        or not page.locator("#qf-persons-0-language-error").inner_text().strip()
    )

    gait.fill("")
    gait.press_sequentially("hinkte met het linkerbeen")
    page.get_by_role("button", name="Opslaan").click()
    submitted = page.evaluate("window.submitted")
    assert submitted is not None
    assert submitted["persons"][0]["language"] == "sprak Turks"
    assert submitted["persons"][0]["top_colour"] == "turkooize jas"
    # The server gives the same verdict on what the phone accepted.
    assert engine.validate(canvass.schema(), submitted, context) == {}
    assert script_errors(page) == []
