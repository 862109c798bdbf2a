"""Kenteken (licence plate) matching for partial plates seen by witnesses.

Witnesses rarely read a whole plate. The questionnaire asks them to write an unknown character as
`*` (we also accept `.`, `?`, `_` and `…`), so "XJ-..-4" means: first group XJ, a middle group not
read, last group 4. Rules:

- Dashes separate groups. A group of only unknown marks means "a group I could not read", of any
  length: witnesses count dots loosely. Inside a group every unknown mark is exactly one character.
  Groups are compared one by one; when that fails the characters in order still decide, because
  witnesses also put the dashes loosely ("FD-..-K" fits FDK-12-K).
- A partial plate without dashes and without unknown marks ("XJ") is a fragment: it matches any
  plate that contains it.
- Two complete plates that differ only in characters that are easy to confuse (0/O/D, 1/I, 8/B,
  5/S, 2/Z, 6/G) are "similar", not a conflict: one witness may have misread.
"""

from __future__ import annotations

import re
from enum import StrEnum

UNKNOWN = "?"
_UNKNOWN_MARKS = str.maketrans({"*": UNKNOWN, ".": UNKNOWN, "_": UNKNOWN, "…": UNKNOWN + UNKNOWN})
_DASHES = re.compile(r"[\s\u2010-\u2015/]+|-+")
_ALLOWED = re.compile(r"[^A-Z0-9?\-]")
_CONFUSABLE = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2", "G": "6"})


class PlateMatch(StrEnum):
    EXACT = "exact"  # the same complete plate
    PARTIAL = "partial"  # a partial plate that fits the other one
    SIMILAR = "similar"  # complete plates that differ only in easily confused characters
    CONFLICT = "conflict"  # cannot be the same plate
    UNKNOWN = "unknown"  # too little to say either way


def normalise(raw: str) -> str:
    """Upper case, unknown marks as '?', groups separated by single dashes."""
    text = (raw or "").strip().upper().translate(_UNKNOWN_MARKS)
    text = _DASHES.sub("-", text)
    text = _ALLOWED.sub("", text)
    return "-".join(group for group in text.split("-") if group)


def groups(plate: str) -> list[str]:
    return [g for g in normalise(plate).split("-") if g]


def is_complete(plate: str) -> bool:
    norm = normalise(plate)
    # Dutch plates have six characters; shorter readings without unknown marks are fragments.
    return bool(norm) and UNKNOWN not in norm and len(norm.replace("-", "")) >= 6


def display(plate: str) -> str:
    """As shown in reports: unknown characters as dots (XJ-..-4)."""
    return normalise(plate).replace(UNKNOWN, ".")


def known_characters(plate: str) -> int:
    return sum(1 for ch in normalise(plate) if ch not in "-" + UNKNOWN)


def _group_regex(group: str) -> str:
    if set(group) == {UNKNOWN}:
        return "[A-Z0-9]+"
    return "".join("[A-Z0-9]" if ch == UNKNOWN else re.escape(ch) for ch in group)


def _pattern(partial: str) -> re.Pattern[str]:
    """A regular expression over a dashless plate that the partial plate describes."""
    parts = groups(partial)
    if len(parts) == 1 and UNKNOWN not in parts[0]:
        # A bare fragment such as "XJ": anywhere in the plate.
        return re.compile(re.escape(parts[0]))
    return re.compile("^" + "".join(_group_regex(g) for g in parts) + "$")


def _groups_compatible(a: list[str], b: list[str]) -> bool:
    for ga, gb in zip(a, b, strict=True):
        if set(ga) == {UNKNOWN} or set(gb) == {UNKNOWN}:
            continue
        if len(ga) != len(gb):
            return False
        if any(x != y and UNKNOWN not in (x, y) for x, y in zip(ga, gb, strict=True)):
            return False
    return True


def fits(partial: str, full: str) -> bool:
    """Could `full` be the plate the witness partly read as `partial`?"""
    pg, fg = groups(partial), groups(full)
    if not pg or not fg:
        return False
    if len(pg) > 1 and len(pg) == len(fg) and _groups_compatible(pg, fg):
        return True
    # Witnesses put dashes loosely ("FD-..-K" for FDK-12-K): the characters in order decide.
    return bool(_pattern(partial).search("".join(fg)))


def match(a: str, b: str) -> PlateMatch:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return PlateMatch.UNKNOWN
    complete_a, complete_b = is_complete(na), is_complete(nb)
    flat_a, flat_b = na.replace("-", ""), nb.replace("-", "")
    if complete_a and complete_b:
        if flat_a == flat_b:
            return PlateMatch.EXACT
        if flat_a.translate(_CONFUSABLE) == flat_b.translate(_CONFUSABLE):
            return PlateMatch.SIMILAR
        return PlateMatch.CONFLICT
    if complete_a or complete_b:
        partial, full = (nb, na) if complete_a else (na, nb)
        return PlateMatch.PARTIAL if fits(partial, full) else PlateMatch.CONFLICT
    # Two partial plates.
    ga, gb = groups(na), groups(nb)
    if len(ga) > 1 and len(ga) == len(gb):
        if _groups_compatible(ga, gb):
            return PlateMatch.PARTIAL
        # A group of the same length with different known characters is a real difference; groups of
        # different lengths may just be dashes put elsewhere, so they say nothing.
        for x, y in zip(ga, gb, strict=True):
            if len(x) == len(y) and any(p != q and UNKNOWN not in (p, q) for p, q in zip(x, y, strict=True)):
                return PlateMatch.CONFLICT
        return PlateMatch.UNKNOWN
    if UNKNOWN not in na and UNKNOWN not in nb and (flat_a in flat_b or flat_b in flat_a):
        return PlateMatch.PARTIAL
    if len(ga) == 1 and UNKNOWN not in na and fits(na, nb.replace(UNKNOWN, "")):
        return PlateMatch.PARTIAL
    return PlateMatch.UNKNOWN


def compatible(a: str, b: str) -> bool:
    return match(a, b) in (PlateMatch.EXACT, PlateMatch.PARTIAL, PlateMatch.SIMILAR)


def best_reading(plates: list[str]) -> str:
    """The most complete of several readings of one plate: complete beats partial, then most characters."""
    if not plates:
        return ""
    return max(plates, key=lambda p: (is_complete(p), known_characters(p), -len(normalise(p))))
