"""A small XPath 1.0 evaluator, written for the tests only, independent of xlsform.py's translator.

It evaluates the XPath that pyxform hands to ODK Collect (`${name}`, `../name`, `.`) with XPath's own
rules: every answer is a text node (a select-multiple its values joined by spaces, an empty answer
""), `=` between a node and a number compares numbers, `<` always compares numbers, `selected()`
splits on spaces. The corpus test compares what it says with what the engine says about the
translated expression.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[^}]+\})|(?P<path>(?:\.\./)+[A-Za-z_][\w.-]*|/[A-Za-z_][\w.-]*(?:/[A-Za-z_][\w.-]*)+)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")|(?P<number>\d+(?:\.\d+)?|\.\d+)|(?P<op>!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*)"
    r"|(?P<dot>\.)|(?P<name>[A-Za-z][\w:-]*))"
)


class Node(str):
    """The text value of a referenced answer (so comparisons know it came from a node)."""


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return math.nan


def _boolean(value: Any) -> bool:
    if isinstance(value, Node):
        return True  # a node-set with one node
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value != 0 and not math.isnan(value))
    return bool(value != "")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return _boolean(a) == _boolean(b)
    if isinstance(a, int | float) or isinstance(b, int | float):
        return _number(a) == _number(b)
    return str(a) == str(b)


class Oracle:
    def __init__(self, text: str, values: Mapping[str, str], current: str = "") -> None:
        self.tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in _TOKEN.finditer(text) if m.lastgroup]
        self.pos = 0
        self.values = values
        self.current = current

    def peek(self) -> tuple[str | None, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, "")

    def take(self) -> tuple[str | None, str]:
        token = self.peek()
        self.pos += 1
        return token

    def run(self) -> bool:
        value = self.or_()
        assert self.pos == len(self.tokens), self.tokens[self.pos :]
        return _boolean(value)

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("name", "or"):
            self.take()
            right = self.and_()
            value = _boolean(value) or _boolean(right)
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.peek() == ("name", "and"):
            self.take()
            right = self.equality()
            value = _boolean(value) and _boolean(right)
        return value

    def equality(self) -> Any:
        value = self.relational()
        while self.peek() in (("op", "="), ("op", "!=")):
            op = self.take()[1]
            right = self.relational()
            value = _equal(value, right) if op == "=" else not _equal(value, right)
        return value

    def relational(self) -> Any:
        value = self.additive()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">="):
            op = self.take()[1]
            a, b = _number(value), _number(self.additive())
            value = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return value

    def additive(self) -> Any:
        value = self.primary()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-", "*"):
            op = self.take()[1]
            a, b = _number(value), _number(self.primary())
            value = a + b if op == "+" else a - b if op == "-" else a * b
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "ref":
            return Node(self.values.get(text[2:-1], ""))
        if kind == "path":
            return Node(self.values.get(text.rsplit("/", 1)[1], ""))
        if kind == "dot":
            return Node(self.values.get(self.current, ""))
        if kind == "string":
            return text[1:-1]
        if kind == "number":
            return float(text)
        if (kind, text) == ("op", "-"):
            return -_number(self.primary())
        if (kind, text) == ("op", "("):
            value = self.or_()
            assert self.take() == ("op", ")")
            return value
        assert kind == "name", (kind, text)
        assert self.take() == ("op", "(")
        args: list[Any] = []
        if self.peek() != ("op", ")"):
            args.append(self.or_())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.or_())
        assert self.take() == ("op", ")")
        return FUNCTIONS[text](*args)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "true": lambda: True,
    "false": lambda: False,
    "not": lambda value: not _boolean(value),
    "selected": lambda node, value: str(value) in str(node).split(),
    "count-selected": lambda node: float(len(str(node).split())),
    "contains": lambda haystack, needle: str(needle) in str(haystack),
    "string-length": lambda value: float(len(str(value))),
    "if": lambda condition, yes, no: yes if _boolean(condition) else no,
    "regex": lambda value, pattern: re.search(str(pattern), str(value)) is not None,
}


def xpath_true(text: str, values: Mapping[str, str], current: str = "") -> bool:
    return Oracle(text, values, current).run()
