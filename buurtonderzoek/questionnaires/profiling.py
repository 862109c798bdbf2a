"""Anti-profiling checks for person descriptions (DOMAIN.md section 4).

A person block is acceptable only when it
1. describes a behaviour first (what did the person do?),
2. has at least two concrete details from clothing, marks, build/length, hair or objects, so that a
   description of only gender, age and skin colour is refused, and
3. contains no vague origin label ("Oost-Europees type", "buitenlands", "allochtoon"...) in any
   free-text answer.

Which field plays which part comes from the question's `meta.profiling`
(`behaviour`, `detail`, `basic`, `appearance`, `language`, `other`); questions without it fall back
to the ids of the standard questionnaire (DEFAULT_ROLES). The word lists of rule 3 are one file,
static/js/questionnaire/profiling-rules.json, read here and by static/js/questionnaire/engine.js; the
other rules and the messages are ported line by line, and the shared cases, the corpus
(tests/profiling_corpus.json) and the browser test keep Python and JavaScript equal.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from buurtonderzoek.questionnaires.engine import Question

ROLES = ("behaviour", "detail", "basic", "appearance", "language", "other")

DEFAULT_ROLES: dict[str, str] = {
    "behaviour": "behaviour",
    "gender": "basic",
    "age_range": "basic",
    "height": "detail",
    "build": "detail",
    "hair_colour": "detail",
    "hair_length": "detail",
    "hair_style": "detail",
    "facial_hair": "detail",
    "glasses": "detail",
    "face_covering": "detail",
    "notable_features": "detail",
    "headwear": "detail",
    "top_type": "detail",
    "top_colour": "detail",
    "top_brand": "detail",
    "top_print": "detail",
    "trousers": "detail",
    "shoes": "detail",
    "bag": "detail",
    "marks": "detail",
    "gait": "detail",
    "objects": "detail",
    "appearance": "appearance",
    "language": "language",
}

# Answers that say nothing about the person (after normalise()).
NON_INFORMATIVE = frozenset(
    {
        "",
        "onbekend",
        "weet niet",
        "weet_niet",
        "geen",
        "nee",
        "niet gezien",
        "niet gezien.",
        "niks",
        "niets",
        "geen idee",
        "normaal",
        "gewoon",
        "n v t",
        "nvt",
    }
)

# The origin-label rule has one source, shipped to the phone as well: profiling-rules.json next to
# engine.js, which builds the same regular expressions from it (docs/anti-profiling.md).
RULES_FILE = Path(__file__).resolve().parents[2] / "static" / "js" / "questionnaire" / "profiling-rules.json"
RULES: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))


def _words(key: str) -> str:
    """An alternation of the words in one list, longest first; a space matches ' ', '-' or nothing."""
    words = sorted(set(RULES[key]), key=lambda w: (-len(w), w))
    return "(" + "|".join(w.replace(" ", "[ -]?") for w in words) + ")"


_START, _END = "(^|[ -])", "(?=[ -]|$)"
_ORIGIN, _VAGUE, _NOUN = _words("origin_words"), _words("vague_words"), _words("appearance_nouns")
_LABEL = f"({_ORIGIN}|{_VAGUE})"
# Refused in every field, the language field too: appearance phrases and labels for groups of people.
ORIGIN_PATTERNS: tuple[str, ...] = (
    f"{_START}{_LABEL}[ -]{_NOUN}{_END}",  # "Oost-Europees type", "niet-Nederlands uiterlijk", "getinte trekken"
    f"{_START}{_NOUN}[ -]{_LABEL}{_END}",  # "uiterlijk: Marokkaans", "type getint"
    f"{_START}{_words('always_refused')}{_END}",  # "allochtoon", "van buitenlandse afkomst"
    # A bare origin word, outside the language field, once the fair phrases below are taken out.
    f"{_START}{_ORIGIN}{_END}",
)
# Fair phrases: an origin word about a thing ("Turkse vlag", "Duitse herder") or about speech
# ("sprak Turks", "Pools accent"). Removed before the bare-word check, never before the others.
FAIR_PATTERNS: tuple[str, ...] = (
    f"{_START}{_ORIGIN}[ -]{_words('thing_nouns')}{_END}",
    f"{_START}{_words('speech_before')}([ -]{_words('speech_between')})?[ -]{_ORIGIN}{_END}",
    f"{_START}{_ORIGIN}[ -]{_words('speech_after')}{_END}",
)
_COMPILED = tuple(re.compile(p) for p in ORIGIN_PATTERNS)
_FAIR = tuple(re.compile(p) for p in FAIR_PATTERNS)
_BARE = _COMPILED[3]

_NOT_ALLOWED_CHARS = re.compile(r"[^a-z0-9-]+")
_SPACES = re.compile(r" +")
_LETTERS = re.compile(r"[a-z]")


def normalise(text: str) -> str:
    """Lower case, accents removed, anything but a-z 0-9 and '-' turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f")
    lowered = stripped.lower()
    return _SPACES.sub(" ", _NOT_ALLOWED_CHARS.sub(" ", lowered)).strip(" ")


def find_origin_labels(text: str, *, language_field: bool = False) -> list[str]:
    """The vague origin labels in a text, as normalised phrases (empty list when none).

    In the language/accent field a language or accent may be named ("Turks", "Pools accent"), so
    bare origin words count only in the other fields.
    """
    norm = normalise(text)
    found: list[str] = []
    for pattern in _COMPILED[:3]:
        norm = _take(pattern, norm, found)
    if not language_field:
        for fair in _FAIR:
            norm = fair.sub(" ", norm)
        _take(_BARE, norm, found)
    return found


def _take(pattern: re.Pattern[str], text: str, found: list[str]) -> str:
    """Add every phrase the pattern finds; return the text without them, so no word is reported twice."""
    for match in pattern.finditer(text):
        phrase = match.group(0).strip(" -")
        if phrase not in found:
            found.append(phrase)
    return pattern.sub(" ", text)


def origin_label_message(label: str) -> str:
    return _(
        "“%(label)s” is een vage aanduiding van afkomst. Beschrijf wat u zag (gedrag, kleding, haar, "
        "postuur, opvallende kenmerken) in plaats van waar iemand vandaan zou komen: zulke labels passen op "
        "hele groepen onschuldige mensen en helpen de politie niet."
    ) % {"label": label}


def is_informative(value: Any) -> bool:
    """Does an answer say something concrete about the person?"""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        norm = normalise(value)
        return norm not in NON_INFORMATIVE and len(_LETTERS.findall(norm)) >= 2
    if isinstance(value, list):
        return any(is_informative(v) for v in value)
    if isinstance(value, dict):
        # A range or point: informative when it has at least one number.
        return any(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values())
    return False


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def roles_for(children: Iterable[Question] | None) -> dict[str, str]:
    if children is None:
        return dict(DEFAULT_ROLES)
    roles: dict[str, str] = {}
    for child in children:
        role = child.meta.get("profiling") if isinstance(child.meta, Mapping) else None
        roles[child.id] = role if role in ROLES else DEFAULT_ROLES.get(child.id, "other")
    return roles


def person_block_errors(block: Mapping[str, Any], children: Iterable[Question] | None = None) -> dict[str, list[str]]:
    """Reasons (Dutch) per field id; the key "" holds reasons about the block as a whole."""
    roles = roles_for(children)
    errors: dict[str, list[str]] = {}
    behaviour_fields = [fid for fid, role in roles.items() if role == "behaviour"]
    if behaviour_fields and not any(is_informative(block.get(fid)) for fid in behaviour_fields):
        errors.setdefault(behaviour_fields[0], []).append(
            _("Beschrijf eerst wat de persoon deed (gedrag). Een signalement begint bij gedrag, niet bij uiterlijk.")
        )
    details = sum(1 for fid, role in roles.items() if role == "detail" and is_informative(block.get(fid)))
    if details < 2:
        errors.setdefault("", []).append(
            _(
                "Geef minstens twee concrete kenmerken: kleding, opvallende kenmerken, postuur of lengte, haar, "
                "of voorwerpen die de persoon bij zich had. Alleen geslacht, leeftijd en huidskleur is niet "
                "genoeg: zo'n beschrijving past op te veel onschuldige mensen."
            )
        )
        for fid, role in roles.items():
            if role == "appearance" and is_informative(block.get(fid)):
                errors.setdefault(fid, []).append(
                    _("Huidskleur of uiterlijk legt u alleen vast samen met minstens twee andere concrete kenmerken.")
                )
    for fid, value in block.items():
        labels: list[str] = []
        for text in _strings(value):
            for label in find_origin_labels(text, language_field=roles.get(fid) == "language"):
                if label not in labels:
                    labels.append(label)
        for label in labels:
            errors.setdefault(fid, []).append(origin_label_message(label))
    return errors


def check_person_block(block: Mapping[str, Any], children: Iterable[Question] | None = None) -> list[str]:
    """All reasons (Dutch) why a person block may not be saved; empty when acceptable."""
    if not isinstance(block, Mapping):
        return [_("Ongeldig blok.")]
    return [message for messages in person_block_errors(block, children).values() for message in messages]
