"""The questionnaire engine: schema parsing, skip logic, validation and cleaning.

Flow: `parse()` checks a schema once (structure, types, expressions) and returns a `Schema`.
`relevant_ids`, `validate` and `clean` all run one walk over the schema in document order
(`_walk`): for every question it decides relevance from the answers *as cleaned so far*, so a
question hidden by skip logic never feeds later expressions. Expressions may only refer to
questions that come earlier (parse enforces this), which makes the walk a single pass and makes
`clean` idempotent.

static/js/questionnaire/engine.js is a line-by-line port of this module; the shared cases in
buurtonderzoek/questionnaires/tests/engine_cases.json and the browser test keep the two identical. Change both together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from buurtonderzoek.questionnaires import profiling

# Kept tiny and JSON-shaped on purpose: the same trees are evaluated by engine.js.
Expr = Any
Answers = dict[str, Any]
Errors = dict[str, list[str]]

QUESTION_TYPES = (
    "single",
    "multiple",
    "text",
    "number",
    "range",
    "time",
    "date",
    "point",
    "scale",
    "repeat",
    "note",
)
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "and", "or", "not", "in", "count", "empty", "var")
QUESTION_KEYS = frozenset(
    {
        "id",
        "type",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "constraint_message",
        "choices",
        "min",
        "max",
        "integer",
        "unit",
        "max_length",
        "multiline",
        "input",
        "meta",
        "incident_types",
        "children",
        "block",
        "min_count",
        "max_count",
        "add_label",
        "item_label",
        "en",
    }
)
SECTION_KEYS = frozenset({"id", "title", "hint", "relevant", "incident_types", "questions", "meta", "en"})
SCHEMA_KEYS = frozenset({"sections", "title", "meta", "en"})
ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CHOICE_VALUE_RE = re.compile(r"[^\s]+")
TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# Whitespace that makes a text answer count as empty. Spelled out (not str.isspace) so that
# JavaScript, whose idea of whitespace differs, gives the same answer.
BLANK_RE = re.compile(r"[ \t\n\r\f\v\u00a0]*")
EMAIL_RE = re.compile(r"[^@ \t\n\r\f\v\u00a0]+@[^@ \t\n\r\f\v\u00a0]+\.[^@ \t\n\r\f\v\u00a0]+")
TEL_RE = re.compile(r"\+?[0-9][0-9 ()-]{5,19}")
TEXT_INPUTS = ("text", "email", "tel")
DEFAULT_MAX_LENGTH = 2000
RESERVED_IDS = frozenset({"context"})
ALL_KEY = "__all__"


class SchemaError(ValueError):
    """A questionnaire schema is not valid; the message (Dutch) names the section or question."""


# --------------------------------------------------------------------------------------------
# Parsed schema


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    relevant: Expr = None
    constraint: Expr = None
    constraint_message: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    input: str = "text"
    meta: Mapping[str, Any] = field(default_factory=dict)
    incident_types: tuple[str, ...] | None = None
    children: tuple[Question, ...] = ()
    block: str = ""
    min_count: int | None = None
    max_count: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]
    hint: str = ""
    relevant: Expr = None
    incident_types: tuple[str, ...] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Schema:
    sections: tuple[Section, ...]
    raw: Mapping[str, Any] = field(compare=False, repr=False)
    # Every question (also inside repeats) by id; ids are unique in the whole schema.
    questions: Mapping[str, Question] = field(compare=False, repr=False)
    # The repeat a question sits in (None at top level).
    parents: Mapping[str, str | None] = field(compare=False, repr=False)
    # The section each top-level question belongs to.
    section_of: Mapping[str, str] = field(compare=False, repr=False)
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        # Short on purpose: test failures print schemas, and the full tree runs to hundreds of kB.
        return f"<Schema {[s.id for s in self.sections]}, {len(self.questions)} questions>"

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def iter_questions(self) -> Iterable[Question]:
        return self.questions.values()

    def indicators(self) -> dict[str, list[str]]:
        """`meta.indicator` name -> ids of the questions that feed it, in schema order."""
        found: dict[str, list[str]] = {}
        for q in self.questions.values():
            name = q.meta.get("indicator")
            if isinstance(name, str):
                found.setdefault(name, []).append(q.id)
        return found


SchemaLike = Schema | Mapping[str, Any]


def translation(raw: Mapping[str, Any], key: str, language: str) -> str | None:
    """The schema's own text for `key` (label, title, hint...) in `language`, from its optional
    `{"en": {...}}` block; None when it has none (the caller keeps the Dutch)."""
    extra = raw.get(language)
    text = extra.get(key) if isinstance(extra, Mapping) else None
    return text if isinstance(text, str) and text else None


def choice_translations(q: Question, language: str) -> dict[str, str]:
    """Choice value -> label in `language`, from the optional third element `{"en": ...}` of a choice."""
    labels: dict[str, str] = {}
    for choice in q.raw.get("choices") or []:
        extra = choice[2] if isinstance(choice, list) and len(choice) == 3 else None
        if isinstance(extra, Mapping) and isinstance(extra.get(language), str):
            labels[str(int(choice[0]) if q.type == "scale" else choice[0])] = extra[language]
    return labels


def as_schema(schema: SchemaLike) -> Schema:
    return schema if isinstance(schema, Schema) else parse(schema)


# --------------------------------------------------------------------------------------------
# Parsing


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    # Python ints are never infinite (and may be too big for float(), so don't convert them).
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _is_whole(value: float) -> bool:
    return isinstance(value, int) or value.is_integer()


class _Parser:
    def __init__(self) -> None:
        self.questions: dict[str, Question] = {}
        self.parents: dict[str, str | None] = {}
        self.section_of: dict[str, str] = {}

    def parse(self, data: Any) -> Schema:
        if not isinstance(data, Mapping):
            raise SchemaError(_("Het schema moet een JSON-object zijn."))
        unknown = sorted(set(data) - SCHEMA_KEYS)
        if unknown:
            raise SchemaError(_("Onbekende sleutel(s) in het schema: %(keys)s.") % {"keys": ", ".join(unknown)})
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise SchemaError(_("Het schema heeft een niet-lege lijst 'sections' nodig."))
        visible: list[str] = []
        section_ids: set[str] = set()
        sections = []
        for index, raw in enumerate(raw_sections):
            section = self._section(raw, index, visible)
            if section.id in section_ids:
                raise SchemaError(_("Onderdeel '%(id)s' komt twee keer voor.") % {"id": section.id})
            section_ids.add(section.id)
            sections.append(section)
        return Schema(
            sections=tuple(sections),
            raw=data,
            questions=self.questions,
            parents=self.parents,
            section_of=self.section_of,
            meta=self._meta(data, _("het schema")),
        )

    def _section(self, raw: Any, index: int, visible: list[str]) -> Section:
        if not isinstance(raw, Mapping):
            raise SchemaError(_("Onderdeel %(n)s moet een object zijn.") % {"n": index + 1})
        section_id = raw.get("id")
        where = _("onderdeel '%(id)s'") % {"id": section_id}
        if not isinstance(section_id, str) or not ID_RE.fullmatch(section_id):
            raise SchemaError(_("Onderdeel %(n)s heeft geen geldig id.") % {"n": index + 1})
        unknown = sorted(set(raw) - SECTION_KEYS)
        if unknown:
            raise SchemaError(
                _("Onbekende sleutel(s) in %(where)s: %(keys)s.") % {"where": where, "keys": ", ".join(unknown)}
            )
        title = raw.get("title", "")
        if not isinstance(title, str) or not title.strip():
            raise SchemaError(_("%(where)s heeft een titel nodig.") % {"where": _cap(where)})
        relevant = raw.get("relevant")
        self._expr(relevant, visible, where, allow_current=False)
        raw_questions = raw.get("questions")
        if not isinstance(raw_questions, list):
            raise SchemaError(_("%(where)s heeft een lijst 'questions' nodig.") % {"where": _cap(where)})
        questions = tuple(self._question(q, visible, None, where) for q in raw_questions)
        for q in questions:
            self.section_of[q.id] = section_id
        return Section(
            id=section_id,
            title=title,
            hint=_str(raw.get("hint", ""), where, "hint"),
            relevant=relevant,
            incident_types=self._incident_types(raw, where),
            questions=questions,
            meta=self._meta(raw, where),
        )

    def _question(self, raw: Any, visible: list[str], parent: str | None, where_parent: str) -> Question:
        if not isinstance(raw, Mapping):
            raise SchemaError(_("Een vraag in %(where)s is geen object.") % {"where": where_parent})
        qid = raw.get("id")
        if not isinstance(qid, str) or not ID_RE.fullmatch(qid):
            raise SchemaError(
                _("Een vraag in %(where)s heeft geen geldig id (letters, cijfers en _; niet met een cijfer beginnen).")
                % {"where": where_parent}
            )
        where = _("vraag '%(id)s'") % {"id": qid}
        if qid in RESERVED_IDS:
            raise SchemaError(_("%(where)s: dit id is gereserveerd.") % {"where": _cap(where)})
        if qid in self.questions:
            raise SchemaError(_("%(where)s komt twee keer voor; ids moeten uniek zijn.") % {"where": _cap(where)})
        unknown = sorted(set(raw) - QUESTION_KEYS)
        if unknown:
            raise SchemaError(
                _("Onbekende sleutel(s) in %(where)s: %(keys)s.") % {"where": where, "keys": ", ".join(unknown)}
            )
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            raise SchemaError(
                _("%(where)s heeft een onbekend type '%(type)s'; kies uit %(types)s.")
                % {"where": _cap(where), "type": qtype, "types": ", ".join(QUESTION_TYPES)}
            )
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            raise SchemaError(_("%(where)s heeft een label nodig.") % {"where": _cap(where)})
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise SchemaError(_("%(where)s: 'required' moet true of false zijn.") % {"where": _cap(where)})
        if qtype == "note" and required:
            raise SchemaError(_("%(where)s is een toelichting en kan niet verplicht zijn.") % {"where": _cap(where)})
        relevant = raw.get("relevant")
        self._expr(relevant, visible, where, allow_current=False)
        constraint = raw.get("constraint")
        # A constraint sees the question's own answer as "." and everything before it.
        self._expr(constraint, visible, where, allow_current=True)
        kwargs: dict[str, Any] = {}
        if qtype in ("single", "multiple"):
            kwargs["choices"] = self._choices(raw.get("choices"), where)
        elif "choices" in raw and qtype != "scale":
            raise SchemaError(_("%(where)s: alleen keuzevragen hebben 'choices'.") % {"where": _cap(where)})
        if qtype in ("number", "range", "scale"):
            low, high = raw.get("min"), raw.get("max")
            for key, value in (("min", low), ("max", high)):
                if value is not None and not _is_number(value):
                    raise SchemaError(
                        _("%(where)s: '%(key)s' moet een getal zijn.") % {"where": _cap(where), "key": key}
                    )
            integer = raw.get("integer", qtype == "scale")
            if not isinstance(integer, bool):
                raise SchemaError(_("%(where)s: 'integer' moet true of false zijn.") % {"where": _cap(where)})
            if qtype == "scale":
                choices = self._scale_labels(raw.get("choices"), where)
                kwargs["choices"] = choices
                if low is None:
                    low = int(choices[0][0]) if choices else 1
                if high is None:
                    high = int(choices[-1][0]) if choices else None
                if high is None or not _is_whole(low) or not _is_whole(high):
                    raise SchemaError(
                        _("%(where)s: een schaal heeft een gehele 'min' en 'max' nodig.") % {"where": _cap(where)}
                    )
                integer = True
            if low is not None and high is not None and low > high:
                raise SchemaError(_("%(where)s: 'min' is groter dan 'max'.") % {"where": _cap(where)})
            kwargs.update(min=low, max=high, integer=integer)
        elif "min" in raw or "max" in raw:
            raise SchemaError(
                _("%(where)s: 'min' en 'max' horen bij getal-, bereik- en schaalvragen.") % {"where": _cap(where)}
            )
        if qtype == "text":
            max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
            if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
                raise SchemaError(
                    _("%(where)s: 'max_length' moet een positief geheel getal zijn.") % {"where": _cap(where)}
                )
            kwargs["max_length"] = max_length
            text_input = raw.get("input", "text")
            if text_input not in TEXT_INPUTS:
                raise SchemaError(
                    _("%(where)s: 'input' moet een van %(inputs)s zijn.")
                    % {"where": _cap(where), "inputs": ", ".join(TEXT_INPUTS)}
                )
            kwargs["input"] = text_input
        constraint_message = _str(raw.get("constraint_message", ""), where, "constraint_message")
        children: tuple[Question, ...] = ()
        if qtype == "repeat":
            raw_children = raw.get("children")
            if not isinstance(raw_children, list) or not raw_children:
                raise SchemaError(
                    _("%(where)s is een herhaalgroep en heeft 'children' nodig.") % {"where": _cap(where)}
                )
            # Children see what came before the repeat plus their earlier siblings.
            inner = list(visible)
            children = tuple(self._question(child, inner, qid, where) for child in raw_children)
            for key in ("min_count", "max_count"):
                value = raw.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    raise SchemaError(
                        _("%(where)s: '%(key)s' moet een geheel getal van 0 of meer zijn.")
                        % {"where": _cap(where), "key": key}
                    )
            block = _str(raw.get("block", ""), where, "block")
            if block == "person":
                roles = profiling.roles_for(children).values()
                if "behaviour" not in roles or sum(1 for role in roles if role == "detail") < 2:
                    raise SchemaError(
                        _(
                            "%(where)s is een persoonsblok en heeft een vraag naar gedrag en minstens twee vragen "
                            "naar concrete kenmerken nodig (meta.profiling 'behaviour' en 'detail')."
                        )
                        % {"where": _cap(where)}
                    )
            kwargs.update(
                block=block,
                min_count=raw.get("min_count"),
                max_count=raw.get("max_count"),
            )
        elif "children" in raw:
            raise SchemaError(_("%(where)s: alleen herhaalgroepen hebben 'children'.") % {"where": _cap(where)})
        question = Question(
            id=qid,
            type=qtype,
            label=label,
            hint=_str(raw.get("hint", ""), where, "hint"),
            required=required,
            relevant=relevant,
            constraint=constraint,
            constraint_message=constraint_message,
            meta=self._meta(raw, where),
            incident_types=self._incident_types(raw, where),
            children=children,
            raw=raw,
            **kwargs,
        )
        self.questions[qid] = question
        self.parents[qid] = parent
        visible.append(qid)
        return question

    def _choices(self, raw: Any, where: str) -> tuple[tuple[str, str], ...]:
        if not isinstance(raw, list) or not raw:
            raise SchemaError(_("%(where)s heeft een niet-lege lijst 'choices' nodig.") % {"where": _cap(where)})
        choices: list[tuple[str, str]] = []
        for item in raw:
            if (
                not isinstance(item, list)
                or len(item) not in (2, 3)
                or not isinstance(item[0], str)
                or not isinstance(item[1], str)
                or (len(item) == 3 and not isinstance(item[2], Mapping))
            ):
                raise SchemaError(
                    _("%(where)s: elke keuze is een paar [waarde, label] (met eventueel vertalingen).")
                    % {"where": _cap(where)}
                )
            if not CHOICE_VALUE_RE.fullmatch(item[0]):
                raise SchemaError(
                    _("%(where)s: de keuzewaarde '%(value)s' mag geen spaties bevatten.")
                    % {"where": _cap(where), "value": item[0]}
                )
            choices.append((item[0], item[1]))
        values = [value for value, _label in choices]
        if len(set(values)) != len(values):
            raise SchemaError(_("%(where)s heeft dubbele keuzewaarden.") % {"where": _cap(where)})
        return tuple(choices)

    def _scale_labels(self, raw: Any, where: str) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise SchemaError(_("%(where)s: 'choices' moet een lijst zijn.") % {"where": _cap(where)})
        labels: list[tuple[str, str]] = []
        for item in raw:
            if (
                not isinstance(item, list)
                or len(item) not in (2, 3)
                or not (_is_number(item[0]) and _is_whole(item[0]))
                or not isinstance(item[1], str)
            ):
                raise SchemaError(
                    _("%(where)s: schaallabels zijn paren [geheel getal, label].") % {"where": _cap(where)}
                )
            labels.append((str(int(item[0])), item[1]))
        return tuple(labels)

    def _incident_types(self, raw: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
        value = raw.get("incident_types")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SchemaError(
                _("%(where)s: 'incident_types' moet een lijst met teksten zijn.") % {"where": _cap(where)}
            )
        return tuple(value)

    def _meta(self, raw: Mapping[str, Any], where: str) -> Mapping[str, Any]:
        value = raw.get("meta", {})
        if not isinstance(value, Mapping):
            raise SchemaError(_("%(where)s: 'meta' moet een object zijn.") % {"where": _cap(where)})
        return value

    def _expr(self, expr: Expr, visible: list[str], where: str, *, allow_current: bool) -> None:
        if expr is None or isinstance(expr, str | bool) or _is_number(expr):
            return
        if isinstance(expr, list):
            for item in expr:
                self._expr(item, visible, where, allow_current=allow_current)
            return
        if not isinstance(expr, Mapping) or len(expr) != 1:
            raise SchemaError(
                _("%(where)s: een uitdrukking is een object met precies één operator.") % {"where": _cap(where)}
            )
        ((op, args),) = expr.items()
        if op not in OPERATORS:
            raise SchemaError(
                _("%(where)s: onbekende operator '%(op)s' in een uitdrukking.") % {"where": _cap(where), "op": op}
            )
        if op == "var":
            name = args[0] if isinstance(args, list) and len(args) == 1 else args
            if not isinstance(name, str):
                raise SchemaError(_("%(where)s: 'var' verwacht een vraag-id.") % {"where": _cap(where)})
            if name == ".":
                if not allow_current:
                    raise SchemaError(
                        _("%(where)s: '.' (het eigen antwoord) kan alleen in een controle (constraint).")
                        % {"where": _cap(where)}
                    )
                return
            if name.startswith("context."):
                return
            if name not in visible:
                raise SchemaError(
                    _(
                        "%(where)s: de uitdrukking verwijst naar '%(name)s', maar die vraag staat niet eerder in "
                        "de vragenlijst (alleen eerdere vragen en context.* zijn toegestaan)."
                    )
                    % {"where": _cap(where), "name": name}
                )
            return
        arity = {"==": (2,), "!=": (2,), "<": (2, 3), "<=": (2, 3), ">": (2, 3), ">=": (2, 3), "in": (2,)}
        if op in arity:
            if not isinstance(args, list) or len(args) not in arity[op]:
                raise SchemaError(
                    _("%(where)s: operator '%(op)s' heeft het verkeerde aantal argumenten.")
                    % {"where": _cap(where), "op": op}
                )
        elif op in ("and", "or"):
            if not isinstance(args, list) or not args:
                raise SchemaError(
                    _("%(where)s: operator '%(op)s' verwacht een lijst.") % {"where": _cap(where), "op": op}
                )
        elif isinstance(args, list) and len(args) != 1:
            raise SchemaError(
                _("%(where)s: operator '%(op)s' verwacht één argument.") % {"where": _cap(where), "op": op}
            )
        self._expr(args, visible, where, allow_current=allow_current)


def _cap(text: str) -> str:
    # Not str.capitalize(): that would lower-case the rest, ids included.
    return text[:1].upper() + text[1:]


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise SchemaError(_("%(where)s: '%(key)s' moet tekst zijn.") % {"where": _cap(where), "key": key})
    return value


def parse(schema: Mapping[str, Any]) -> Schema:
    """Check a schema and return its parsed form; raises SchemaError (Dutch) naming the culprit."""
    return _Parser().parse(schema)


# --------------------------------------------------------------------------------------------
# Expressions


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values, with booleans distinct from numbers (as in JavaScript's ===)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is None and b is None


def truthy(value: Any) -> bool:
    """JSON-logic truthiness: null, false, 0, "", [] and {} are false (unlike JavaScript's [] and {})."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float | str | list | dict):
        return bool(value)
    return True


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return BLANK_RE.fullmatch(value) is not None
    if isinstance(value, list | dict):
        return len(value) == 0
    return False


def _equal(a: Any, b: Any) -> bool:
    """`==` of expressions: JSON equality, except that a select-multiple answer (a list of values)
    compared with a text is compared as XPath does, as its values joined by spaces: in an XLSForm
    `${multi} = 'x'` means "exactly x chosen"."""
    if isinstance(a, list) and isinstance(b, str):
        a, b = b, a
    if isinstance(a, str) and isinstance(b, list) and all(isinstance(item, str) for item in b):
        return a == " ".join(b)
    return json_equal(a, b)


def _compare(op: str, a: Any, b: Any) -> bool:
    both_numbers = _is_number(a) and _is_number(b)
    both_strings = isinstance(a, str) and isinstance(b, str)
    if not (both_numbers or both_strings):
        return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _lookup(name: str, scopes: list[Mapping[str, Any]], context: Mapping[str, Any], current: Any) -> Any:
    if name == ".":
        return current
    if name.startswith("context."):
        value: Any = context
        for part in name.split(".")[1:]:
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value
    for scope in scopes:
        if name in scope:
            return scope[name]
    return None


def _eval(expr: Expr, scopes: list[Mapping[str, Any]], context: Mapping[str, Any], current: Any = None) -> Any:
    if expr is None or isinstance(expr, str | bool | int | float):
        return expr
    if isinstance(expr, list):
        return [_eval(item, scopes, context, current) for item in expr]
    if not isinstance(expr, Mapping) or len(expr) != 1:
        raise SchemaError(_("Ongeldige uitdrukking."))
    ((op, args),) = expr.items()
    if op == "var":
        name = args[0] if isinstance(args, list) else args
        return _lookup(str(name), scopes, context, current)
    if op in ("and", "or"):
        items = args if isinstance(args, list) else [args]
        if op == "and":
            return all(truthy(_eval(item, scopes, context, current)) for item in items)
        return any(truthy(_eval(item, scopes, context, current)) for item in items)
    values = (
        [_eval(item, scopes, context, current) for item in args]
        if isinstance(args, list)
        else [_eval(args, scopes, context, current)]
    )
    if op == "==":
        return _equal(values[0], values[1])
    if op == "!=":
        return not _equal(values[0], values[1])
    if op in ("<", "<=", ">", ">="):
        if len(values) == 3:
            return _compare(op, values[0], values[1]) and _compare(op, values[1], values[2])
        return _compare(op, values[0], values[1])
    if op == "not":
        return not truthy(values[0])
    if op == "in":
        needle, haystack = values
        if isinstance(haystack, list):
            return any(json_equal(needle, item) for item in haystack)
        if isinstance(haystack, str) and isinstance(needle, str):
            return needle in haystack
        return False
    if op == "count":
        return len(values[0]) if isinstance(values[0], list) else 0
    if op == "empty":
        return is_empty(values[0])
    raise SchemaError(_("Onbekende operator '%(op)s'.") % {"op": op})


def evaluate(expr: Expr, answers: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> bool:
    """Evaluate an expression against answers and context; None (no condition) is true."""
    if expr is None:
        return True
    scope = answers if isinstance(answers, Mapping) else {}
    return truthy(_eval(expr, [scope], context if isinstance(context, Mapping) else {}))


# --------------------------------------------------------------------------------------------
# Value checks


def format_number(value: float) -> str:
    """Numbers in messages, written the Dutch way and identically in engine.js."""
    if _is_whole(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value)).replace(".", ",")


def _valid_date(value: str) -> bool:
    match = DATE_RE.fullmatch(value)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12 or year < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days


def _number_errors(value: Any, q: Question) -> list[str]:
    if not _is_number(value):
        return [_("Vul een getal in.")]
    if q.integer and not _is_whole(value):
        return [_("Vul een heel getal in.")]
    if q.min is not None and value < q.min:
        return [_("Vul een getal van minstens %(min)s in.") % {"min": format_number(q.min)}]
    if q.max is not None and value > q.max:
        return [_("Vul een getal van hoogstens %(max)s in.") % {"max": format_number(q.max)}]
    return []


def _value_errors(q: Question, value: Any) -> list[str]:
    """Type and bounds of one non-empty answer."""
    if q.type == "single":
        if not isinstance(value, str) or value not in q.choice_values:
            return [_("Kies een van de gegeven antwoorden.")]
    elif q.type == "multiple":
        if (
            not isinstance(value, list)
            or not all(isinstance(v, str) and v in q.choice_values for v in value)
            or len(set(value)) != len(value)
        ):
            return [_("Kies alleen uit de gegeven antwoorden, elk hoogstens één keer.")]
    elif q.type == "text":
        if not isinstance(value, str):
            return [_("Vul tekst in.")]
        if len(value) > q.max_length:
            return [_("Gebruik hoogstens %(max)s tekens.") % {"max": format_number(q.max_length)}]
        if q.input == "email" and not EMAIL_RE.fullmatch(value):
            return [_("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")]
        if q.input == "tel" and not TEL_RE.fullmatch(value):
            return [_("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678.")]
    elif q.type in ("number", "scale"):
        low = q.min if q.min is not None else 1
        high = q.max if q.max is not None else low
        if q.type == "scale" and not (_is_number(value) and _is_whole(value) and low <= value <= high):
            return [
                _("Kies een waarde van %(min)s tot en met %(max)s.")
                % {"min": format_number(low), "max": format_number(high)}
            ]
        return _number_errors(value, q)
    elif q.type == "range":
        if (
            not isinstance(value, dict)
            or set(value) != {"min", "max"}
            or not _is_number(value["min"])
            or not _is_number(value["max"])
        ):
            return [_("Vul twee getallen in: van en tot en met.")]
        if value["min"] > value["max"]:
            return [_("Het getal bij 'van' is hoger dan bij 'tot en met'. Pas een van de twee aan.")]
        return _number_errors(value["min"], q) or _number_errors(value["max"], q)
    elif q.type == "time":
        if not isinstance(value, str) or not TIME_RE.fullmatch(value):
            return [_("Vul een tijd in met vier cijfers, bijvoorbeeld 09:30 of 21:30.")]
    elif q.type == "date":
        if not isinstance(value, str) or not _valid_date(value):
            return [_("Vul een datum in als jaar-maand-dag, bijvoorbeeld 2026-03-01.")]
    elif q.type == "point" and (
        not isinstance(value, dict)
        or not {"lat", "lon"} <= set(value) <= {"lat", "lon", "accuracy"}
        or not _is_number(value["lat"])
        or not _is_number(value["lon"])
        or not -90 <= value["lat"] <= 90
        or not -180 <= value["lon"] <= 180
        or ("accuracy" in value and not (_is_number(value["accuracy"]) and value["accuracy"] >= 0))
    ):
        return [_("Kies een punt op de kaart.")]
    return []


# --------------------------------------------------------------------------------------------
# The walk


@dataclass
class _Result:
    cleaned: Answers
    errors: Errors
    relevant: list[str]
    # Schema meta "origin_label_check": "all_text" extends the origin-label check from person
    # blocks to every free-text answer (the canvass questionnaire sets it).
    origin_labels_everywhere: bool = False


def _question_relevant(q: Question, scopes: list[Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    if q.incident_types is not None and context.get("incident_type") not in q.incident_types:
        return False
    return q.relevant is None or truthy(_eval(q.relevant, scopes, context))


def _section_relevant(section: Section, scopes: list[Mapping[str, Any]], context: Mapping[str, Any]) -> bool:
    if section.incident_types is not None and context.get("incident_type") not in section.incident_types:
        return False
    return section.relevant is None or truthy(_eval(section.relevant, scopes, context))


def _add(errors: Errors, path: str, messages: list[str]) -> None:
    if messages:
        errors.setdefault(path, []).extend(messages)


def _walk_questions(
    questions: Iterable[Question],
    raw: Mapping[str, Any],
    outer: list[Mapping[str, Any]],
    context: Mapping[str, Any],
    prefix: str,
    result: _Result,
    out: Answers,
    *,
    in_person: bool = False,
) -> None:
    # `out` is this level's cleaned answers; expressions see it first, then the enclosing levels.
    scopes: list[Mapping[str, Any]] = [out, *outer]
    for q in questions:
        if not _question_relevant(q, scopes, context):
            continue
        path = prefix + q.id
        result.relevant.append(path)
        if q.type == "note":
            continue
        value = raw.get(q.id)
        if value is None:
            if q.required:
                _add(result.errors, path, [required_message(q)])
            continue
        if q.type == "repeat":
            out[q.id] = _walk_repeat(q, value, scopes, context, path, result, in_person=in_person)
            continue
        out[q.id] = value
        if is_empty(value):
            if q.required:
                _add(result.errors, path, [required_message(q)])
            continue
        messages = _value_errors(q, value)
        if not messages and q.constraint is not None and not truthy(_eval(q.constraint, scopes, context, value)):
            messages = [q.constraint_message or _("Dit antwoord past niet bij de vraag. Pas het aan.")]
        if not messages and q.type == "text" and result.origin_labels_everywhere and not in_person:
            messages = [profiling.origin_label_message(label) for label in profiling.find_origin_labels(value)]
        _add(result.errors, path, messages)


def required_message(q: Question) -> str:
    """What to do about an unanswered required question, by its type ("Kies een antwoord."), not the bare
    "Dit veld is verplicht.": the label says which question, this says how to answer it (B1 wording)."""
    messages = {
        "single": _("Kies een antwoord."),
        "scale": _("Kies een antwoord."),
        "multiple": _("Kies minstens één antwoord."),
        "number": _("Vul een getal in."),
        "range": _("Vul twee getallen in: van en tot en met."),
        "time": _("Vul een tijd in, bijvoorbeeld 21:30."),
        "date": _("Vul een datum in, bijvoorbeeld 2026-03-01."),
        "point": _("Kies een punt op de kaart."),
        "repeat": _("Voeg er minstens één toe."),
    }
    return messages.get(q.type, _("Vul hier uw antwoord in."))


def _walk_repeat(
    q: Question,
    value: Any,
    scopes: list[Mapping[str, Any]],
    context: Mapping[str, Any],
    path: str,
    result: _Result,
    *,
    in_person: bool,
) -> Any:
    if not isinstance(value, list):
        _add(result.errors, path, [_("Ongeldige lijst.")])
        return value
    if q.required and not value:
        _add(result.errors, path, [required_message(q)])
    elif q.min_count is not None and len(value) < q.min_count:
        _add(result.errors, path, [_("Voeg er minstens %(min)s toe.") % {"min": format_number(q.min_count)}])
    if q.max_count is not None and len(value) > q.max_count:
        too_many = _("Haal er een paar weg: er mogen er hoogstens %(max)s zijn.")
        _add(result.errors, path, [too_many % {"max": format_number(q.max_count)}])
    blocks: list[Any] = []
    for index, item in enumerate(value):
        item_path = f"{path}.{index}"
        if not isinstance(item, dict):
            _add(result.errors, item_path, [_("Ongeldig blok.")])
            blocks.append(item)
            continue
        block: Answers = {}
        _walk_questions(
            q.children,
            item,
            scopes,
            context,
            item_path + ".",
            result,
            block,
            in_person=in_person or q.block == "person",
        )
        if q.block == "person":
            for field_id, messages in profiling.person_block_errors(block, q.children).items():
                _add(result.errors, f"{item_path}.{field_id}" if field_id else item_path, messages)
        blocks.append(block)
    return blocks


def _run(schema: SchemaLike, answers: Any, context: Any) -> _Result:
    parsed = as_schema(schema)
    result = _Result(
        cleaned={}, errors={}, relevant=[], origin_labels_everywhere=parsed.meta.get("origin_label_check") == "all_text"
    )
    if not isinstance(answers, Mapping):
        result.errors[ALL_KEY] = [_("De antwoorden moeten een JSON-object zijn.")]
        answers = {}
    ctx = context if isinstance(context, Mapping) else {}
    for section in parsed.sections:
        if not _section_relevant(section, [result.cleaned], ctx):
            continue
        _walk_questions(section.questions, answers, [], ctx, "", result, result.cleaned)
    return result


def relevant_ids(schema: SchemaLike, answers: Any, context: Any = None) -> set[str]:
    """Ids of the questions shown for these answers; inside repeats as paths ("persons.0.gender")."""
    return set(_run(schema, answers, context).relevant)


def relevant_section_ids(schema: SchemaLike, answers: Any, context: Any = None) -> list[str]:
    """Sections shown for these answers, in order (a section with no relevant question is left out)."""
    parsed = as_schema(schema)
    shown = relevant_ids(parsed, answers, context)
    return [s.id for s in parsed.sections if any(q.id in shown for q in s.questions)]


def validate(schema: SchemaLike, answers: Any, context: Any = None) -> Errors:
    """Dutch error messages per answer path; empty when the answers are complete and valid."""
    return _run(schema, answers, context).errors


def clean(schema: SchemaLike, answers: Any, context: Any = None) -> Answers:
    """The answers without those to irrelevant or unknown questions (and without nulls)."""
    return _run(schema, answers, context).cleaned


def check(schema: SchemaLike, answers: Any, context: Any = None) -> tuple[Answers, Errors]:
    """clean() and validate() in one walk."""
    result = _run(schema, answers, context)
    return result.cleaned, result.errors
