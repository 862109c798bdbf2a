from __future__ import annotations

import pytest

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.engine import SchemaError, clean, evaluate, parse, relevant_ids, validate

YES_NO = [["ja", "Ja"], ["nee", "Nee"]]
PERSON_CHILDREN = [
    {"id": "behaviour", "type": "text", "label": "Wat deed de persoon?"},
    {"id": "gender", "type": "single", "label": "Geslacht", "choices": [["man", "Man"], ["vrouw", "Vrouw"]]},
    {"id": "top_colour", "type": "text", "label": "Kleur jas"},
    {"id": "shoes", "type": "text", "label": "Schoenen"},
    {"id": "appearance", "type": "text", "label": "Huidskleur"},
]
SCHEMA = {
    "sections": [
        {
            "id": "obs",
            "title": "Waarnemingen",
            "questions": [
                {"id": "seen", "type": "single", "label": "Iets gezien?", "required": True, "choices": YES_NO},
                {
                    "id": "what",
                    "type": "text",
                    "label": "Wat?",
                    "required": True,
                    "relevant": {"==": [{"var": "seen"}, "ja"]},
                },
                {"id": "count", "type": "number", "label": "Hoeveel?", "min": 0, "max": 20, "integer": True},
                {
                    "id": "persons",
                    "type": "repeat",
                    "label": "Personen",
                    "block": "person",
                    "relevant": {"==": [{"var": "seen"}, "ja"]},
                    "children": PERSON_CHILDREN,
                },
                {
                    "id": "bike_lock",
                    "type": "text",
                    "label": "Slot",
                    "incident_types": ["fietsdiefstal"],
                },
                {"id": "when", "type": "time", "label": "Hoe laat?"},
                {"id": "height", "type": "range", "label": "Lengte", "min": 100, "max": 230},
                {"id": "where", "type": "point", "label": "Waar?"},
                {"id": "day", "type": "date", "label": "Datum"},
                {"id": "mark", "type": "scale", "label": "Cijfer", "min": 1, "max": 10},
                {
                    "id": "days",
                    "type": "number",
                    "label": "Dagen",
                    "constraint": {"<=": [{"var": "."}, 90]},
                    "constraint_message": "Hoogstens 90 dagen.",
                },
            ],
        },
        {
            "id": "camera",
            "title": "Camera",
            "relevant": {"==": [{"var": "seen"}, "ja"]},
            "questions": [{"id": "has_camera", "type": "single", "label": "Camera?", "choices": YES_NO}],
        },
    ]
}
GOOD_PERSON = {"behaviour": "Trok aan deurklinken", "top_colour": "rode jas", "shoes": "witte sneakers"}


def test_it_parses_the_contract_example():
    parsed = parse(SCHEMA)
    assert [s.id for s in parsed.sections] == ["obs", "camera"]
    assert parsed.parents["gender"] == "persons"
    assert parsed.questions["height"].min == 100


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ({}, "sections"),
        (
            {"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "type": "bogus", "label": "x"}]}]},
            "onbekend type",
        ),
        (
            {"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "type": "text", "label": "x"}] * 2}]},
            "twee keer",
        ),
        (
            {
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [
                            {"id": "a", "type": "text", "label": "A", "relevant": {"==": [{"var": "b"}, "x"]}},
                            {"id": "b", "type": "text", "label": "B"},
                        ],
                    }
                ]
            },
            "niet eerder",
        ),
        (
            {"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "type": "single", "label": "x"}]}]},
            "choices",
        ),
        (
            {
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [{"id": "q", "type": "text", "label": "x", "requried": True}],
                    }
                ]
            },
            "requried",
        ),
        (
            {
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [{"id": "q", "type": "text", "label": "x", "relevant": {"xor": [1, 2]}}],
                    }
                ]
            },
            "xor",
        ),
        (
            {
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [{"id": "q", "type": "number", "label": "x", "min": 5, "max": 1}],
                    }
                ]
            },
            "groter",
        ),
        (
            {
                "sections": [
                    {
                        "id": "s",
                        "title": "S",
                        "questions": [
                            {
                                "id": "p",
                                "type": "repeat",
                                "label": "P",
                                "block": "person",
                                "children": [{"id": "gender", "type": "text", "label": "G"}],
                            }
                        ],
                    }
                ]
            },
            "persoonsblok",
        ),
    ],
)
def test_it_refuses_a_broken_schema_naming_the_problem(schema, fragment):
    with pytest.raises(SchemaError, match=fragment):
        parse(schema)


def test_it_names_the_question_with_its_original_case():
    schema = {"sections": [{"id": "s", "title": "S", "questions": [{"id": "Wat_Gezien", "type": "x", "label": "x"}]}]}
    with pytest.raises(SchemaError, match="Vraag 'Wat_Gezien'"):
        parse(schema)


@pytest.mark.parametrize(
    ("expr", "answers", "expected"),
    [
        ({"==": [{"var": "a"}, "ja"]}, {"a": "ja"}, True),
        ({"==": [{"var": "a"}, "ja"]}, {}, False),
        ({"!=": [{"var": "a"}, "ja"]}, {}, True),
        ({"==": [{"var": "n"}, 1]}, {"n": True}, False),
        ({"==": [{"var": "n"}, 1]}, {"n": 1.0}, True),
        ({">": [{"var": "n"}, 3]}, {"n": 4}, True),
        ({">": [{"var": "n"}, 3]}, {"n": "4"}, False),
        ({"<=": [1, {"var": "n"}, 5]}, {"n": 5}, True),
        ({"<=": [1, {"var": "n"}, 5]}, {"n": 6}, False),
        ({"in": ["auto", {"var": "v"}]}, {"v": ["fiets", "auto"]}, True),
        ({"in": [{"var": "v"}, ["a", "b"]]}, {"v": "b"}, True),
        ({"in": ["ee", {"var": "t"}]}, {"t": "fee"}, True),
        ({">": [{"count": {"var": "p"}}, 1]}, {"p": [{}, {}]}, True),
        ({"empty": {"var": "t"}}, {"t": "  \n"}, True),
        ({"not": {"empty": {"var": "t"}}}, {"t": "x"}, True),
        ({"and": [{"var": "a"}, {"var": "b"}]}, {"a": "x", "b": []}, False),
        ({"or": [{"var": "a"}, {"var": "b"}]}, {"a": 0, "b": {"x": 1}}, True),
        ({"==": [{"var": "context.incident_type"}, "autokraak"]}, {}, True),
    ],
)
def test_it_evaluates_expressions_like_json_logic(expr, answers, expected):
    assert evaluate(expr, answers, {"incident_type": "autokraak"}) is expected


def test_it_shows_follow_up_questions_only_after_a_yes():
    assert "what" not in relevant_ids(SCHEMA, {"seen": "nee"})
    assert "has_camera" not in relevant_ids(SCHEMA, {"seen": "nee"})
    shown = relevant_ids(SCHEMA, {"seen": "ja", "persons": [{}]})
    assert {"what", "persons", "persons.0.behaviour", "persons.0.gender", "has_camera"} <= shown


def test_it_shows_type_specific_questions_only_for_that_incident_type():
    assert "bike_lock" in relevant_ids(SCHEMA, {}, {"incident_type": "fietsdiefstal"})
    assert "bike_lock" not in relevant_ids(SCHEMA, {}, {"incident_type": "autokraak"})
    assert "bike_lock" not in relevant_ids(SCHEMA, {}, None)


def test_it_requires_only_relevant_questions():
    assert validate(SCHEMA, {"seen": "nee"}) == {}
    assert validate(SCHEMA, {}) == {"seen": ["Kies een antwoord."]}
    assert validate(SCHEMA, {"seen": "ja"}) == {"what": ["Vul hier uw antwoord in."]}
    assert validate(SCHEMA, {"seen": "ja", "what": "   "}) == {"what": ["Vul hier uw antwoord in."]}


@pytest.mark.parametrize(
    ("answers", "path", "fragment"),
    [
        ({"seen": "misschien"}, "seen", "gegeven antwoorden"),
        ({"count": 2.5}, "count", "heel getal"),
        ({"count": 21}, "count", "hoogstens 20"),
        ({"count": "3"}, "count", "getal"),
        ({"count": True}, "count", "getal"),
        ({"when": "25:00"}, "when", "vier cijfers"),
        ({"when": "9:30"}, "when", "vier cijfers"),
        ({"height": {"min": 180, "max": 170}}, "height", "hoger dan bij"),
        ({"height": {"min": 170}}, "height", "twee getallen in"),
        ({"height": {"min": 50, "max": 170}}, "height", "minstens 100"),
        ({"where": {"lat": 95, "lon": 5}}, "where", "kaart"),
        ({"day": "2023-02-29"}, "day", "datum"),
        ({"mark": 11}, "mark", "1 tot en met 10"),
        ({"days": 120}, "days", "Hoogstens 90 dagen."),
    ],
)
def test_it_explains_invalid_answers_in_dutch(answers, path, fragment):
    errors = validate(SCHEMA, {"seen": "nee", **answers})
    assert path in errors
    assert fragment in " ".join(errors[path])


def test_it_accepts_valid_answers_of_every_type():
    answers = {
        "seen": "ja",
        "what": "Twee mannen bij de schuur",
        "count": 2,
        "persons": [GOOD_PERSON],
        "when": "23:15",
        "height": {"min": 170, "max": 175},
        "where": {"lat": 52.1, "lon": 5.1},
        "day": "2024-02-29",
        "mark": 7,
        "days": 30,
        "has_camera": "nee",
    }
    assert validate(SCHEMA, answers) == {}


def test_it_applies_anti_profiling_to_every_person_block():
    answers = {
        "seen": "ja",
        "what": "Iemand bij de auto",
        "persons": [GOOD_PERSON, {"gender": "man", "appearance": "Oost-Europees type"}],
    }
    errors = validate(SCHEMA, answers)
    assert "persons.0" not in errors
    assert "persons.1.behaviour" in errors
    assert "persons.1" in errors
    assert any("vage aanduiding van afkomst" in m for m in errors["persons.1.appearance"])


def test_it_drops_irrelevant_and_unknown_answers_when_cleaning():
    answers = {"seen": "nee", "what": "iets", "persons": [GOOD_PERSON], "bogus": 1, "has_camera": "ja", "count": None}
    assert clean(SCHEMA, answers) == {"seen": "nee"}
    cleaned = clean(SCHEMA, {"seen": "ja", "persons": [{**GOOD_PERSON, "x": 1}]})
    assert cleaned == {"seen": "ja", "persons": [GOOD_PERSON]}


def test_it_does_not_let_hidden_answers_drive_later_skip_logic():
    schema = {
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "a", "type": "single", "label": "A", "choices": YES_NO},
                    {
                        "id": "b",
                        "type": "single",
                        "label": "B",
                        "choices": YES_NO,
                        "relevant": {"==": [{"var": "a"}, "ja"]},
                    },
                    {"id": "c", "type": "text", "label": "C", "relevant": {"==": [{"var": "b"}, "ja"]}},
                ],
            }
        ]
    }
    answers = {"a": "nee", "b": "ja", "c": "stale"}
    assert relevant_ids(schema, answers) == {"a"}
    assert clean(schema, answers) == {"a": "nee"}


def test_it_treats_non_object_answers_as_one_error():
    assert validate(SCHEMA, ["not", "a", "dict"]) == {
        engine.ALL_KEY: ["De antwoorden moeten een JSON-object zijn."],
        "seen": ["Kies een antwoord."],
    }


def test_it_lists_indicator_keys():
    schema = {
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "q", "type": "scale", "label": "Cijfer", "max": 10, "meta": {"indicator": "mark"}}
                ],
            }
        ]
    }
    assert parse(schema).indicators() == {"mark": ["q"]}


def test_it_checks_email_and_phone_inputs():
    schema = {
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "mail", "type": "text", "label": "E-mail", "input": "email"},
                    {"id": "tel", "type": "text", "label": "Telefoon", "input": "tel"},
                ],
            }
        ]
    }
    assert validate(schema, {"mail": "a@b.nl", "tel": "06 1234 5678"}) == {}
    assert set(validate(schema, {"mail": "a@b", "tel": "bel me"})) == {"mail", "tel"}
