"""Comparing short Dutch descriptions ("zwarte hoodie" and "zwart" agree; "rode jas" and "blauwe jas" do not).

Deliberately small: witnesses write a few words per field. Words are normalised (accents, case),
inflected adjectives lose their -e ("grijze" -> "grijs", "rode" -> "rood", "witte" -> "wit"), compound
colours also count as their base colour ("donkerblauw" -> "blauw"), and filler words are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from buurtonderzoek.questionnaires.profiling import normalise

STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as words
        "een de het met en van in op aan er die dat was had zag ik hij zij ze wat of maar ook heel erg soort iets "
        "ongeveer mogelijk denk misschien leek achtig kleur kleurig nogal vrij best beetje"
    ).split()
)
COLOURS = (
    "zwart",
    "wit",
    "grijs",
    "blauw",
    "rood",
    "groen",
    "geel",
    "bruin",
    "beige",
    "oranje",
    "roze",
    "paars",
    "zilver",
    "goud",
    "creme",
)
# Words that end in -e without being inflected.
UNINFLECTED = frozenset({"oranje", "beige", "roze", "mauve", "creme", "lichte", "blonde"})
_VOWEL_DOUBLING = re.compile(r"(^|[^aeiou])([aeou])([bcdfghklmnprstvwxz])$")
_DOUBLE_CONSONANT = re.compile(r"([bcdfgklmnprt])\1$")


def stem(word: str) -> str:
    if word in UNINFLECTED:
        return {"lichte": "licht", "blonde": "blond"}.get(word, word)
    if len(word) > 3 and word.endswith("e"):
        base = word[:-1]
        if _DOUBLE_CONSONANT.search(base):
            return base[:-1]
        if base.endswith("z"):
            return base[:-1] + "s"
        if base.endswith("v"):
            return base[:-1] + "f"
        match = _VOWEL_DOUBLING.search(base)
        if match and not base.endswith(("ng", "nk")):
            return base[: match.start(2)] + match.group(2) * 2 + base[match.end(2) :]
        return base
    return word


@lru_cache(maxsize=8192)
def tokens(text: str) -> frozenset[str]:
    # Cached: clustering compares every pair of blocks, and the same few words come back all the time.
    found: set[str] = set()
    for word in normalise(text).replace("-", " ").split():
        if word in STOPWORDS or len(word) < 2:
            continue
        word = stem(word)
        found.add(word)
        for colour in COLOURS:
            if word != colour and word.endswith(colour):
                found.add(colour)
    return frozenset(found)


def similar(a: str, b: str) -> bool:
    """Do two short descriptions say the same thing? One containing the other counts ("zwart" / "zwarte jas")."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return normalise(a) == normalise(b)
    if ta <= tb or tb <= ta:
        return True
    return len(ta & tb) / len(ta | tb) >= 0.5
