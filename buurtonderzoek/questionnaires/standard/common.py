"""Small builders that keep the standard schemas readable. They return plain JSON-shaped dicts.

Every text carries its English next to the Dutch: a builder takes the English label (or section
title) as the required keyword `en`, further English texts as `en_<key>` (`en_hint`, `en_add_label`,
`en_item_label`, `en_unit`), and choices as `(value, Dutch, English)` triples. They write the
schema's translation format (docs/questionnaire-engine.md, "Translations"): `"en": {"label": ...,
"hint": ...}` on a question, `"en": {"title": ..., "hint": ...}` on a section and `[value, label,
{"en": ...}]` for a choice. A Dutch text without English (or English without Dutch) raises
ValueError, so a standard schema cannot ship half translated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Q = dict[str, Any]
# (value, Dutch label, English label); the value is a string, or a whole number for scale labels.
Choice = tuple[Any, str, str]

YES_NO: list[Choice] = [("ja", "Ja", "Yes"), ("nee", "Nee", "No")]
YES_NO_UNKNOWN: list[Choice] = [*YES_NO, ("weet_niet", "Weet niet", "Don't know")]

# Dutch texts that need an English one when present. `unit` may stay untranslated ("cm").
TRANSLATED = ("label", "title", "hint", "add_label", "item_label")


def equals(question_id: str, value: Any) -> dict[str, Any]:
    return {"==": [{"var": question_id}, value]}


def one_of(question_id: str, values: list[str]) -> dict[str, Any]:
    return {"in": [{"var": question_id}, values]}


def both(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {"and": list(expressions)}


def choices(items: Iterable[Choice]) -> list[list[Any]]:
    """`(value, Dutch, English)` triples as schema choices `[value, Dutch, {"en": English}]`."""
    built: list[list[Any]] = []
    for item in items:
        if len(item) != 3 or not all(isinstance(text, str) and text.strip() for text in item[1:]):
            raise ValueError(f"Choice {item!r} needs a Dutch and an English label.")
        value, dutch, english = item
        built.append([value, dutch, {"en": english}])
    return built


def _translated(node: Q, extra: dict[str, Any], english: dict[str, str]) -> Q:
    """Move the `en_<key>` arguments into `node["en"]`, checking every Dutch text has its English."""
    for key in [k for k in extra if k.startswith("en_")]:
        english[key.removeprefix("en_")] = extra.pop(key)
    node.update(extra)
    if "choices" in node:
        node["choices"] = choices(node["choices"])
    where = node.get("id", "schema")
    for key in TRANSLATED:
        if key in node and not (isinstance(english.get(key), str) and english[key].strip()):
            raise ValueError(f"{where}: '{key}' has no English text (en_{key}).")
    for key in english:
        if key not in node:
            raise ValueError(f"{where}: English '{key}' without a Dutch '{key}'.")
    node["en"] = english
    return node


def question(qid: str, qtype: str, label: str, *, en: str, **extra: Any) -> Q:
    return _translated({"id": qid, "type": qtype, "label": label}, extra, {"label": en})


def single(qid: str, label: str, options: list[Choice], *, en: str, **extra: Any) -> Q:
    return question(qid, "single", label, en=en, choices=options, **extra)


def multiple(qid: str, label: str, options: list[Choice], *, en: str, **extra: Any) -> Q:
    return question(qid, "multiple", label, en=en, choices=options, **extra)


def text(qid: str, label: str, *, en: str, **extra: Any) -> Q:
    return question(qid, "text", label, en=en, **extra)


def section(sid: str, title: str, questions: list[Q], *, en: str, **extra: Any) -> Q:
    node = _translated({"id": sid, "title": title}, extra, {"title": en})
    node["questions"] = questions
    return node
