"""The standard questionnaires in English: complete, different from the Dutch, published and exported."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import STANDARD, Standard, canvass, common, monitor
from buurtonderzoek.questionnaires.xlsform import EN, NL, export_rows

MIGRATION = "0004_standard_questionnaires_english"
# Dutch texts that are names and may read the same in English. None so far.
NAMES: set[str] = set()


def texts(schema: dict[str, Any]) -> Iterator[tuple[str, str, Any, Any]]:
    """(where, key, Dutch, English) for every translatable text of a schema, walked by its structure."""
    yield "schema", "title", schema.get("title"), schema.get("en", {}).get("title")

    def question(q: dict[str, Any], where: str) -> Iterator[tuple[str, str, Any, Any]]:
        where = f"{where}/{q['id']}"
        english = q.get("en", {})
        for key in ("label", "hint", "add_label", "item_label"):
            if key in q:
                yield where, key, q[key], english.get(key)
        for choice in q.get("choices", []):
            extra = choice[2] if len(choice) == 3 else {}
            yield where, f"choice {choice[0]}", choice[1], extra.get("en")
        for child in q.get("children", []):
            yield from question(child, where)

    for section in schema["sections"]:
        english = section.get("en", {})
        for key in ("title", "hint"):
            if key in section:
                yield section["id"], key, section[key], english.get(key)
        for q in section["questions"]:
            yield from question(q, section["id"])


@pytest.mark.parametrize("standard", STANDARD, ids=[s.slug for s in STANDARD])
def test_every_text_has_its_own_english(standard: Any) -> None:
    found = list(texts(standard.schema()))
    assert len(found) > 100  # the walk reached the choices and the repeat children
    missing = [
        (where, key) for where, key, _dutch, english in found if not (isinstance(english, str) and english.strip())
    ]
    assert missing == []
    same = [(where, key, dutch) for where, key, dutch, english in found if dutch == english and dutch not in NAMES]
    assert same == []


def test_the_walk_covers_everything_the_engine_knows() -> None:
    """No question escapes the walk above: every parsed question and choice shows up in it."""
    for standard in STANDARD:
        schema = standard.schema()
        seen = {(where.rsplit("/", 1)[-1], key) for where, key, _nl, _en in texts(schema)}
        for q in engine.parse(schema).iter_questions():
            assert (q.id, "label") in seen
            assert all((q.id, f"choice {value}") in seen for value, _label in q.choices)


def test_the_builders_refuse_a_text_without_english() -> None:
    with pytest.raises(ValueError, match="English"):
        common.single("q", "Vraag", [("a", "A")], en="Question")  # type: ignore[list-item]
    with pytest.raises(ValueError, match="'hint' has no English"):
        common.text("q", "Vraag", en="Question", hint="Toelichting")
    with pytest.raises(ValueError, match="without a Dutch 'hint'"):
        common.text("q", "Vraag", en="Question", en_hint="Explanation")
    with pytest.raises(ValueError, match="'title' has no English"):
        common.section("s", "Onderdeel", [], en=" ")
    built = common.single("q", "Vraag", common.YES_NO, en="Question", hint="Kies", en_hint="Choose")
    assert built["en"] == {"label": "Question", "hint": "Choose"}
    assert built["choices"] == [["ja", "Ja", {"en": "Yes"}], ["nee", "Nee", {"en": "No"}]]


def test_the_english_follows_the_safety_monitor_wording() -> None:
    questions = engine.parse(monitor.schema()).questions
    assert questions["unsafe_general"].raw["en"]["label"] == "Do you ever feel unsafe?"
    assert questions["unsafe_buurt"].raw["en"]["label"] == "Do you ever feel unsafe in your own neighbourhood?"
    assert questions["cohesion_know_each_other"].raw["en"]["label"] == (
        "People in this neighbourhood hardly know each other."
    )
    agreement = [choice[2]["en"] for choice in questions["cohesion_at_home"].raw["choices"]]
    assert agreement == ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    # The canvass pulse asks the same questions in the same words.
    pulse = engine.parse(canvass.schema()).questions
    assert pulse["unsafe_buurt"].raw["en"] == questions["unsafe_buurt"].raw["en"]


def test_the_published_versions_carry_the_english(db: None) -> None:
    for standard in STANDARD:
        version = QuestionnaireVersion.objects.latest_published(standard.slug)
        assert version.schema == standard.schema()
        assert version.schema["sections"][0]["en"]["title"]


def _dutch_only(node: Any) -> Any:
    """A standard schema as it was before the translations (version 1 on existing installations)."""
    if isinstance(node, dict):
        return {key: _dutch_only(value) for key, value in node.items() if key != "en"}
    if isinstance(node, list):
        return [_dutch_only(item) for item in node if not (isinstance(item, dict) and set(item) == {"en"})]
    return node


def test_the_migration_publishes_the_translations_on_an_existing_installation(db: None, monkeypatch: Any) -> None:
    from buurtonderzoek.questionnaires import standard as standard_module

    # An installation whose newest published versions have no English yet.
    def without_english(standard: Standard) -> Standard:
        return dataclasses.replace(standard, schema=lambda: _dutch_only(standard.schema()))

    dutch = tuple(without_english(s) for s in STANDARD)
    monkeypatch.setattr(standard_module, "STANDARD", dutch)
    before = {r.slug: r.number for r in standard_module.load_standard_questionnaires()}
    monkeypatch.undo()
    for slug, number in before.items():
        assert "en" not in QuestionnaireVersion.objects.get(questionnaire__slug=slug, number=number).schema

    migration = importlib.import_module(f"buurtonderzoek.questionnaires.migrations.{MIGRATION}")
    historical = MigrationLoader(connection).project_state(("questionnaires", MIGRATION)).apps
    migration.load(historical, None)

    for standard in STANDARD:
        latest = QuestionnaireVersion.objects.latest_published(standard.slug)
        assert latest.number == before[standard.slug] + 1
        assert latest.schema == standard.schema()
        # The Dutch-only version stays for the answers that point at it.
        old = QuestionnaireVersion.objects.get(questionnaire__slug=standard.slug, number=before[standard.slug])
        assert old.is_published and "en" not in old.schema
    count = QuestionnaireVersion.objects.count()
    migration.load(historical, None)  # running it again publishes nothing
    assert QuestionnaireVersion.objects.count() == count


@pytest.mark.parametrize("standard", STANDARD, ids=[s.slug for s in STANDARD])
def test_the_xlsform_export_has_an_english_column(standard: Any, db: None) -> None:
    version = QuestionnaireVersion.objects.latest_published(standard.slug)
    sheets = export_rows(version.schema, form_id=standard.slug, title=standard.title, version=str(version.number))
    survey = {row["name"]: row for row in sheets["survey"] if row.get("name") and not row["type"].startswith("end_")}
    schema = engine.parse(version.schema)
    for section in schema.sections:
        row = survey[section.id]
        assert row[f"label::{NL}"] == section.title
        assert row[f"label::{EN}"] == version.schema["sections"][schema.sections.index(section)]["en"]["title"]
    for q in schema.iter_questions():
        row = survey[q.id]  # a range is a group row (with its two number rows after it)
        assert row[f"label::{NL}"] == q.label
        assert row[f"label::{EN}"] == q.raw["en"]["label"]
        if q.hint:
            assert row[f"hint::{EN}"] == q.raw["en"]["hint"]
    choices = {(row["list_name"], row["name"]): row for row in sheets["choices"]}
    for q in schema.iter_questions():
        for choice in q.raw.get("choices", []):
            row = choices[(q.id, str(choice[0]))]
            assert row[f"label::{NL}"] == choice[1]
            assert row[f"label::{EN}"] == choice[2]["en"]
    assert sheets["settings"][0]["default_language"] == NL


def test_the_xlsform_export_names_both_languages_for_odk() -> None:
    sheets = export_rows(monitor.schema(), form_id="communitymonitor", title="T", version="1")
    survey = {row["name"]: row for row in sheets["survey"] if row.get("name") and not row["type"].startswith("end_")}
    assert survey["unsafe_buurt"][f"label::{EN}"] == "Do you ever feel unsafe in your own neighbourhood?"
    assert survey["unsafe"][f"label::{EN}"] == "Feelings of safety"
    scale = {row["name"]: row for row in sheets["choices"] if row["list_name"] == "mark_safety"}
    assert (scale["1"][f"label::{EN}"], scale["5"][f"label::{EN}"], scale["10"][f"label::{EN}"]) == (
        "very poor",
        "5",
        "excellent",
    )
