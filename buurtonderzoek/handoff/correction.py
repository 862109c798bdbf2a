"""The server-rendered form a volunteer uses to correct a visit after the coordinator's comment.

One `SectionForm` per questionnaire section (from `questionnaires.forms`), and for each repeat
question (persons, vehicles) one small form per block, built by treating the block's children as a
section of their own. The engine has the last word: after the parts are read, the combined answers
go through `engine.check` exactly as at the door, and its messages are shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.forms import SectionForm, section_form_class

MAX_BLOCKS = 20


@dataclass
class RepeatPart:
    question: engine.Question
    forms: list[SectionForm]
    removed: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.forms)


@dataclass
class SectionPart:
    section: engine.Section
    form: SectionForm
    repeats: list[RepeatPart]


def _applies(q: engine.Question, context: Mapping[str, Any]) -> bool:
    return q.incident_types is None or context.get("incident_type") in q.incident_types


class CorrectionForm:
    def __init__(
        self,
        schema: engine.Schema,
        answers: Mapping[str, Any],
        context: Mapping[str, Any],
        data: QueryDict | None = None,
    ) -> None:
        self.schema, self.context, self.data = schema, dict(context), data
        self.parts: list[SectionPart] = []
        self.errors: dict[str, list[str]] = {}
        self.cleaned: dict[str, Any] = {}
        for section in schema.sections:
            if section.incident_types is not None and context.get("incident_type") not in section.incident_types:
                continue
            form = section_form_class(schema, section.id, context)(data, answers=answers, prefix=section.id)
            repeats = []
            for q in section.questions:
                if q.id in form.fields and (q.type == "repeat" or not _applies(q, context)):
                    del form.fields[q.id]
                if q.type == "repeat":
                    repeats.append(self._repeat(q, answers.get(q.id)))
            self.parts.append(SectionPart(section=section, form=form, repeats=repeats))

    def _repeat(self, q: engine.Question, existing: Any) -> RepeatPart:
        blocks = [b for b in existing if isinstance(b, Mapping)] if isinstance(existing, list) else []
        block_schema = {"sections": [{"id": "block", "title": q.label, "questions": [dict(c.raw) for c in q.children]}]}
        form_class = section_form_class(block_schema, "block", self.context)
        count = len(blocks) if blocks else 0
        removed: set[int] = set()
        if self.data is not None:
            with contextlib.suppress(ValueError):
                count = int(self.data.get(f"{q.id}-count", count))
            if self.data.get("add") == q.id:
                count += 1
            removed = {i for i in range(count) if self.data.get(f"{q.id}-{i}-remove")}
        count = max(0, min(MAX_BLOCKS, count))
        forms = [
            form_class(self.data, answers=blocks[i] if i < len(blocks) else {}, prefix=f"{q.id}-{i}")
            for i in range(count)
        ]
        return RepeatPart(question=q, forms=forms, removed=removed)

    @property
    def adding(self) -> bool:
        return self.data is not None and bool(self.data.get("add"))

    def is_valid(self) -> bool:
        answers: dict[str, Any] = {}
        for part in self.parts:
            part.form.is_valid()
            answers.update(part.form.section_answers)
            for repeat in part.repeats:
                blocks = []
                for i, block_form in enumerate(repeat.forms):
                    # An untouched empty block (the "add one more" slot) is no block, and no errors.
                    if i in repeat.removed or not self._has_input(block_form):
                        continue
                    block_form.is_valid()
                    if not block_form.section_answers:
                        continue
                    blocks.append(block_form.section_answers)
                if blocks:
                    answers[repeat.question.id] = blocks
        self.cleaned, self.errors = engine.check(self.schema, answers, self.context)
        return not self.errors and not self.adding

    def _has_input(self, form: SectionForm) -> bool:
        if self.data is None:
            return False
        prefix = f"{form.prefix}-"
        return any(key.startswith(prefix) and any(v.strip() for v in self.data.getlist(key)) for key in self.data)

    def error_list(self) -> list[tuple[str, str]]:
        """(label, message) pairs for the summary at the top of the page."""
        out: list[tuple[str, str]] = []
        for path, messages in self.errors.items():
            parts = path.split(".")
            q = self.schema.questions.get(parts[-1]) or self.schema.questions.get(parts[0])
            label = q.label if q is not None else path
            if len(parts) == 3:
                label = f"{label} ({int(parts[1]) + 1})"
            out.extend((label, message) for message in messages)
        return out
