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
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from buurtonderzoek.questionnaires import engine

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


def export_rows(version_schema: Mapping[str, Any], *, form_id: str, title: str, version: str) -> dict[str, Any]:
    """The three sheets as lists of row dicts (used by export_xlsform and the tests)."""
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
            row["constraint_message"] = q.constraint_message
        if row["relevant"]:
            extra["xpath_relevant"] = row["relevant"]

        if q.type == "repeat":
            sheets.survey.append({**row, "type": "begin_repeat", JSON_COLUMN: _json_cell(extra)})
            for child in raw["children"]:
                question_rows(child)
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
    if xp.context_keys:
        context_rows.append(
            {
                "type": "begin_group",
                "name": "context",
                **labels({}, "label", _("Gegevens van het incident (vult de coördinator in)")),
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
    )
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    _write_sheet(
        survey,
        sheets["survey"],
        ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance"],
    )
    _write_sheet(workbook.create_sheet("choices"), sheets["choices"], ["list_name", "name", "label"])
    _write_sheet(workbook.create_sheet("settings"), sheets["settings"], ["form_title", "form_id", "version"])
    workbook.save(target)


# ============================================================================================
# Expressions: XPath -> JSON logic


class _XPathError(ValueError):
    pass


_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})|(?P<string>'[^']*'|\"[^\"]*\")|"
    r"(?P<number>-?[0-9]+(?:\.[0-9]+)?)|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)|(?P<dot>\.(?![0-9]))|"
    r"(?P<name>[A-Za-z][A-Za-z0-9_:-]*)|(?P<other>\S))"
)


class _FromXPath:
    """A recursive-descent reader for the XPath subset we support."""

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
            raise _XPathError(_("onverwacht '%(token)s'") % {"token": self.peek()[1]})
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
        if kind == "string":
            return value[1:-1]
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
        if kind == "dot":
            if not self.allow_current:
                raise _XPathError(_("'.' kan alleen in een controle (constraint)"))
            return {"var": "."}
        if (kind, value) == ("op", "("):
            inner = self.or_expr()
            self.take(")")
            return inner
        if kind == "name":
            return self.function(value)
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


# ============================================================================================
# Import


@dataclass
class ImportResult:
    form_id: str
    title: str
    version: str
    schema: dict[str, Any]


IGNORED_TYPES = {
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
}
UNSUPPORTED_TYPES: dict[str, Any] = {
    "calculate": gettext_lazy("berekeningen (calculate)"),
    "hidden": gettext_lazy("verborgen velden (hidden)"),
    "acknowledge": gettext_lazy("bevestigingsvragen (acknowledge)"),
    "trigger": gettext_lazy("bevestigingsvragen (trigger)"),
    "image": gettext_lazy("foto's (image)"),
    "audio": gettext_lazy("geluidsopnamen (audio)"),
    "background-audio": gettext_lazy("geluidsopnamen (background-audio)"),
    "video": gettext_lazy("video's (video)"),
    "file": gettext_lazy("bestanden (file)"),
    "barcode": gettext_lazy("barcodes (barcode)"),
    "geotrace": gettext_lazy("lijnen op de kaart (geotrace)"),
    "geoshape": gettext_lazy("vlakken op de kaart (geoshape)"),
    "rank": gettext_lazy("rangschikken (rank)"),
    "xml-external": gettext_lazy("externe bestanden (xml-external)"),
    "csv-external": gettext_lazy("externe bestanden (csv-external)"),
    "select_one_from_file": gettext_lazy("externe keuzelijsten (select_one_from_file)"),
    "select_multiple_from_file": gettext_lazy("externe keuzelijsten (select_multiple_from_file)"),
    "select_one_external": gettext_lazy("externe keuzelijsten (select_one_external)"),
    "datetime": gettext_lazy("datum met tijd (datetime): gebruik een date- en een time-vraag"),
}
UNSUPPORTED_COLUMNS: dict[str, Any] = {
    "calculation": gettext_lazy("berekeningen (calculation)"),
    "default": gettext_lazy("standaardwaarden (default)"),
    "choice_filter": gettext_lazy("keuzefilters (choice_filter)"),
    "repeat_count": gettext_lazy("een vast aantal herhalingen (repeat_count)"),
    "trigger": gettext_lazy("triggers (trigger)"),
    "read_only": gettext_lazy("alleen-lezen velden (read_only)"),
}
UNSUPPORTED_SHEETS: dict[str, Any] = {
    "external_choices": gettext_lazy("externe keuzelijsten (blad external_choices)"),
    "entities": gettext_lazy("entiteiten (blad entities)"),
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(sheet: Worksheet) -> Iterator[tuple[int, dict[str, str]]]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = [_cell(h) for h in header]
    for number, values in enumerate(rows, start=2):
        row = {name: _cell(v) for name, v in zip(names, values, strict=False) if name}
        if any(row.values()):
            yield number, row


def _pick_label(row: Mapping[str, str], key: str) -> tuple[str, str]:
    """(Dutch-or-default label, English label) from `label`, `label::Nederlands (nl)`, `label::English (en)`."""
    default = row.get(key, "")
    dutch = english = ""
    others = []
    for column, value in row.items():
        if not column.startswith(key + "::") or not value:
            continue
        language = column.split("::", 1)[1].lower()
        if "(nl)" in language or language.startswith(("nederlands", "dutch", "nl")):
            dutch = value
        elif "(en)" in language or language.startswith(("english", "engels", "en")):
            english = value
        else:
            others.append(value)
    return dutch or default or (others[0] if others else english), english


def _is_yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "true()", "ja", "1", "y")


class _Importer:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, sheet: str, row: int, message: str) -> None:
        self.errors.append(
            _("Blad '%(sheet)s', rij %(row)s: %(message)s") % {"sheet": sheet, "row": row, "message": message}
        )

    def expression(self, row_no: int, row: Mapping[str, str], column: str, extra: Mapping[str, Any]) -> Any:
        """The expression of a `relevant` or `constraint` cell.

        Our own export stores the original JSON in bo::json together with the XPath it wrote; as
        long as the cell still holds that XPath, the JSON is used as it is. An edited cell, or a
        form made elsewhere, is translated from XPath.
        """
        text = row.get(column, "")
        exported = extra.get(f"xpath_{column}")
        if exported is not None and exported == text:
            return extra.get(column)
        if exported is None and column in extra:
            return extra[column]
        try:
            return xpath_to_expression(text, allow_current=column == "constraint")
        except _XPathError as exc:
            self.error(
                "survey",
                row_no,
                _("kolom '%(column)s' gebruikt %(feature)s; dat wordt niet ondersteund in „%(text)s”.")
                % {"column": column, "feature": exc, "text": text},
            )
            return None

    def run(self, source: str | Path | IO[bytes]) -> ImportResult:
        workbook = load_workbook(source, read_only=True, data_only=True)
        sheets = {name.lower(): workbook[name] for name in workbook.sheetnames}
        for name, feature in UNSUPPORTED_SHEETS.items():
            if name in sheets and any(True for _row in _read_sheet(sheets[name])):
                self.errors.append(
                    _("Blad '%(sheet)s': %(feature)s wordt niet ondersteund.") % {"sheet": name, "feature": feature}
                )
        if "survey" not in sheets:
            raise XLSFormError([_("Het werkboek heeft geen blad 'survey'.")])
        choices: dict[str, list[list[Any]]] = {}
        if "choices" in sheets:
            for row_no, row in _read_sheet(sheets["choices"]):
                list_name, name = row.get("list_name", ""), row.get("name", "")
                if not list_name or not name:
                    self.error("choices", row_no, _("list_name en name zijn verplicht."))
                    continue
                label, english = _pick_label(row, "label")
                choice: list[Any] = [name, label or name]
                if english:
                    choice.append({"en": english})
                choices.setdefault(list_name, []).append(choice)
        settings: dict[str, str] = {}
        if "settings" in sheets:
            for _row_no, row in _read_sheet(sheets["settings"]):
                settings.update({k: v for k, v in row.items() if v})
                break
        schema = self.survey(list(_read_sheet(sheets["survey"])), choices)
        if settings.get(JSON_COLUMN):
            try:
                top = json.loads(settings[JSON_COLUMN])
            except json.JSONDecodeError:
                self.errors.append(
                    _("Blad 'settings': kolom '%(column)s' bevat geen geldige JSON.") % {"column": JSON_COLUMN}
                )
            else:
                schema = {**{k: v for k, v in top.items() if k in ("title", "meta", "en")}, **schema}
        form_id = settings.get("form_id") or settings.get("id_string") or ""
        if not form_id:
            self.errors.append(_("Blad 'settings': form_id ontbreekt."))
        if not self.errors:
            try:
                engine.parse(schema)
            except engine.SchemaError as exc:
                self.errors.append(_("De vragenlijst klopt niet: %(message)s") % {"message": exc})
        if self.errors:
            raise XLSFormError(self.errors)
        return ImportResult(
            form_id=form_id,
            title=settings.get("form_title") or form_id,
            version=settings.get("version", ""),
            schema=schema,
        )

    def survey(self, rows: list[tuple[int, dict[str, str]]], choices: Mapping[str, list[list[Any]]]) -> dict[str, Any]:
        sections: list[dict[str, Any]] = []
        # The stack holds the open containers: ("section" | "group" | "repeat" | "range" | "context", node, row).
        stack: list[tuple[str, dict[str, Any], int]] = []
        loose: dict[str, Any] | None = None  # a section for questions outside any group

        def container() -> list[dict[str, Any]]:
            nonlocal loose
            for kind, node, _row in reversed(stack):
                if kind in ("section", "repeat"):
                    found: list[dict[str, Any]] = node["questions"] if kind == "section" else node["children"]
                    return found
            if loose is None:
                loose = {"id": f"deel_{len(sections) + 1}", "title": _("Vragen"), "questions": []}
                sections.append(loose)
            questions: list[dict[str, Any]] = loose["questions"]
            return questions

        def group_condition() -> list[Any]:
            # Plain groups inside a section are flattened: their condition moves to each question.
            return [node["relevant"] for kind, node, _row in stack if kind == "group" and node.get("relevant")]

        for row_no, row in rows:
            raw_type = row.get("type", "")
            qtype = re.sub(r"\s+", " ", raw_type.strip())
            name = row.get("name", "")
            extra: dict[str, Any] = {}
            if row.get(JSON_COLUMN):
                try:
                    extra = json.loads(row[JSON_COLUMN])
                except json.JSONDecodeError:
                    self.error(
                        "survey", row_no, _("kolom '%(column)s' bevat geen geldige JSON.") % {"column": JSON_COLUMN}
                    )
            for column, feature in UNSUPPORTED_COLUMNS.items():
                if row.get(column):
                    self.error("survey", row_no, _("%(feature)s wordt niet ondersteund.") % {"feature": feature})
            for column, value in row.items():
                if column.startswith("media::") and value:
                    self.error("survey", row_no, _("media (afbeeldingen, geluid) bij vragen worden niet ondersteund."))
            base = qtype.split(" ")[0] if qtype else ""
            if not base:
                continue
            label, english = _pick_label(row, "label")
            hint, english_hint = _pick_label(row, "hint")
            if base in ("begin_group", "begin group"):
                kind = "group"
                if extra.get("context") or name == "context":
                    kind = "context"
                elif extra.get("type") == "range":
                    kind = "range"
                elif extra.get("section") or not stack:
                    kind = "section"
                node: dict[str, Any] = {"id": name, "title": label or name, "label": label or name}
                relevant = self.expression(row_no, row, "relevant", extra)
                if kind == "section":
                    section: dict[str, Any] = {"id": name, "title": label or name, "questions": []}
                    if hint:
                        section["hint"] = hint
                    for key in ("incident_types", "meta", "en"):
                        if key in extra:
                            section[key] = extra[key]
                    if relevant is not None:
                        section["relevant"] = relevant
                    sections.append(section)
                    loose = None
                    stack.append(("section", section, row_no))
                elif kind == "range":
                    node = self.question_base(name, "range", label, hint, english, english_hint, row, extra)
                    if relevant is not None:
                        node["relevant"] = relevant
                    stack.append(("range", node, row_no))
                else:
                    node["relevant"] = relevant
                    stack.append((kind, node, row_no))
                continue
            if base in ("end_group", "end group"):
                if not stack or stack[-1][0] not in ("section", "group", "range", "context"):
                    self.error("survey", row_no, _("end_group zonder bijbehorende begin_group."))
                    continue
                kind, node, _start = stack.pop()
                if kind == "range":
                    node.pop("_parts", None)
                    container().append(self.with_group_condition(node, group_condition()))
                continue
            if base in ("begin_repeat", "begin repeat"):
                repeat = self.question_base(name, "repeat", label, hint, english, english_hint, row, extra)
                repeat["children"] = []
                relevant = self.expression(row_no, row, "relevant", extra)
                if relevant is not None:
                    repeat["relevant"] = relevant
                container().append(self.with_group_condition(repeat, group_condition()))
                stack.append(("repeat", repeat, row_no))
                continue
            if base in ("end_repeat", "end repeat"):
                if not stack or stack[-1][0] != "repeat":
                    self.error("survey", row_no, _("end_repeat zonder bijbehorende begin_repeat."))
                else:
                    stack.pop()
                continue
            if any(kind == "context" for kind, _n, _r in stack) or name.startswith(CONTEXT_PREFIX):
                continue  # filled in by the app, not asked
            if base in IGNORED_TYPES:
                continue
            if base in UNSUPPORTED_TYPES or base.endswith("_external"):
                feature = UNSUPPORTED_TYPES.get(base, base)
                self.error(
                    "survey", row_no, _("het vraagtype %(feature)s wordt niet ondersteund.") % {"feature": feature}
                )
                continue
            if stack and stack[-1][0] == "range":
                # The two numbers of an exported range question.
                continue
            question = self.question(row_no, row, qtype, name, label, hint, english, english_hint, extra, choices)
            if question is not None:
                container().append(self.with_group_condition(question, group_condition()))
        for kind, _node, start in stack:
            self.error(
                "survey",
                start,
                _("%(kind)s wordt niet afgesloten.") % {"kind": "begin_" + ("repeat" if kind == "repeat" else "group")},
            )
        return {"sections": sections}

    @staticmethod
    def with_group_condition(question: dict[str, Any], conditions: list[Any]) -> dict[str, Any]:
        if not conditions:
            return question
        parts = [*conditions, question["relevant"]] if question.get("relevant") is not None else list(conditions)
        question["relevant"] = parts[0] if len(parts) == 1 else {"and": parts}
        return question

    @staticmethod
    def question_base(
        name: str,
        qtype: str,
        label: str,
        hint: str,
        english: str,
        english_hint: str,
        row: Mapping[str, str],
        extra: Mapping[str, Any],
    ) -> dict[str, Any]:
        question: dict[str, Any] = {"id": name, "type": qtype, "label": label or name}
        if hint:
            question["hint"] = hint
        if _is_yes(row.get("required", "")):
            question["required"] = True
        if row.get("constraint_message"):
            question["constraint_message"] = row["constraint_message"]
        en = {k: v for k, v in (("label", english), ("hint", english_hint)) if v}
        if en:
            question["en"] = en
        for key, value in extra.items():
            if key in ("type", "relevant", "constraint") or key.startswith("xpath_"):
                continue
            question[key] = value
        return question

    def question(
        self,
        row_no: int,
        row: Mapping[str, str],
        qtype: str,
        name: str,
        label: str,
        hint: str,
        english: str,
        english_hint: str,
        extra: Mapping[str, Any],
        choices: Mapping[str, list[list[Any]]],
    ) -> dict[str, Any] | None:
        parts = qtype.split(" ")
        base = parts[0]
        if "or_other" in parts:
            self.error(
                "survey", row_no, _("'or_other' (een eigen antwoord bij een keuzevraag) wordt niet ondersteund.")
            )
            return None
        mapping = {
            "text": "text",
            "integer": "number",
            "decimal": "number",
            "range": "number",
            "time": "time",
            "date": "date",
            "geopoint": "point",
            "note": "note",
            "select_one": "single",
            "select_multiple": "multiple",
        }
        if base not in mapping:
            self.error("survey", row_no, _("het vraagtype '%(type)s' wordt niet ondersteund.") % {"type": qtype})
            return None
        our_type = "scale" if extra.get("type") == "scale" else mapping[base]
        question = self.question_base(name, our_type, label, hint, english, english_hint, row, extra)
        if base in ("select_one", "select_multiple"):
            list_name = parts[1] if len(parts) > 1 else ""
            if list_name not in choices:
                self.error(
                    "survey", row_no, _("keuzelijst '%(list)s' staat niet op blad 'choices'.") % {"list": list_name}
                )
                return None
            if our_type == "scale":
                question["choices"] = [
                    [int(c[0]), *c[1:]] for c in choices[list_name] if c[0].lstrip("-").isdigit() and c[1] != c[0]
                ]
            else:
                question["choices"] = choices[list_name]
        if base == "integer":
            question.setdefault("integer", True)
        if base == "range":
            params = dict(part.split("=", 1) for part in re.split(r"[\s;]+", row.get("parameters", "")) if "=" in part)
            try:
                question["min"] = float(params.get("start", 1))
                question["max"] = float(params.get("end", 10))
                step = float(params.get("step", 1))
            except ValueError:
                self.error("survey", row_no, _("de parameters van de range-vraag zijn geen getallen."))
                return None
            for key in ("min", "max"):
                if float(question[key]).is_integer():
                    question[key] = int(question[key])
            question["integer"] = step.is_integer()
        if base == "text" and "multiline" in row.get("appearance", ""):
            question.setdefault("multiline", True)
        relevant = self.expression(row_no, row, "relevant", extra)
        if relevant is not None:
            question["relevant"] = relevant
        constraint = self.expression(row_no, row, "constraint", extra)
        if constraint is not None:
            question["constraint"] = constraint
        return question


def import_xlsform(source: str | Path | IO[bytes]) -> ImportResult:
    """Read an XLSForm workbook into a schema; raises XLSFormError listing every unsupported feature."""
    return _Importer().run(source)
