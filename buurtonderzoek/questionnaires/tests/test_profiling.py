from __future__ import annotations

import pytest

from buurtonderzoek.questionnaires.profiling import (
    check_person_block,
    find_origin_labels,
    is_informative,
    normalise,
    person_block_errors,
)

BEHAVIOUR = "Keek bij auto's naar binnen en trok aan portieren"


@pytest.mark.parametrize(
    "text",
    [
        "Oost-Europees type",
        "oost europees type",
        "Oosteuropese types",
        "Noord-Afrikaans uiterlijk",
        "noord afrikaanse uiterlijk",
        "van Marokkaanse afkomst",
        "Turks uiterlijk",
        "iemand met een Surinaamse achtergrond",
        "Antilliaanse afkomst",
        "Roemeens ogend",
        "Pools uitziende man",
        "Arabisch type",
        "Aziatisch uiterlijk",
        "mediterraan type",
        "zuidelijk type",
        "getint type",
        "donker type",
        "exotisch uiterlijk",
        "buitenlands",
        "Buitenlandse man",
        "allochtoon",
        "Allochtone jongen",
        "allochtonen",
        "zigeuner",
        "zigeuners bij de schuur",
        "buitenlanders",
        "Marokkaan",
        "twee Marokkaantjes",
        "een Turk op een scooter",
        "Oost-Europeanen in een busje",
        "Noord-Afrikaan",
        "Mocro",
        "nafri",
        "Zuid-Europese gelaatstrekken",
        "ÓÓST-EUROPÉÉS TYPE",
        "Eastern European looking",
        "foreign-looking man",
        "gypsy",
    ],
)
def test_it_finds_vague_origin_labels(text):
    assert find_origin_labels(text), text


@pytest.mark.parametrize(
    "text",
    [
        "zwarte jas met capuchon",
        "donkere huidskleur",
        "licht getinte huid",
        "donkerblauwe trainingsbroek",
        "donkere jas, type parka",
        "sprak met een buitenlands accent",
        "sprak een buitenlandse taal",
        "turquoise sneakers",
        "turkoois shirt",
        "poolse vlag op de tas",  # an object is an observation, not a guess at descent
        "type auto: Golf",
        "ongeveer 1.80 m, slank",
        "Afrikaanse print op het shirt",
        "Nike-logo op de pet",
        "",
    ],
)
def test_it_leaves_observations_alone(text):
    assert find_origin_labels(text) == [], text


def test_it_allows_a_heard_language_in_the_language_field():
    assert find_origin_labels("Pools", language_field=True) == []
    assert find_origin_labels("sprak Turks", language_field=True) == []
    assert find_origin_labels("buitenlands", language_field=True) == []
    assert find_origin_labels("Marokkaan", language_field=True) == []
    assert find_origin_labels("Oost-Europees type", language_field=True) == ["oost-europees type"]
    assert find_origin_labels("allochtoon", language_field=True) == ["allochtoon"]


def test_it_normalises_case_accents_and_punctuation():
    assert normalise("  Oost-Europées,  TYPE!! ") == "oost-europees type"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("rode jas", True),
        ("onbekend", False),
        ("Weet niet", False),
        ("geen", False),
        ("-", False),
        ("?", False),
        ("normaal", False),
        ({"min": 170, "max": 180}, True),
        ({}, False),
        (["geen"], False),
        (["capuchon"], True),
        (None, False),
        (True, False),
        (3, True),
    ],
)
def test_it_knows_which_answers_say_something(value, expected):
    assert is_informative(value) is expected


def test_it_accepts_behaviour_plus_two_concrete_details():
    block = {"behaviour": BEHAVIOUR, "top_colour": "rode jas", "height": {"min": 175, "max": 185}}
    assert check_person_block(block) == []


def test_it_accepts_skin_colour_together_with_other_details():
    block = {
        "behaviour": BEHAVIOUR,
        "gender": "man",
        "appearance": "donkere huidskleur",
        "shoes": "witte Nike Air Max",
        "bag": "zwarte rugzak",
    }
    assert check_person_block(block) == []


@pytest.mark.parametrize(
    "block",
    [
        {"behaviour": BEHAVIOUR, "gender": "man", "age_range": {"min": 20, "max": 30}},
        {"behaviour": BEHAVIOUR, "gender": "man", "age_range": {"min": 20, "max": 30}, "appearance": "donker"},
        {"behaviour": BEHAVIOUR, "top_colour": "rode jas"},
        {"behaviour": BEHAVIOUR, "top_colour": "onbekend", "shoes": "weet niet", "build": "normaal"},
        {"behaviour": BEHAVIOUR, "glasses": "geen", "facial_hair": "geen", "hair_colour": "onbekend"},
    ],
)
def test_it_refuses_fewer_than_two_concrete_details(block):
    reasons = check_person_block(block)
    assert any("minstens twee concrete kenmerken" in r for r in reasons)


def test_it_says_why_skin_colour_alone_is_refused_on_that_field():
    errors = person_block_errors({"behaviour": BEHAVIOUR, "gender": "vrouw", "appearance": "lichte huid"})
    assert "alleen vast samen met minstens twee" in errors["appearance"][0]
    assert "" in errors


@pytest.mark.parametrize("behaviour", [None, "", "  ", "onbekend", "-", "?"])
def test_it_requires_a_behaviour_first(behaviour):
    block = {"behaviour": behaviour, "top_colour": "rode jas", "shoes": "witte sneakers"}
    errors = person_block_errors(block)
    assert list(errors) == ["behaviour"]
    assert errors["behaviour"][0].startswith("Beschrijf eerst wat de persoon deed")


@pytest.mark.parametrize("field", ["appearance", "notable_features", "top_colour", "behaviour", "objects"])
def test_it_refuses_origin_labels_in_every_free_text_field(field):
    block = {"behaviour": BEHAVIOUR, "top_colour": "rode jas", "shoes": "witte sneakers"}
    block[field] = "Noord-Afrikaans uiterlijk"
    errors = person_block_errors(block)
    assert field in errors
    assert "noord-afrikaans uiterlijk" in errors[field][-1]
    assert "vage aanduiding van afkomst" in errors[field][-1]


def test_it_refuses_the_classic_profile_with_every_reason():
    reasons = check_person_block(
        {"gender": "man", "age_range": {"min": 18, "max": 25}, "appearance": "Oost-Europees type"}
    )
    assert len(reasons) == 4  # behaviour, too few details, appearance alone, origin label
    assert any("Oost-Europees" in r or "oost-europees type" in r for r in reasons)


def test_it_refuses_something_that_is_not_a_block():
    assert check_person_block("man, 20 jaar") == ["Ongeldig blok."]  # type: ignore[arg-type]
