"""Load ODK Collect / KoboCollect submissions (exports of KoboToolbox or ODK Central) as answers.

Input: the rows of a CSV or XLSX export with the question names as columns. Group paths in
column names are fine (`observations/seen_anything` from Kobo, `observations-seen_anything` from
ODK Central): the last part is the question id. Repeat groups come either
- as separate tables (ODK Central: one CSV per repeat, linked by PARENT_KEY -> KEY; KoboToolbox
  XLSX: one sheet per repeat, linked by _parent_index -> _index or _submission__uuid -> _uuid), or
- as JSON in the repeat's own column (a list of objects, as in Kobo's JSON export).

Values are converted to the engine's types (ODK times "21:30:00.000+01:00" -> "21:30", geopoints
"52.1 5.1 0 8" -> {"lat", "lon", "accuracy"}, select_multiple "a b" -> ["a", "b"], range
questions from their `<id>__min` / `<id>__max` columns) and then cleaned and validated by the
engine, exactly as answers from our own app. Columns `context_<key>` (from our XLSForm export)
become the context; a `context=` argument overrides them.

The canvass app wires the results to door visits; `instance_id` (meta/instanceID) lets it skip
submissions it already loaded.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.xlsform import CONTEXT_PREFIX

Row = Mapping[str, Any]
SEPARATORS = re.compile(r"[/\-:.]")
TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
NUMBER_RE = re.compile(r"-?[0-9]+([.,][0-9]+)?")
INSTANCE_COLUMNS = ("instanceID", "_uuid", "KEY")


@dataclass
class Submission:
    answers: dict[str, Any]
    errors: dict[str, list[str]]
    context: dict[str, Any] = field(default_factory=dict)
    instance_id: str = ""


def _last_part(column: str) -> str:
    return SEPARATORS.split(column)[-1] if column else column


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, *, integer: bool = False) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        number: float = value
    else:
        text = str(value).strip()
        if not NUMBER_RE.fullmatch(text):
            return text  # kept, so validation says what is wrong with it
        number = float(text.replace(",", "."))
    if integer or float(number).is_integer():
        return int(number) if float(number).is_integer() else number
    return number


def _time(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    match = TIME_RE.match(str(value).strip())
    if not match:
        return str(value)
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _date(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else text


def _point(value: Any) -> Any:
    parts = value if isinstance(value, list) else str(value).split()
    try:
        numbers = [float(p) for p in parts]
    except (TypeError, ValueError):
        return str(value)
    if len(numbers) < 2:
        return str(value)
    point: dict[str, Any] = {"lat": numbers[0], "lon": numbers[1]}
    if len(numbers) >= 4:
        point["accuracy"] = numbers[3]
    return point


def convert(q: engine.Question, value: Any) -> Any:
    """One exported value as the engine expects it for question `q` (None when unanswered)."""
    if _empty(value):
        return None
    if q.type == "single":
        return str(value).strip()
    if q.type == "scale":
        return _number(value, integer=True)
    if q.type == "multiple":
        if isinstance(value, list):
            return [str(v) for v in value]
        return str(value).split()
    if q.type == "number":
        return _number(value, integer=q.integer)
    if q.type == "time":
        return _time(value)
    if q.type == "date":
        return _date(value)
    if q.type == "point":
        return _point(value)
    if q.type == "text":
        return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return value


def _normalise_row(row: Row) -> dict[str, Any]:
    """Column paths reduced to their last part; a later duplicate does not overwrite a filled value."""
    out: dict[str, Any] = {}
    for column, value in row.items():
        key = _last_part(str(column))
        if key not in out or _empty(out[key]):
            out[key] = value
    return out


class _Loader:
    def __init__(self, schema: engine.Schema, repeats: Mapping[str, Sequence[Row]] | None) -> None:
        self.schema = schema
        # Repeat tables by the repeat's question id ("buurtonderzoek-persons.csv" -> "persons").
        self.tables: dict[str, list[tuple[Row, dict[str, Any]]]] = {}
        for name, rows in (repeats or {}).items():
            key = _last_part(Path(str(name)).stem)
            self.tables[key] = [(row, _normalise_row(row)) for row in rows]

    def block_answers(self, questions: Iterable[engine.Question], raw: Row, norm: dict[str, Any]) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for q in questions:
            if q.type == "note":
                continue
            if q.type == "range":
                low, high = norm.get(f"{q.id}__min"), norm.get(f"{q.id}__max")
                if not (_empty(low) and _empty(high)):
                    value: dict[str, Any] = {}
                    if not _empty(low):
                        value["min"] = _number(low, integer=q.integer)
                    if not _empty(high):
                        value["max"] = _number(high, integer=q.integer)
                    answers[q.id] = value
                continue
            if q.type == "repeat":
                blocks = self.repeat_blocks(q, raw, norm)
                if blocks:
                    answers[q.id] = blocks
                continue
            value = convert(q, norm.get(q.id))
            if value is not None:
                answers[q.id] = value
        return answers

    def repeat_blocks(self, q: engine.Question, raw: Row, norm: dict[str, Any]) -> list[Any]:
        inline = norm.get(q.id)
        if isinstance(inline, str) and inline.strip().startswith("["):
            try:
                inline = json.loads(inline)
            except json.JSONDecodeError:
                return [inline]
        if isinstance(inline, list):
            return [
                self.block_answers(q.children, item, _normalise_row(item)) if isinstance(item, Mapping) else item
                for item in inline
            ]
        children = [(child_raw, child) for child_raw, child in self.tables.get(q.id, []) if self.is_child(norm, child)]
        children.sort(key=lambda pair: str(pair[1].get("_index", "")).zfill(12))
        return [self.block_answers(q.children, child_raw, child) for child_raw, child in children]

    @staticmethod
    def is_child(parent: Mapping[str, Any], child: Mapping[str, Any]) -> bool:
        # ODK Central: PARENT_KEY -> KEY. KoboToolbox: _parent_index -> _index, or the submission uuid.
        if not _empty(child.get("PARENT_KEY")) and not _empty(parent.get("KEY")):
            return str(child["PARENT_KEY"]) == str(parent["KEY"])
        if not _empty(child.get("_parent_index")) and not _empty(parent.get("_index")):
            return str(_number(child["_parent_index"])) == str(_number(parent["_index"]))
        if not _empty(child.get("_submission__uuid")) and not _empty(parent.get("_uuid")):
            return str(child["_submission__uuid"]) == str(parent["_uuid"])
        return False


def rows_to_submissions(
    version: Any,
    rows: Iterable[Row],
    *,
    repeats: Mapping[str, Sequence[Row]] | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[Submission]:
    """Every export row as cleaned answers, the engine's errors, its context and its instance id."""
    schema = version.parsed if hasattr(version, "parsed") else engine.as_schema(version)
    loader = _Loader(schema, repeats)
    submissions: list[Submission] = []
    for row in rows:
        norm = _normalise_row(row)
        row_context = {
            key[len(CONTEXT_PREFIX) :]: value
            for key, value in norm.items()
            if key.startswith(CONTEXT_PREFIX) and not _empty(value)
        }
        row_context.update(context or {})
        answers = loader.block_answers((q for s in schema.sections for q in s.questions), row, norm)
        cleaned, errors = engine.check(schema, answers, row_context)
        instance = next((str(norm[c]) for c in INSTANCE_COLUMNS if not _empty(norm.get(c))), "")
        submissions.append(
            Submission(
                answers=cleaned,
                errors=errors,
                context=row_context,
                instance_id=instance.removeprefix("uuid:"),
            )
        )
    return submissions


def rows_to_answers(
    version: Any,
    rows: Iterable[Row],
    *,
    repeats: Mapping[str, Sequence[Row]] | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[tuple[dict[str, Any], dict[str, list[str]]]]:
    """(cleaned answers, errors) per export row; `version` is a QuestionnaireVersion or a schema."""
    return [(s.answers, s.errors) for s in rows_to_submissions(version, rows, repeats=repeats, context=context)]


def read_export(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Read a CSV (main table only) or an XLSX export (first sheet main, other sheets repeats)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            return [dict(row) for row in csv.DictReader(handle, dialect=dialect)], {}
    workbook = load_workbook(path, read_only=True, data_only=True)
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    for sheet in workbook.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            continue
        header = [str(h) if h is not None else "" for h in values[0]]
        rows = [dict(zip(header, row, strict=False)) for row in values[1:] if any(v is not None for v in row)]
        tables.append((sheet.title, rows))
    if not tables:
        return [], {}
    return tables[0][1], dict(tables[1:])
