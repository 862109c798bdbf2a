"""Small builders that keep the standard schemas readable. They return plain JSON-shaped dicts."""

from __future__ import annotations

from typing import Any

Q = dict[str, Any]

YES_NO = [["ja", "Ja"], ["nee", "Nee"]]
YES_NO_UNKNOWN = [["ja", "Ja"], ["nee", "Nee"], ["weet_niet", "Weet niet"]]


def equals(question_id: str, value: Any) -> dict[str, Any]:
    return {"==": [{"var": question_id}, value]}


def one_of(question_id: str, values: list[str]) -> dict[str, Any]:
    return {"in": [{"var": question_id}, values]}


def both(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {"and": list(expressions)}


def question(qid: str, qtype: str, label: str, **extra: Any) -> Q:
    return {"id": qid, "type": qtype, "label": label, **extra}


def single(qid: str, label: str, choices: list[list[str]], **extra: Any) -> Q:
    return question(qid, "single", label, choices=choices, **extra)


def multiple(qid: str, label: str, choices: list[list[str]], **extra: Any) -> Q:
    return question(qid, "multiple", label, choices=choices, **extra)


def text(qid: str, label: str, **extra: Any) -> Q:
    return question(qid, "text", label, **extra)


def section(sid: str, title: str, questions: list[Q], **extra: Any) -> Q:
    return {"id": sid, "title": title, **extra, "questions": questions}
