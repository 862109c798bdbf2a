"""Anti-profiling checks for person descriptions (DOMAIN.md section 4).

A person block is acceptable only when it
1. describes a behaviour first (what did the person do?),
2. has at least two concrete details from clothing, marks, build/length, hair or objects, so that a
   description of only gender, age and skin colour is refused, and
3. contains no vague origin label ("Oost-Europees type", "buitenlands", "allochtoon"...) in any
   free-text answer.

Which field plays which part comes from the question's `meta.profiling`
(`behaviour`, `detail`, `basic`, `appearance`, `language`, `other`); questions without it fall back
to the ids of the standard questionnaire (DEFAULT_ROLES). The same rules, word lists and messages live
in static/js/questionnaire/engine.js; the shared test cases and the browser test keep them equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
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

# Regular expressions over normalise()d text (lower case, no accents, only a-z 0-9 - and single
# spaces). Written with plain constructs only, so Python and JavaScript read them the same way.
_ORIGIN_ADJ = (
    "(oost[ -]?europe(es|se)|west[ -]?europe(es|se)|zuid[ -]?europe(es|se)|noord[ -]?afrika(ans|anse)|"
    "afrika(ans|anse)|zuid[ -]?amerika(ans|anse)|latijns[ -]?amerika(ans|anse)|midden[ -]?oosters(e)?|"
    "oosters(e)?|arabisch(e)?|aziatisch(e)?|marokka(ans|anse)|turk(s|se)|antillia(ans|anse)|"
    "surina(ams|amse)|roeme(ens|ense)|bulga(ars|arse)|pool(s|se)|joego[ -]?slavisch(e)?|balkan|"
    "mediterra(an|ne)|zuidelijk(e)?|zuidlands(e)?|buitenlands(e)?|allochto(o|on|ne)|islamitisch(e)?|"
    "moslim|joods(e)?|zigeuner)"
)
_APPEARANCE_NOUN = (
    "(type|types|uiterlijk|voorkomen|afkomst|achtergrond|origine|herkomst|komaf|trekken|"
    "gelaatstrekken|ogend|ogende|uitziend|uitziende|kop|smoel|look)"
)
ORIGIN_PATTERNS: tuple[str, ...] = (
    # "Oost-Europees type", "Noord-Afrikaans uiterlijk", "van Marokkaanse afkomst"
    f"(^| ){_ORIGIN_ADJ} {_APPEARANCE_NOUN}( |$)",
    # "getint type", "donker type": a vague label, unlike "donkere huid" (an appearance detail).
    "(^| )(getint(e)?|donker(e)?|exotisch(e)?) (type|types|uiterlijk|voorkomen)( |$)",
    # Group labels that are never an observation.
    "(^| )(allochto(o|on|ne|nen)|buitenlander(s)?|zigeuner(s|tje)?|woonwagenbewoner(s)?|kampbewoner(s)?|"
    "nafri(s)?|mocro(s)?|oostblokker(s)?|asielzoeker(s)?|gelukzoeker(s)?|illegaal|illegale|illegalen)( |$)",
    # Demonyms: nationality or descent guessed from someone's looks.
    "(^| )(marok(kaan|kanen|kaantje|kaantjes)|turk(en)?|antilli(aan|anen)|surinamer(s)?|roeme(en|nen)|"
    "bulga(ar|ren)|noord[ -]?afrik(aan|anen)|oost[ -]?europe(aan|anen|aantje)|arabier(en)?|afrik(aan|anen)|"
    "aziaat|aziaten|oosterling(en)?|zuidlander(s)?|allochtoontje)( |$)",
    # "buitenlands(e)" / "allochtone" on their own; "buitenlands accent" or "-taal" is an observation.
    "(^| )(buitenlands(e)?|allochtone|zigeunerachtig(e)?)( (?!accent|taal|kenteken|sprekend)[a-z-]+|$)",
    # English, for forms filled in English.
    "(^| )(eastern european|north african|middle eastern|arab|foreign|gypsy|exotic)"
    "( |-)(looking|type|appearance|origin|descent)( |$)",
    "(^| )(gypsy|gypsies|foreigner(s)?|immigrant(s)?)( |$)",
)
_COMPILED = tuple(re.compile(p) for p in ORIGIN_PATTERNS)
# In a language/accent field "buitenlands" or "Pools" is what was heard: demonyms and a bare
# "buitenlands" are allowed there, appearance labels and group labels are not.
_LANGUAGE_PATTERNS = tuple(p for i, p in enumerate(_COMPILED) if i not in (3, 4))

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
    """The vague origin labels in a text, as normalised phrases (empty list when none)."""
    norm = normalise(text)
    found: list[str] = []
    for pattern in _LANGUAGE_PATTERNS if language_field else _COMPILED:
        match = pattern.search(norm)
        if match:
            phrase = match.group(0).strip(" ")
            if phrase not in found:
                found.append(phrase)
    return found


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
