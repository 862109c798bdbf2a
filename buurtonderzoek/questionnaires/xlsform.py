"""XLSForm export and import, so a team can also collect with ODK Collect or KoboCollect.

Export (`export_xlsform`): a questionnaire version becomes an XLSForm workbook (survey, choices,
settings). Sections become field-list groups (one screen each), repeats `begin_repeat`, skip logic
and checks XPath (`${q} = 'ja'`), range questions a group of two numbers (`<id>__min`,
`<id>__max`), scales a `select_one` of the numbers, and the context the app fills in by itself
(`context.incident_type`, ...) questions named `context_<key>` in a first group. A `bo::json`
column keeps what XLSForm cannot say (block kinds, meta, incident types, the original expressions),
so exporting and importing again gives back the same schema.

Import (`import_xlsform`): a supported subset of XLSForm becomes a schema for a draft version.
Expressions are read from `bo::json` when the XPath cell is still what we exported, otherwise the
XPath is translated (comparisons, and/or/not, selected(), count(), count-selected(), contains()).
Everything else (calculate, external choices, media, choice filters, repeat_count, arithmetic,
other functions...) is refused with a Dutch message naming the sheet, the row and the feature;
all problems are reported at once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from buurtonderzoek.questionnaires import engine, profiling

logger = logging.getLogger(__name__)
CONTEXT_PREFIX = "context_"
JSON_COLUMN = "bo::json"
# The incident types of DOMAIN.md section 3, offered by the exported `context_incident_type` question.
INCIDENT_TYPES = [
    ("woninginbraak", "Woninginbraak"),
    ("poging_woninginbraak", "Poging tot woninginbraak"),
    ("straatroof", "Straatroof"),
    ("overval", "Overval"),
    ("autokraak", "Autokraak / diefstal uit auto"),
    ("fietsdiefstal", "Fietsdiefstal"),
    ("scooterdiefstal", "Scooterdiefstal"),
    ("vernieling", "Vernieling"),
    ("brandstichting", "Brandstichting"),
    ("verdachte_situatie", "Verdachte situatie"),
    ("overig", "Overig"),
]
NL = "Nederlands (nl)"
EN = "English (en)"
EMAIL_XPATH = r"regex(., '^[^@ ]+@[^@ ]+\.[^@ ]+$')"
TEL_XPATH = r"regex(., '^\+?[0-9][0-9 ()-]{5,19}$')"
# Keys of a question that the standard XLSForm columns carry; the rest goes into bo::json.
STANDARD_KEYS = {"id", "type", "label", "hint", "required", "constraint_message", "choices", "children"}


class XLSFormError(ValueError):
    """The workbook cannot be imported; `errors` lists every problem (Dutch, with sheet and row)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# ============================================================================================
# Expressions: JSON logic -> XPath


class _ToXPath:
    def __init__(self, schema: engine.Schema) -> None:
        self.schema = schema
        self.context_keys: set[str] = set()

    def ref(self, name: str) -> str:
        if name == ".":
            return "."
        if name.startswith("context."):
            key = name.split(".", 1)[1].replace(".", "_")
            self.context_keys.add(key)
            return "${" + CONTEXT_PREFIX + key + "}"
        return "${" + name + "}"

    def literal(self, value: Any) -> str:
        if value is None:
            return "''"
        if value is True:
            return "true()"
        if value is False:
            return "false()"
        if isinstance(value, int | float):
            return engine.format_number(value).replace(",", ".")
        text = str(value)
        return f'"{text}"' if "'" in text else f"'{text}'"

    def var_type(self, expr: Any) -> str:
        if isinstance(expr, Mapping) and "var" in expr:
            name = expr["var"][0] if isinstance(expr["var"], list) else expr["var"]
            q = self.schema.questions.get(str(name))
            return q.type if q else ""
        return ""

    def value(self, expr: Any) -> str:
        """An expression used as a value (operand of a comparison)."""
        if isinstance(expr, Mapping) and len(expr) == 1:
            ((op, args),) = expr.items()
            if op == "var":
                return self.ref(str(args[0] if isinstance(args, list) else args))
            if op == "count":
                inner = args[0] if isinstance(args, list) else args
                kind = self.var_type(inner)
                return f"count-selected({self.value(inner)})" if kind == "multiple" else f"count({self.value(inner)})"
            return self.boolean(expr)
        if isinstance(expr, list):
            raise ValueError("list literal")
        return self.literal(expr)

    def boolean(self, expr: Any) -> str:
        """An expression used as a condition."""
        if expr is None:
            return "true()"
        if not isinstance(expr, Mapping):
            return "true()" if engine.truthy(expr) else "false()"
        ((op, args),) = expr.items()
        items = args if isinstance(args, list) else [args]
        if op == "var":
            ref = self.value(expr)
            kind = self.var_type(expr)
            if kind == "repeat":
                return f"count({ref}) > 0"
            if kind in ("number", "scale"):
                return f"({ref} != '' and {ref} != 0)"
            return f"{ref} != ''"
        if op in ("and", "or"):
            return "(" + f" {op} ".join(self.boolean(item) for item in items) + ")"
        if op == "not":
            return f"not({self.boolean(items[0])})"
        if op == "empty":
            inner = items[0]
            if self.var_type(inner) == "repeat":
                return f"count({self.value(inner)}) = 0"
            return f"{self.value(inner)} = ''"
        if op == "in":
            needle, haystack = items
            if isinstance(haystack, list):
                return "(" + " or ".join(f"{self.value(needle)} = {self.literal(v)}" for v in haystack) + ")"
            if self.var_type(haystack) == "multiple":
                return f"selected({self.value(haystack)}, {self.value(needle)})"
            return f"contains({self.value(haystack)}, {self.value(needle)})"
        if op in ("==", "!="):
            left, right = items
            xop = "=" if op == "==" else "!="
            return f"{self.value(left)} {xop} {self.value(right)}"
        if op in ("<", "<=", ">", ">="):
            if len(items) == 3:
                a, b, c = (self.value(i) for i in items)
                return f"({a} {op} {b} and {b} {op} {c})"
            return f"{self.value(items[0])} {op} {self.value(items[1])}"
        if op == "count":
            return f"{self.value(expr)} > 0"
        raise ValueError(op)


# ============================================================================================
# Export


@dataclass
class _Sheets:
    survey: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] = field(default_factory=list)
    bilingual: bool = False


def _has_english(node: Any) -> bool:
    if isinstance(node, Mapping):
        if isinstance(node.get("en"), Mapping) and node["en"]:
            return True
        return any(_has_english(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_english(v) for v in node)
    return False


def _json_cell(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""


def _join_and(*parts: str) -> str:
    present = [p for p in parts if p]
    if len(present) <= 1:
        return present[0] if present else ""
    return " and ".join(f"({p})" for p in present)


def export_rows(
    version_schema: Mapping[str, Any], *, form_id: str, title: str, version: str, door: bool = False
) -> dict[str, Any]:
    """The three sheets as lists of row dicts (used by export_xlsform and the tests).

    With `door` (a canvass questionnaire) the first group also asks which door it is (postcode,
    house number): the coordinator's upload of the ODK export (canvass/odk_import.py) needs it.
    """
    schema = engine.parse(version_schema)
    xp = _ToXPath(schema)
    sheets = _Sheets(bilingual=_has_english(version_schema))

    def labels(node: Mapping[str, Any], key: str, value: str) -> dict[str, Any]:
        if not sheets.bilingual:
            return {key: value}
        en = node.get("en") if isinstance(node.get("en"), Mapping) else {}
        return {f"{key}::{NL}": value, f"{key}::{EN}": (en or {}).get(key, "")}

    def relevance(node: Mapping[str, Any]) -> str:
        parts = []
        types = node.get("incident_types")
        if isinstance(types, list):
            ref = xp.ref("context.incident_type")
            parts.append(" or ".join(f"{ref} = {xp.literal(t)}" for t in types))
        if node.get("relevant") is not None:
            parts.append(xp.boolean(node["relevant"]))
        return _join_and(*parts)

    def add_choices(list_name: str, choices: list[Any]) -> None:
        for choice in choices:
            row: dict[str, Any] = {"list_name": list_name, "name": str(choice[0])}
            en = choice[2].get("en", "") if len(choice) > 2 and isinstance(choice[2], Mapping) else ""
            if sheets.bilingual:
                row[f"label::{NL}"] = choice[1]
                row[f"label::{EN}"] = en
            else:
                row["label"] = choice[1]
            sheets.choices.append(row)

    def person_check(q: engine.Question) -> dict[str, Any]:
        """The anti-profiling rule as far as ODK Collect can check it: a last, required tick in each
        person block whose constraint asks for a behaviour and at least two concrete details. The
        origin-label rule (word lists) cannot be written in XPath; the server checks it on import."""
        roles = profiling.roles_for(q.children)
        filled = [f"if(string-length(${{{fid}}}) > 0, 1, 0)" for fid, role in roles.items() if role == "detail"]
        behaviour = [f"string-length(${{{fid}}}) > 0" for fid, role in roles.items() if role == "behaviour"]
        constraint = _join_and(" or ".join(behaviour), f"({' + '.join(filled) or '0'}) >= 2")
        # Content of the form in both languages, not interface text: not through gettext.
        label: dict[str, Any] = {
            "label": "De beschrijving begint bij gedrag en heeft twee concrete kenmerken",
            "en": {"label": "The description starts with behaviour and has two concrete details"},
        }
        message: dict[str, Any] = {
            "constraint_message": "Beschrijf eerst wat de persoon deed, en geef minstens twee concrete kenmerken "
            "(kleding, opvallende kenmerken, postuur of lengte, haar, voorwerpen). Alleen geslacht, leeftijd en "
            "huidskleur is niet genoeg.",
            "en": {
                "constraint_message": "First describe what the person did, and give at least two concrete details "
                "(clothing, notable features, build or height, hair, objects). Gender, age and skin colour alone "
                "are not enough."
            },
        }
        return {
            "type": "acknowledge",
            "name": f"{q.id}__check",
            **labels(label, "label", label["label"]),
            "required": "yes",
            "constraint": constraint,
            **labels(message, "constraint_message", message["constraint_message"]),
            JSON_COLUMN: _json_cell({"check": "person"}),
        }

    def question_rows(raw: Mapping[str, Any]) -> None:
        q = schema.questions[raw["id"]]
        extra = {k: v for k, v in raw.items() if k not in STANDARD_KEYS}
        row: dict[str, Any] = {"name": q.id, **labels(raw, "label", q.label)}
        if q.hint:
            row.update(labels(raw, "hint", q.hint))
        if q.required:
            row["required"] = "yes"
        row["relevant"] = relevance(raw)
        own_constraint = xp.boolean(q.constraint) if q.constraint is not None else ""
        if q.constraint_message:
            row.update(labels(raw, "constraint_message", q.constraint_message))
        if row["relevant"]:
            extra["xpath_relevant"] = row["relevant"]

        if q.type == "repeat":
            sheets.survey.append({**row, "type": "begin_repeat", JSON_COLUMN: _json_cell(extra)})
            for child in raw["children"]:
                question_rows(child)
            if q.block == "person":
                sheets.survey.append(person_check(q))
            sheets.survey.append({"type": "end_repeat", "name": q.id})
            return
        if q.type == "range":
            bounds = []
            if q.min is not None:
                bounds.append(f". >= {xp.literal(q.min)}")
            if q.max is not None:
                bounds.append(f". <= {xp.literal(q.max)}")
            number_type = "integer" if q.integer else "decimal"
            extra["type"] = "range"
            if q.required:
                extra["required"] = True  # the group row has no `required`; its two numbers do
            group = {**row, "type": "begin_group", "appearance": "field-list", JSON_COLUMN: _json_cell(extra)}
            group.pop("required", None)
            sheets.survey.append(group)
            for suffix, label in (("min", _("van")), ("max", _("tot en met"))):
                constraint = " and ".join(bounds + ([f". >= ${{{q.id}__min}}"] if suffix == "max" else []))
                sheets.survey.append(
                    {
                        "type": number_type,
                        "name": f"{q.id}__{suffix}",
                        **labels({}, "label", f"{q.label}: {label}"),
                        "required": "yes" if q.required else "",
                        "constraint": constraint,
                    }
                )
            sheets.survey.append({"type": "end_group", "name": q.id})
            return

        constraint_parts = [own_constraint]
        if q.type in ("single", "multiple"):
            xtype = f"select_one {q.id}" if q.type == "single" else f"select_multiple {q.id}"
            add_choices(q.id, raw["choices"])
        elif q.type == "scale":
            xtype = f"select_one {q.id}"
            # Labelled numbers keep their translations; the others are labelled with the number itself.
            named = {str(int(c[0])): c[1:] for c in raw.get("choices") or []}
            low, high = int(q.min or 1), int(q.max or 1)
            add_choices(q.id, [[str(n), *named.get(str(n), [str(n), {"en": str(n)}])] for n in range(low, high + 1)])
            extra.update(type="scale", min=low, max=high)
        elif q.type == "number":
            xtype = "integer" if q.integer else "decimal"
            if q.min is not None:
                constraint_parts.append(f". >= {xp.literal(q.min)}")
            if q.max is not None:
                constraint_parts.append(f". <= {xp.literal(q.max)}")
        elif q.type == "text":
            xtype = "text"
            if raw.get("multiline"):
                row["appearance"] = "multiline"
            if q.input == "email":
                constraint_parts.append(EMAIL_XPATH)
            elif q.input == "tel":
                constraint_parts.append(TEL_XPATH)
            if q.max_length != engine.DEFAULT_MAX_LENGTH or "max_length" in raw:
                constraint_parts.append(f"string-length(.) <= {q.max_length}")
        elif q.type == "time":
            xtype = "time"
        elif q.type == "date":
            xtype = "date"
        elif q.type == "point":
            xtype = "geopoint"
        else:
            xtype = "note"
        row["constraint"] = _join_and(*constraint_parts)
        if row["constraint"]:
            extra["xpath_constraint"] = row["constraint"]
        sheets.survey.append({**row, "type": xtype, JSON_COLUMN: _json_cell(extra)})

    for raw_section in version_schema["sections"]:
        extra = {k: v for k, v in raw_section.items() if k not in {"id", "title", "hint", "questions"}}
        section_en = raw_section.get("en") if isinstance(raw_section.get("en"), Mapping) else {}
        group: dict[str, Any] = {
            "type": "begin_group",
            "name": raw_section["id"],
            **labels({"en": {"label": section_en.get("title", "")}}, "label", raw_section["title"]),
            "appearance": "field-list",
            "relevant": relevance(raw_section),
        }
        if raw_section.get("hint"):
            group.update(labels(raw_section, "hint", raw_section["hint"]))
        if group["relevant"]:
            extra["xpath_relevant"] = group["relevant"]
        group[JSON_COLUMN] = _json_cell({**extra, "section": True})
        sheets.survey.append(group)
        for raw_question in raw_section["questions"]:
            question_rows(raw_question)
        sheets.survey.append({"type": "end_group", "name": raw_section["id"]})

    # The context questions go first: ODK has no app to fill them in, the collector picks them.
    context_rows: list[dict[str, Any]] = []
    if door:
        xp.context_keys.update({"postcode", "huisnummer"})
    if xp.context_keys:
        context_rows.append(
            {
                "type": "begin_group",
                "name": "context",
                **labels(
                    {},
                    "label",
                    _("Welke deur, en gegevens van het incident")
                    if door
                    else _("Gegevens van het incident (vult de coördinator in)"),
                ),
                "appearance": "field-list",
                JSON_COLUMN: _json_cell({"context": True}),
            }
        )
        for key in sorted(xp.context_keys):
            name = CONTEXT_PREFIX + key
            if key == "incident_type":
                context_rows.append(
                    {
                        "type": f"select_one {name}",
                        "name": name,
                        **labels({}, "label", _("Soort incident")),
                        "required": "yes",
                    }
                )
                add_choices(name, [list(pair) for pair in INCIDENT_TYPES])
            elif key == "postcode":
                context_rows.append(
                    {
                        "type": "text",
                        "name": name,
                        **labels({"en": {"label": "Postcode"}}, "label", "Postcode"),
                        "required": "yes",
                        "constraint": r"regex(., '^[1-9][0-9]{3} ?[A-Za-z]{2}$')",
                    }
                )
            elif key == "huisnummer":
                context_rows.append(
                    {
                        "type": "text",
                        "name": name,
                        **labels(
                            {"en": {"label": "House number (with letter or addition)"}},
                            "label",
                            "Huisnummer (met letter of toevoeging)",
                        ),
                        "required": "yes",
                    }
                )
            else:
                context_rows.append({"type": "text", "name": name, **labels({}, "label", key.replace("_", " "))})
        context_rows.append({"type": "end_group", "name": "context"})
    settings_row = {"form_title": title, "form_id": form_id, "version": version}
    top = {k: v for k, v in version_schema.items() if k != "sections"}
    if top:
        settings_row[JSON_COLUMN] = _json_cell(top)
    if sheets.bilingual:
        settings_row["default_language"] = NL
    return {"survey": context_rows + sheets.survey, "choices": sheets.choices, "settings": [settings_row]}


def _write_sheet(sheet: Worksheet, rows: list[dict[str, Any]], first: list[str]) -> None:
    columns = list(first)
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(column, "") if row.get(column) is not None else "" for column in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                # openpyxl takes any text starting with "=" for a formula: a label "=HYPERLINK(...)" would run
                # in the spreadsheet of whoever opens the export. Everything we write is text.
                cell.data_type = "s"


def export_xlsform(version: Any, target: str | Path | IO[bytes]) -> None:
    """Write a QuestionnaireVersion as an XLSForm workbook (form_id = slug, version = number)."""
    sheets = export_rows(
        version.schema,
        form_id=version.questionnaire.slug,
        title=version.questionnaire.title,
        version=str(version.number),
        door=getattr(version.questionnaire, "purpose", "") == "canvass",
    )
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    # A bilingual form has only `label::<language>` columns: a plain `label` or `hint` column next to
    # them would be one more (nameless) language to ODK, missing every translation.
    bilingual = any(key.startswith("label::") for row in sheets["survey"] for key in row)
    translated = {"label", "hint", "constraint_message"} if bilingual else set()
    first = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance"]
    _write_sheet(survey, sheets["survey"], [column for column in first if column not in translated])
    _write_sheet(workbook.create_sheet("choices"), sheets["choices"], ["list_name", "name", "label"])
    _write_sheet(workbook.create_sheet("settings"), sheets["settings"], ["form_title", "form_id", "version"])
    workbook.save(target)


# ============================================================================================
# Expressions: XPath -> JSON logic


class _XPathError(ValueError):
    pass


_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.-]*\})|(?P<path>(?:\.\./)+[A-Za-z_][A-Za-z0-9_.-]*|"
    r"/[A-Za-z_][A-Za-z0-9_.-]*(?:/[A-Za-z_][A-Za-z0-9_.-]*)+)|(?P<string>'[^']*'|\"[^\"]*\")|"
    r"(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)|(?P<dot>\.(?![0-9.]))|"
    r"(?P<name>[A-Za-z][A-Za-z0-9_:-]*)|(?P<other>\S))"
)


class _FromXPath:
    """A recursive-descent reader for the XPath subset the engine can evaluate."""

    def __init__(self, text: str, *, allow_current: bool) -> None:
        self.tokens: list[tuple[str, str]] = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup or "other"
            self.tokens.append((kind, match.group(kind)))
        self.pos = 0
        self.allow_current = allow_current

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if value is not None and token[1] != value:
            raise _XPathError(_("'%(want)s' verwacht bij '%(got)s'") % {"want": value, "got": token[1] or "einde"})
        self.pos += 1
        return token

    def parse(self) -> Any:
        expr = self.or_expr()
        if self.peek()[0] != "end":
            kind, value = self.peek()
            if kind == "other" and value in "+-*":
                raise _XPathError(_("rekenen (%(op)s)") % {"op": value})
            if kind == "name" and value in ("div", "mod"):
                raise _XPathError(_("rekenen (%(op)s)") % {"op": value})
            raise _XPathError(_("onverwacht '%(token)s'") % {"token": value})
        return expr

    def or_expr(self) -> Any:
        items = [self.and_expr()]
        while self.peek() == ("name", "or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else {"or": items}

    def and_expr(self) -> Any:
        items = [self.comparison()]
        while self.peek() == ("name", "and"):
            self.take()
            items.append(self.comparison())
        return items[0] if len(items) == 1 else {"and": items}

    def comparison(self) -> Any:
        left = self.term()
        kind, value = self.peek()
        if kind == "op" and value in ("=", "!=", "<", "<=", ">", ">="):
            self.take()
            right = self.term()
            if value in ("=", "!=") and (right == "" or left == ""):
                other = left if right == "" else right
                empty = {"empty": other}
                return empty if value == "=" else {"not": empty}
            return {{"=": "=="}.get(value, value): [left, right]}
        if kind == "name" and value in ("div", "mod"):
            raise _XPathError(_("rekenen (%(op)s)") % {"op": value})
        if kind == "other" and value in "+-*":
            raise _XPathError(_("rekenen (%(op)s)") % {"op": value})
        return left

    def term(self) -> Any:
        kind, value = self.take()
        if kind == "ref":
            name = value[2:-1]
            if name.startswith(CONTEXT_PREFIX):
                return {"var": "context." + name[len(CONTEXT_PREFIX) :]}
            return {"var": name}
        if kind == "path":
            # `../name` (pyxform writes it for or_other) and `/data/group/name` name a question
            # by its place; names are unique in a form, so the last step is the question.
            return {"var": value.rsplit("/", 1)[1]}
        if kind == "string":
            return value[1:-1]
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
        if kind == "other" and value == "-" and self.peek()[0] == "number":
            number = -float(self.take()[1])
            return int(number) if number.is_integer() else number
        if kind == "dot":
            if not self.allow_current:
                raise _XPathError(_("'.' kan alleen in een controle (constraint)"))
            return {"var": "."}
        if (kind, value) == ("op", "("):
            inner = self.or_expr()
            self.take(")")
            return inner
        if kind == "name" and self.peek() == ("op", "("):
            return self.function(value)
        if (kind == "other" and value == "/") or kind == "name":
            raise _XPathError(_("een pad in plaats van een ${…}-verwijzing ('%(token)s')") % {"token": value})
        raise _XPathError(_("onverwacht '%(token)s'") % {"token": value or "einde"})

    def function(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        if self.peek() != ("op", ")"):
            args.append(self.or_expr())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.or_expr())
        self.take(")")
        if name == "true" and not args:
            return True
        if name == "false" and not args:
            return False
        if name == "not" and len(args) == 1:
            return {"not": args[0]}
        if name == "selected" and len(args) == 2:
            return {"in": [args[1], args[0]]}
        if name == "contains" and len(args) == 2:
            return {"in": [args[1], args[0]]}
        if name in ("count", "count-selected") and len(args) == 1:
            return {"count": args[0]}
        raise _XPathError(_("de functie %(name)s()") % {"name": name})


def xpath_to_expression(text: str, *, allow_current: bool = False) -> Any:
    """Translate a supported XPath expression; raises ValueError naming the unsupported part."""
    if not text.strip():
        return None
    return _FromXPath(text, allow_current=allow_current).parse()


def _typed(expr: Any, types: Mapping[str, str], current: str) -> Any:
    """Make literals compare the way XPath compares them with the question they meet.

    XPath compares a node's text with a number as numbers, and with a text as text: `${choice} = 1`
    is true for the choice "1", `${count} = '3'` for the number 3. The engine compares JSON values,
    so the literal takes the type of the answer it is compared with; `selected()` on a select-one
    means equality, not "contains".
    """
    if isinstance(expr, list):
        return [_typed(item, types, current) for item in expr]
    if not isinstance(expr, Mapping) or len(expr) != 1:
        return expr
    ((op, args),) = expr.items()
    if op == "var":
        return expr
    args = _typed(args, types, current)

    def kind(node: Any) -> str:
        if isinstance(node, Mapping) and "var" in node:
            name = str(node["var"])
            return types.get(current if name == "." else name, "")
        return ""

    if op in ("==", "!=", "<", "<=", ">", ">=") and isinstance(args, list) and len(args) == 2:
        left, right = args
        for a, b in ((0, 1), (1, 0)):
            answer_kind, literal = kind(args[a]), args[b]
            if answer_kind in ("number", "scale") and isinstance(literal, str):
                try:
                    number = float(literal)
                except ValueError:
                    continue
                args[b] = int(number) if number.is_integer() else number
            elif answer_kind in ("single", "multiple", "text") and _is_number_literal(literal):
                args[b] = engine.format_number(literal).replace(",", ".")
        del left, right
    if op == "in" and isinstance(args, list) and len(args) == 2 and kind(args[1]) == "single":
        needle = args[0]
        if _is_number_literal(needle):
            needle = engine.format_number(needle).replace(",", ".")
        return {"==": [args[1], needle]}
    if op == "in" and isinstance(args, list) and len(args) == 2 and _is_number_literal(args[0]):
        args[0] = engine.format_number(args[0]).replace(",", ".")
    return {op: args}


def _rename_vars(node: Any, renames: Mapping[str, str]) -> None:
    """Rename `var` references in place, in every expression of a schema tree."""
    if isinstance(node, list):
        for item in node:
            _rename_vars(item, renames)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "var" and isinstance(value, str):
                node[key] = renames.get(value, value)
            elif isinstance(value, list | dict):
                _rename_vars(value, renames)


def _is_number_literal(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# ============================================================================================
# Import
#
# pyxform reads the workbook exactly as ODK and KoboToolbox do (.xls and .xlsx, every alias and
# spelling, optional settings sheet, translated columns) and checks it; we translate its JSON form.
# What we cannot represent is refused, or dropped with a warning that the user sees before the
# version is stored, never silently.


@dataclass
class ImportResult:
    form_id: str
    title: str
    version: str
    schema: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


# Types that ODK fills in by itself (timestamps, device ids): nothing to ask, so not imported.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-geopoint",
    "uri:deviceid",
    "uri:email",
    "uri:username",
    "uri:phonenumber",
    "uri:subscriberid",
    "uri:simserial",
}
# Questions the engine cannot ask. They are left out with a warning, unless skip logic or a check
# of a question that stays depends on them (then the form is refused).
SKIPPED_KINDS: dict[str, Any] = {
    "binary": gettext_lazy("foto's, geluid, video of bestanden"),
    "barcode": gettext_lazy("barcodes"),
    "dateTime": gettext_lazy("datum met tijd (datetime)"),
    "geotrace": gettext_lazy("lijnen op de kaart (geotrace)"),
    "geoshape": gettext_lazy("vlakken op de kaart (geoshape)"),
    "odk:rank": gettext_lazy("rangschikken (rank)"),
    "trigger": gettext_lazy("bevestigingsvragen (acknowledge/trigger)"),
    "calculate": gettext_lazy("berekeningen (calculate)"),
    "hidden": gettext_lazy("verborgen velden (hidden)"),
}
# pyxform settings that only matter to ODK's own server or app.
IGNORED_SETTINGS = {"type", "name", "children", "choices", "sms_keyword", "id_string", "title", "version"}
IGNORED_SETTINGS |= {"default_language", "bo"}
HARMLESS_APPEARANCES = {"", "field-list", "multiline", "minimal", "horizontal", "horizontal-compact", "compact"}
# Bind and control attributes that are imported (or, for `type`, describe the question itself).
KNOWN_BIND = {"relevant", "constraint", "required", "jr:constraintMsg", "type", "readonly", "jr:requiredMsg"}
KNOWN_CONTROL = {"appearance", "jr:count", "bodyless", "tag"}
KNOWN_KEYS = {
    "type",
    "name",
    "label",
    "hint",
    "bind",
    "control",
    "children",
    "choices",
    "list_name",
    "itemset",
    "parameters",
    "bo",
    "media",
    "default",
    "choice_filter",
    "guidance_hint",
    "trigger",
}


def _is_yes(value: Any) -> bool:
    return str(value).strip().lower() in ("yes", "true", "true()", "ja", "1", "y")


def _is_no(value: Any) -> bool:
    return str(value).strip().lower() in ("", "no", "false", "false()", "nee", "0", "n")


def _language_kind(language: str) -> str:
    name = language.lower()
    if "(nl)" in name or name.startswith(("nederlands", "dutch", "nl")):
        return "nl"
    if "(en)" in name or name.startswith(("english", "engels", "en")):
        return "en"
    return ""


def _languages(node: Any, found: set[str]) -> None:
    if isinstance(node, Mapping):
        for key in ("label", "hint", "jr:constraintMsg"):
            value = node.get(key)
            if isinstance(value, Mapping):
                found.update(value)
        for key in ("bind", "children", "choices"):
            if key in node:
                _languages(node[key], found)
    elif isinstance(node, list):
        for item in node:
            _languages(item, found)


class _Importer:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.types: dict[str, str] = {}  # our type of every imported question, for literals
        self.skipped: dict[str, str] = {}  # name -> what it was, for questions left out
        self.constants: dict[str, int] = {}  # calculates that are a fixed whole number
        self.renames: dict[str, str] = {}
        self.count_refs = set(
            re.findall(r"\$\{([^}]+)\}", " ".join(re.findall(r'"jr:count": "([^"]*)"', json.dumps(doc))))
        )  # XLSForm name -> engine id, where they differ
        languages: set[str] = set()
        _languages(doc, languages)
        self.primary, self.english = self.pick_languages(languages, str(doc.get("default_language", "default")))
        others = sorted(languages - {self.primary, self.english, ""})
        if others:
            self.warn(_("de vertaling(en) %(languages)s worden niet overgenomen") % {"languages": ", ".join(others)})

    @staticmethod
    def pick_languages(languages: set[str], default: str) -> tuple[str, str]:
        dutch = sorted(lang for lang in languages if _language_kind(lang) == "nl")
        english = sorted(lang for lang in languages if _language_kind(lang) == "en")
        if dutch:
            primary = dutch[0]
        elif default in languages:
            primary = default
        elif "default" in languages:
            primary = "default"
        else:
            primary = sorted(languages)[0] if languages else ""
        second = next((lang for lang in english if lang != primary), "")
        return primary, second

    def error(self, name: str, message: str) -> None:
        self.errors.append(_("Vraag '%(name)s': %(message)s") % {"name": name, "message": message})

    def warn(self, message: str, name: str = "") -> None:
        text = _("Vraag '%(name)s': %(message)s") % {"name": name, "message": message} if name else message
        if text not in self.warnings:
            self.warnings.append(text[:1].upper() + text[1:])

    def text(self, value: Any) -> tuple[str, str]:
        """(main text, English text) of a label-like value, a text or a {language: text} dict."""
        if isinstance(value, Mapping):
            main = value.get(self.primary) or value.get("default") or next((v for v in value.values() if v), "")
            english = value.get(self.english, "") if self.english else ""
            return str(main or "").strip(), str(english or "").strip()
        return str(value or "").strip(), ""

    # ---- the tree

    def run(self) -> dict[str, Any]:
        sections: list[dict[str, Any]] = []
        loose: dict[str, Any] | None = None
        for node in self.doc.get("children", []):
            kind = node.get("type")
            extra = self.bo_json(node)
            if kind == "group" and (node.get("name") == "meta" and node.get("control", {}).get("bodyless")):
                continue  # pyxform's own instanceID
            if kind == "group" and (extra.get("context") or node.get("name") == "context"):
                continue  # our export's incident context, filled in by the app
            if kind == "group" and extra.get("type") != "range":
                sections.append(self.section(node, extra))
                loose = None
                continue
            questions = self.questions(node, conditions=[])
            if questions:
                if loose is None:
                    loose = {"id": f"deel_{len(sections) + 1}", "title": _("Vragen"), "questions": []}
                    sections.append(loose)
                loose["questions"].extend(questions)
        if self.renames:
            _rename_vars(sections, self.renames)
        return {"sections": sections}

    def bo_json(self, node: Mapping[str, Any]) -> dict[str, Any]:
        raw = node.get("bo", {}).get("json") if isinstance(node.get("bo"), Mapping) else None
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            self.error(
                str(node.get("name")), _("kolom '%(column)s' bevat geen geldige JSON.") % {"column": JSON_COLUMN}
            )
            return {}
        return value if isinstance(value, dict) else {}

    def section(self, node: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        name = self.qid(str(node["name"]))
        title, english = self.text(node.get("label"))
        hint, english_hint = self.text(node.get("hint"))
        section: dict[str, Any] = {"id": name, "title": title or name, "questions": []}
        if hint:
            section["hint"] = hint
        for key in ("incident_types", "meta", "en"):
            if key in extra:
                section[key] = extra[key]
        if "en" not in extra and (english or english_hint):
            section["en"] = {k: v for k, v in (("title", english), ("hint", english_hint)) if v}
        self.check_columns(node)
        relevant = self.expression(node, "relevant", extra)
        if relevant is not None:
            section["relevant"] = relevant
        for child in node.get("children", []):
            section["questions"].extend(self.questions(child, conditions=[]))
        if not section["questions"]:
            self.warn(_("groep zonder vragen die hier gesteld kunnen worden; ze wordt overgeslagen"), name)
            return {**section, "questions": [{"id": f"{name}_leeg", "type": "note", "label": title or name}]}
        return section

    def questions(self, node: Mapping[str, Any], *, conditions: list[Any]) -> list[dict[str, Any]]:
        """The questions for one survey element; a plain group is flattened, its condition moving
        onto each of its questions."""
        kind = str(node.get("type", ""))
        extra = self.bo_json(node)
        if kind == "group" and extra.get("type") != "range":
            self.check_columns(node)
            relevant = self.expression(node, "relevant", extra)
            inner = [*conditions, relevant] if relevant is not None else conditions
            found: list[dict[str, Any]] = []
            for child in node.get("children", []):
                found.extend(self.questions(child, conditions=inner))
            return found
        question: dict[str, Any] | None
        if kind == "group":
            question = self.range_pair(node, extra)
        elif kind == "repeat":
            question = self.repeat(node, extra)
        elif kind == "loop":
            found = []
            for group in self.unroll(node):
                found.extend(self.questions(group, conditions=conditions))
            return found
        else:
            question = self.question(node, extra)
        if question is None:
            return []
        if conditions:
            parts = [*conditions, question["relevant"]] if question.get("relevant") is not None else list(conditions)
            question["relevant"] = parts[0] if len(parts) == 1 else {"and": parts}
        return [question]

    def unroll(self, loop: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A `loop` asks its questions once per choice of a list; ODK stores them as
        /loop/choice/question. Each round becomes a group whose questions are named
        `<loop>_<choice>_<question>`, `%(label)s` in a text being the choice's label."""
        rounds = []
        for column in loop.get("columns") or []:
            prefix = f"{loop['name']}_{column['name']}_"
            names = {str(child.get("name")) for child in loop.get("children", [])}

            def rename(text: str, prefix: str = prefix, names: set[str] = names) -> str:
                return re.sub(
                    r"\$\{([^}]+)\}", lambda m: "${" + (prefix + str(m[1]) if m[1] in names else str(m[1])) + "}", text
                )

            def fill(value: Any, column: Mapping[str, Any] = column) -> Any:
                label = column.get("label", column["name"])
                if isinstance(value, Mapping):
                    return {
                        lang: str(text).replace(
                            "%(label)s", str(label.get(lang, "") if isinstance(label, Mapping) else label)
                        )
                        for lang, text in value.items()
                    }
                text_label = self.text(label)[0]
                return str(value).replace("%(label)s", text_label) if value is not None else value

            children = []
            for child in loop.get("children", []):
                copy = dict(child)
                copy["name"] = prefix + str(child.get("name"))
                for key in ("label", "hint"):
                    if key in copy:
                        copy[key] = fill(copy[key])
                if "bind" in copy:
                    copy["bind"] = {k: rename(v) if isinstance(v, str) else v for k, v in copy["bind"].items()}
                children.append(copy)
            rounds.append(
                {"type": "group", "name": prefix.rstrip("_"), "label": column.get("label", ""), "children": children}
            )
        self.warn(
            _("de lus (loop) wordt per keuze uitgeschreven; de vragen heten hier <lus>_<keuze>_<vraag>"),
            str(loop.get("name")),
        )
        return rounds

    def qid(self, name: str) -> str:
        """An engine id for an XLSForm name; names with '-' or '.' (valid in XML) are renamed."""
        if engine.ID_RE.fullmatch(name):
            return name
        new = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not re.match(r"[A-Za-z_]", new):
            new = "v_" + new
        self.renames[name] = new
        self.warn(_("de naam wordt hier '%(new)s' (alleen letters, cijfers en _ zijn toegestaan)") % {"new": new}, name)
        return new

    def base(self, node: Mapping[str, Any], qtype: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        name = self.qid(str(node["name"]))
        label, english = self.text(node.get("label"))
        hint, english_hint = self.text(node.get("hint"))
        if not label:
            label = name
            if qtype != "repeat":
                self.warn(_("geen vraagtekst; de naam wordt als tekst getoond"), name)
        question: dict[str, Any] = {"id": name, "type": qtype, "label": label}
        if hint:
            question["hint"] = hint
        bind = node.get("bind", {})
        required = bind.get("required", "")
        if _is_yes(required):
            question["required"] = True
        elif not _is_no(required):
            self.error(
                name, _("verplicht onder een voorwaarde ('%(value)s') wordt niet ondersteund.") % {"value": required}
            )
        message, _english = self.text(bind.get("jr:constraintMsg", ""))
        if message:
            question["constraint_message"] = message
        if bind.get("jr:requiredMsg"):
            self.warn(
                _(
                    "de eigen melding bij een verplichte vraag (required_message) wordt niet overgenomen; "
                    "de app toont haar eigen melding"
                ),
                name,
            )
        en = {k: v for k, v in (("label", english), ("hint", english_hint)) if v}
        if en:
            question["en"] = en
        for key, value in extra.items():
            if key in ("type", "relevant", "constraint") or key.startswith("xpath_"):
                continue
            question[key] = value
        self.check_columns(node)
        return question

    def check_columns(self, node: Mapping[str, Any]) -> None:
        """Name every column of an element that is not imported."""
        name = str(node.get("name", ""))
        bind = node.get("bind", {})
        control = node.get("control", {})
        for key in node:
            if key not in KNOWN_KEYS:
                self.warn(_("kolom '%(column)s' wordt niet overgenomen") % {"column": key}, name)
        for key in bind:
            if key not in KNOWN_BIND:
                self.warn(_("kolom '%(column)s' wordt niet overgenomen") % {"column": "bind::" + key}, name)
        for key in control:
            if key not in KNOWN_CONTROL:
                self.warn(_("kolom '%(column)s' wordt niet overgenomen") % {"column": "body::" + key}, name)
        appearance = str(control.get("appearance", ""))
        if appearance not in HARMLESS_APPEARANCES:
            self.warn(_("de weergave (appearance) '%(value)s' wordt niet overgenomen") % {"value": appearance}, name)
        if node.get("media"):
            self.warn(_("afbeeldingen, geluid of video bij de vraag worden niet overgenomen"), name)
        if node.get("default") not in (None, ""):
            self.warn(_("de standaardwaarde (default) wordt niet ingevuld"), name)
        if node.get("guidance_hint"):
            self.warn(_("de toelichting voor de invuller (guidance_hint) wordt niet overgenomen"), name)
        if node.get("trigger"):
            self.warn(_("de trigger wordt niet overgenomen"), name)
        label = json.dumps(node.get("label", ""), ensure_ascii=False)
        if "${" in label:
            self.warn(_("verwijzingen als ${…} in de vraagtekst worden niet ingevuld"), name)

    def repeat(self, node: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any] | None:
        name = str(node["name"])
        repeat = self.base(node, "repeat", extra)
        relevant = self.expression(node, "relevant", extra)
        if relevant is not None:
            repeat["relevant"] = relevant
        count = str(node.get("control", {}).get("jr:count", "")).strip()
        constant = re.fullmatch(r"\$\{([^}]+)\}", count)
        if constant and constant[1] in self.constants:
            count = str(self.constants[constant[1]])
        if count:
            if count.isdigit():
                repeat["min_count"] = repeat["max_count"] = int(count)
            else:
                self.warn(
                    _("het aantal herhalingen volgt in ODK uit '%(count)s'; hier kiest de invuller het aantal zelf")
                    % {"count": count},
                    name,
                )
        children: list[dict[str, Any]] = []
        for child in node.get("children", []):
            children.extend(self.questions(child, conditions=[]))
        if not children:
            self.error(name, _("de herhaalgroep heeft geen vragen die hier gesteld kunnen worden."))
            return None
        repeat["children"] = children
        self.types[name] = "repeat"
        return repeat

    def range_pair(self, node: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
        """Our own export of a range question: a group of two numbers, the question in bo::json."""
        question = self.base(node, "range", extra)
        relevant = self.expression(node, "relevant", extra)
        if relevant is not None:
            question["relevant"] = relevant
        self.types[question["id"]] = "range"
        return question

    def question(self, node: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any] | None:
        from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

        xtype = str(node.get("type", ""))
        name = str(node.get("name", ""))
        known = QUESTION_TYPE_DICT.get(xtype, {})
        bind_type = str(known.get("bind", {}).get("type", ""))
        tag = str(known.get("control", {}).get("tag", "") or "")
        if extra.get("check") == "person":
            return None  # our export's anti-profiling tick: the engine checks person blocks itself
        if xtype in METADATA_TYPES or "jr:preload" in known.get("bind", {}):
            self.warn(_("metagegevens van het toestel (%(type)s) worden niet vastgelegd") % {"type": xtype}, name)
            return None
        if (
            "external" in xtype
            or "from_file" in xtype
            or "from file" in xtype
            or node.get("itemset", "").endswith((".csv", ".xml", ".geojson"))
        ):
            self.error(name, _("keuzes uit een extern bestand worden niet ondersteund."))
            return None
        if node.get("choice_filter"):
            self.warn(
                _("het keuzefilter (choice_filter) „%(filter)s” wordt niet overgenomen: alle keuzes worden getoond")
                % {"filter": node["choice_filter"]},
                name,
            )
        calculation = str(node.get("bind", {}).get("calculate", "")).strip()
        if xtype == "calculate" and calculation.isdigit():
            # pyxform turns a fixed repeat_count into a calculate `<repeat>_count`; the repeat
            # takes the number (min_count = max_count), so that calculate is carried, not dropped.
            self.constants[name] = int(calculation)
            if name in self.count_refs:
                return None
        if xtype in ("calculate", "hidden") or bind_type in SKIPPED_KINDS or tag == "trigger" or xtype in SKIPPED_KINDS:
            what = SKIPPED_KINDS.get(xtype) or SKIPPED_KINDS.get(bind_type) or SKIPPED_KINDS["trigger"]
            self.skipped[name] = str(what)
            self.warn(_("%(what)s worden niet overgenomen; deze vraag vervalt") % {"what": what}, name)
            return None
        if tag in ("select1", "select") or xtype in ("select one", "select all that apply"):
            our_type = "single" if (tag == "select1" or xtype == "select one") else "multiple"
        elif xtype == "note" or (
            xtype in QUESTION_TYPE_DICT and bind_type == "string" and known.get("bind", {}).get("readonly")
        ):
            our_type = "note"
        elif tag == "range":
            our_type = "number"
        else:
            our_type = {
                "string": "text",
                "int": "number",
                "decimal": "number",
                "date": "date",
                "time": "time",
                "geopoint": "point",
            }.get(bind_type, "")
        if not our_type:
            self.error(name, _("het vraagtype '%(type)s' wordt niet ondersteund.") % {"type": xtype})
            return None
        if extra.get("type") == "scale":
            our_type = "scale"
        bind = node.get("bind", {})
        if _is_yes(bind.get("readonly", "")) and our_type != "note":
            self.warn(_("alleen-lezen (read_only): de vraag wordt een toelichting zonder antwoord"), name)
            our_type = "note"
        elif not _is_no(bind.get("readonly", "")):
            self.error(
                name,
                _("alleen-lezen onder een voorwaarde ('%(value)s') wordt niet ondersteund.")
                % {"value": bind["readonly"]},
            )
        question = self.base(node, our_type, extra)
        if our_type == "note":
            question.pop("required", None)
        self.types[name] = our_type
        if our_type in ("single", "multiple", "scale"):
            choices = []
            for choice in node.get("choices") or []:
                label, english = self.text(choice.get("label", ""))
                value = str(choice.get("name", ""))
                item: list[Any] = [value, label or value]
                if english:
                    item.append({"en": english})
                if choice.get("media"):
                    self.warn(_("afbeeldingen bij keuzes worden niet overgenomen"), name)
                choices.append(item)
            if our_type == "scale":
                question["choices"] = [
                    [int(c[0]), *c[1:]] for c in choices if c[0].lstrip("-").isdigit() and c[1] != c[0]
                ]
            else:
                question["choices"] = choices
        if xtype in ("integer", "int") or bind_type == "int":
            question.setdefault("integer", True)
        if tag == "range":
            params = node.get("parameters") or {}
            try:
                question["min"] = float(params.get("start", 1))
                question["max"] = float(params.get("end", 10))
                step = float(params.get("step", 1))
            except (TypeError, ValueError):
                self.error(name, _("de parameters van de range-vraag zijn geen getallen."))
                return None
            for key in ("min", "max"):
                if float(question[key]).is_integer():
                    question[key] = int(question[key])
            question["integer"] = step.is_integer() and float(question["min"]).is_integer()
            if step != 1:
                self.warn(
                    _("de stapgrootte %(step)s van de schuifregelaar wordt niet afgedwongen")
                    % {"step": params.get("step")},
                    name,
                )
        if xtype == "phone number":
            self.warn(_("de controle op alleen cijfers van 'phone number' wordt niet overgenomen"), name)
        if our_type == "text" and "multiline" in str(node.get("control", {}).get("appearance", "")):
            question.setdefault("multiline", True)
        relevant = self.expression(node, "relevant", extra)
        if relevant is not None:
            question["relevant"] = relevant
        constraint = self.expression(node, "constraint", extra)
        if constraint is not None:
            if our_type == "note":
                self.warn(_("de controle (constraint) van een toelichting vervalt"), name)
            else:
                question["constraint"] = constraint
        return question

    def expression(self, node: Mapping[str, Any], column: str, extra: Mapping[str, Any]) -> Any:
        """The expression of a `relevant` or `constraint` cell.

        Our own export stores the original JSON in bo::json together with the XPath it wrote; as
        long as the cell still holds that XPath, the JSON is used as it is. An edited cell, or a
        form made elsewhere, is translated from XPath.
        """
        name = str(node.get("name", ""))
        text = str(node.get("bind", {}).get(column, "") or "").strip()
        if column == "constraint" and node.get("type") == "phone number":
            text = ""  # pyxform's own digits-only check, warned about above
        exported = extra.get(f"xpath_{column}")
        if exported is not None and exported == text:
            return extra.get(column)
        if exported is None and column in extra:
            return extra[column]
        try:
            expr = xpath_to_expression(text, allow_current=column == "constraint")
        except _XPathError as exc:
            message = _("kolom '%(column)s' gebruikt %(feature)s; dat wordt niet ondersteund in „%(text)s”.") % {
                "column": column,
                "feature": exc,
                "text": text,
            }
            if column == "constraint":
                # A check that cannot be carried only lets more answers through; say so, go on.
                self.warn(message + " " + _("Deze controle vervalt."), name)
            elif node.get("type") == "note":
                self.warn(message + " " + _("De toelichting wordt altijd getoond."), name)
            else:
                self.error(name, message)
            return None
        for ref in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}", text):
            if ref in self.skipped:
                self.error(
                    name,
                    _("kolom '%(column)s' hangt af van '%(ref)s' (%(what)s), die niet wordt overgenomen.")
                    % {"column": column, "ref": ref, "what": self.skipped[ref]},
                )
                return None
        return _typed(expr, self.types, name)


def _read(source: str | Path | IO[bytes] | bytes, filename: str) -> tuple[dict[str, Any], list[str]]:
    """pyxform's JSON form of a workbook, after pyxform has checked that it converts to an XForm."""
    import copy

    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    pyxform_warnings: list[str] = []
    data: Any = source
    if isinstance(source, str | Path):
        data = str(source)
        filename = filename or Path(source).name
    elif not isinstance(source, bytes):
        data = source.read()
    head = data[:8] if isinstance(data, bytes) else b""
    if isinstance(data, str) and Path(data).is_file():
        with Path(data).open("rb") as opened:
            head = opened.read(8)
    if not head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx) or an OLE file (.xls)
        raise XLSFormError([_("Het bestand is geen leesbaar XLSForm-werkboek: kies een .xls- of .xlsx-bestand.")])
    try:
        workbook = get_xlsform(xlsform=data)
        doc = workbook_to_json(
            workbook_dict=workbook,
            form_name=None,
            fallback_form_name=workbook.fallback_form_name or Path(filename or "formulier").stem,
            default_language=None,
            warnings=pyxform_warnings,
        )
        create_survey_element_from_dict(copy.deepcopy(doc)).to_xml(validate=False, warnings=pyxform_warnings)
    except PyXFormError as exc:
        raise XLSFormError([_("Het XLSForm klopt niet volgens pyxform: %(error)s") % {"error": exc}]) from None
    except Exception as exc:  # any file can be uploaded; pyxform's readers raise anything
        raise XLSFormError(
            [
                _("Het bestand is geen leesbaar XLSForm-werkboek (.xls of .xlsx): %(error)s")
                % {"error": str(exc) or type(exc).__name__}
            ]
        ) from None
    return doc, pyxform_warnings


def import_xlsform(source: str | Path | IO[bytes] | bytes, *, filename: str = "") -> ImportResult:
    """Read an XLSForm workbook (.xls or .xlsx) into a schema.

    Raises XLSFormError listing every refused feature; what is left out without harm to the rest
    is returned in `warnings`, for the user to confirm before the version is stored.
    """
    doc, pyxform_warnings = _read(source, filename)
    try:
        importer = _Importer(doc)
        schema = importer.run()
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # A shape of pyxform's output this translator has not met: a refusal, never a traceback;
        # the log keeps the details for a fix.
        logger.exception("XLSForm translation failed")
        raise XLSFormError(
            [
                _("Dit formulier gebruikt iets wat de import niet kent (%(error)s). Meld het aan de beheerder.")
                % {"error": type(exc).__name__}
            ]
        ) from None
    top: dict[str, Any] = {}
    bo = doc.get("bo")
    if isinstance(bo, Mapping) and bo.get("json"):
        try:
            top = json.loads(bo["json"])
        except json.JSONDecodeError:
            importer.errors.append(
                _("Blad 'settings': kolom '%(column)s' bevat geen geldige JSON.") % {"column": JSON_COLUMN}
            )
    schema = {**{k: v for k, v in top.items() if k in ("title", "meta", "en")}, **schema}
    for key in sorted(set(doc) - IGNORED_SETTINGS):
        if doc.get(key) not in (None, "", False):
            importer.warn(_("de instelling '%(setting)s' wordt niet gebruikt") % {"setting": key})
    for warning in pyxform_warnings:
        importer.warn(_("pyxform meldt: %(warning)s") % {"warning": warning})
    if not schema["sections"]:
        importer.errors.append(_("Het formulier heeft geen vragen die hier gesteld kunnen worden."))
    if not importer.errors:
        try:
            engine.parse(schema)
        except engine.SchemaError as exc:
            importer.errors.append(_("De vragenlijst klopt niet: %(message)s") % {"message": exc})
    if importer.errors:
        raise XLSFormError(importer.errors)
    form_id = str(doc.get("id_string") or "")
    return ImportResult(
        form_id=form_id,
        title=str(doc.get("title") or form_id),
        version=str(doc.get("version") or ""),
        schema=schema,
        warnings=importer.warnings,
    )
