"""Hypothesis properties of the engine's validation and skip logic.

Schemas are generated too (random question types, skip logic over earlier questions, repeat groups,
a person block), so the properties hold for questionnaires nobody wrote by hand, and for the two
standard questionnaires.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtonderzoek.questionnaires import engine, profiling
from buurtonderzoek.questionnaires.standard import canvass, monitor

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["ja", "nee", "12:30", "2024-02-29", "Oost-Europees type", "rode jas", ""])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
contexts = st.one_of(
    st.fixed_dictionaries({"incident_type": st.sampled_from(["autokraak", "fietsdiefstal", "woninginbraak", "x"])}),
    json_values,
)

# --------------------------------------------------------------------------------------------
# Generated schemas

LITERALS = st.sampled_from(["ja", "nee", "a", 0, 1, 3, 10, True, None, ""])


@st.composite
def expressions(draw: Any, visible: list[str], depth: int = 0, allow_current: bool = False) -> Any:
    names = [*visible, "context.incident_type"] + (["."] if allow_current else [])
    var = {"var": draw(st.sampled_from(names))}
    leaves = [
        {"==": [var, draw(LITERALS)]},
        {"!=": [var, draw(LITERALS)]},
        {draw(st.sampled_from(["<", "<=", ">", ">="])): [var, draw(st.integers(-1, 12))]},
        {"in": [draw(LITERALS), var]},
        {"in": [var, [draw(LITERALS), draw(LITERALS)]]},
        {">": [{"count": var}, draw(st.integers(0, 2))]},
        {"empty": var},
        var,
    ]
    if depth < 2 and draw(st.booleans()):
        kind = draw(st.sampled_from(["and", "or", "not"]))
        inner = [draw(expressions(visible, depth + 1, allow_current)) for _ in range(draw(st.integers(1, 3)))]
        return {"not": inner[0]} if kind == "not" else {kind: inner}
    return draw(st.sampled_from(leaves))


@st.composite
def questions(draw: Any, qid: str, visible: list[str], counter: list[int], nested: bool) -> dict[str, Any]:
    types = ["single", "multiple", "text", "number", "range", "time", "date", "point", "scale", "note"]
    if not nested:
        types.append("repeat")
    qtype = draw(st.sampled_from(types))
    q: dict[str, Any] = {"id": qid, "type": qtype, "label": f"Vraag {qid}"}
    if qtype != "note" and draw(st.booleans()):
        q["required"] = True
    if visible and draw(st.booleans()):
        q["relevant"] = draw(expressions(visible))
    if draw(st.integers(0, 9)) == 0:
        q["incident_types"] = ["autokraak"]
    if qtype in ("single", "multiple"):
        q["choices"] = [["ja", "Ja"], ["nee", "Nee"], ["a", "A"]]
    if qtype in ("number", "range"):
        q["min"], q["max"] = 0, draw(st.sampled_from([5, 10, 250]))
        q["integer"] = draw(st.booleans())
    if qtype == "scale":
        q["min"], q["max"] = 1, 5
    if qtype == "text" and draw(st.booleans()):
        q["max_length"] = 8
    if qtype not in ("note", "repeat") and draw(st.integers(0, 4)) == 0:
        q["constraint"] = draw(expressions(visible, allow_current=True))
    if qtype == "repeat":
        inner = list(visible)
        children = []
        for _ in range(draw(st.integers(1, 3))):
            counter[0] += 1
            child = draw(questions(f"c{counter[0]}", inner, counter, True))
            children.append(child)
            inner.append(child["id"])
        q["children"] = children
        if draw(st.booleans()):
            q["max_count"] = 2
    return q


@st.composite
def schemas(draw: Any) -> dict[str, Any]:
    visible: list[str] = []
    counter = [0]
    sections = []
    for s in range(draw(st.integers(1, 3))):
        section: dict[str, Any] = {"id": f"s{s}", "title": f"Deel {s}", "questions": []}
        if visible and draw(st.booleans()):
            section["relevant"] = draw(expressions(visible))
        for _ in range(draw(st.integers(1, 4))):
            counter[0] += 1
            q = draw(questions(f"q{counter[0]}", visible, counter, False))
            section["questions"].append(q)
            visible.append(q["id"])
        sections.append(section)
    if draw(st.booleans()):
        sections[-1]["questions"].append(
            {
                "id": "persons",
                "type": "repeat",
                "label": "Personen",
                "block": "person",
                "relevant": draw(expressions(visible)) if visible else None,
                "children": [
                    {"id": "behaviour", "type": "text", "label": "Gedrag"},
                    {"id": "gender", "type": "single", "label": "Geslacht", "choices": [["man", "Man"]]},
                    {"id": "top_colour", "type": "text", "label": "Jas"},
                    {"id": "shoes", "type": "text", "label": "Schoenen"},
                    {"id": "appearance", "type": "text", "label": "Uiterlijk"},
                ],
            }
        )
    schema: dict[str, Any] = {"sections": sections}
    if draw(st.booleans()):
        schema["meta"] = {"origin_label_check": "all_text"}
    return schema


def _value_for(draw: Any, q: engine.Question) -> Any:
    """Mostly plausible answers of the right shape, sometimes anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    if q.type == "single":
        return draw(st.sampled_from(["ja", "nee", "a", "man"]))
    if q.type == "multiple":
        return draw(st.lists(st.sampled_from(["ja", "nee", "a"]), max_size=3))
    if q.type == "text":
        return draw(st.sampled_from(["rode jas", "witte sneakers", "liep weg", "", "  ", "Marokkaans type", "x" * 9]))
    if q.type in ("number", "scale"):
        return draw(st.integers(-1, 12) | st.floats(0, 12, allow_nan=False))
    if q.type == "range":
        return {"min": draw(st.integers(0, 12)), "max": draw(st.integers(0, 12))}
    if q.type == "time":
        return draw(st.sampled_from(["12:30", "25:00", "7:05", "00:00"]))
    if q.type == "date":
        return draw(st.sampled_from(["2024-02-29", "2023-02-29", "2024-13-01"]))
    if q.type == "point":
        return {"lat": draw(st.floats(-100, 100)), "lon": draw(st.floats(-200, 200))}
    if q.type == "repeat":
        return [_answers_for(draw, q.children) for _ in range(draw(st.integers(0, 3)))]
    return draw(json_values)


def _answers_for(draw: Any, qs: Any) -> dict[str, Any]:
    answers = {q.id: _value_for(draw, q) for q in qs if draw(st.booleans())}
    if draw(st.integers(0, 5)) == 0:
        answers["unknown_key"] = draw(json_values)
    return answers


@st.composite
def schema_and_answers(draw: st.DrawFn) -> tuple[engine.Schema, dict[str, Any], Any]:
    raw = draw(st.one_of(schemas(), st.sampled_from([canvass.schema(), monitor.schema()])))
    parsed = engine.parse(raw)
    answers = _answers_for(draw, [q for s in parsed.sections for q in s.questions])
    context = draw(contexts)
    return parsed, answers, context


def _paths(schema: engine.Schema, answers: Any, prefix: str = "") -> set[str]:
    """Every question path present in (cleaned) answers, descending into repeat blocks."""
    found: set[str] = set()
    if not isinstance(answers, dict):
        return found
    for key, value in answers.items():
        found.add(prefix + key)
        q = schema.questions.get(key)
        if q is not None and q.type == "repeat" and isinstance(value, list):
            for i, item in enumerate(value):
                found |= _paths(schema, item, f"{prefix}{key}.{i}.")
    return found


# --------------------------------------------------------------------------------------------
# Properties


@SETTINGS
@given(schemas())
def test_generated_schemas_parse(raw):
    engine.parse(raw)


@SETTINGS
@given(schema_and_answers())
def test_clean_is_idempotent(case):
    schema, answers, context = case
    once = engine.clean(schema, answers, context)
    assert engine.clean(schema, once, context) == once


@SETTINGS
@given(schema_and_answers())
def test_answers_to_irrelevant_questions_never_survive_clean(case):
    schema, answers, context = case
    cleaned = engine.clean(schema, answers, context)
    assert _paths(schema, cleaned) <= engine.relevant_ids(schema, answers, context)


@SETTINGS
@given(schema_and_answers())
def test_cleaning_changes_neither_errors_nor_relevance(case):
    schema, answers, context = case
    cleaned = engine.clean(schema, answers, context)
    assert engine.validate(schema, cleaned, context) == engine.validate(schema, answers, context)
    assert engine.relevant_ids(schema, cleaned, context) == engine.relevant_ids(schema, answers, context)


@SETTINGS
@given(schema_and_answers())
def test_hidden_questions_never_produce_errors(case):
    schema, answers, context = case
    errors = engine.validate(schema, answers, context)
    relevant = engine.relevant_ids(schema, answers, context)
    for path in errors:
        # A block path ("persons.0") belongs to its repeat; everything else must be shown.
        owner = path.rsplit(".", 1)[0] if path.rsplit(".", 1)[-1].isdigit() else path
        assert owner in relevant, path


@SETTINGS
@given(schema_and_answers())
def test_a_required_question_hidden_by_its_condition_never_errs(case):
    # An oracle independent of the walk: the question's own conditions, evaluated on the cleaned
    # answers (expressions only look at earlier questions, whose cleaned answers the walk saw).
    schema, answers, context = case
    cleaned = engine.clean(schema, answers, context)
    ctx = context if isinstance(context, dict) else {}
    errors = engine.validate(schema, answers, context)
    for section in schema.sections:
        for q in section.questions:
            shown = (
                engine.evaluate(section.relevant, cleaned, ctx)
                and (section.incident_types is None or ctx.get("incident_type") in section.incident_types)
                and (q.incident_types is None or ctx.get("incident_type") in q.incident_types)
                and engine.evaluate(q.relevant, cleaned, ctx)
            )
            if not shown:
                assert not any(p == q.id or p.startswith(q.id + ".") for p in errors), q.id
                assert q.id not in cleaned


@SETTINGS
@given(schema_and_answers(), st.data())
def test_an_answer_to_a_hidden_question_changes_nothing(case, data):
    schema, answers, context = case
    relevant = engine.relevant_ids(schema, answers, context)
    hidden = [q for s in schema.sections for q in s.questions if q.id not in relevant]
    if not hidden:
        return
    q = data.draw(st.sampled_from(hidden))
    extended = {**answers, q.id: data.draw(json_values)}
    assert engine.validate(schema, extended, context) == engine.validate(schema, answers, context)
    assert engine.clean(schema, extended, context) == engine.clean(schema, answers, context)


@SETTINGS
@given(schema_and_answers())
def test_every_relevant_required_question_left_empty_is_reported(case):
    schema, answers, context = case
    errors = engine.validate(schema, answers, context)
    for path in engine.relevant_ids(schema, answers, context):
        if "." in path:
            continue
        q = schema.questions[path]
        if q.required and answers.get(q.id) in (None, "", []):
            assert engine.required_message(q) in errors.get(path, [])


@SETTINGS
@given(st.sampled_from([canvass.schema(), monitor.schema()]), json_values, json_values)
def test_validate_never_crashes_on_arbitrary_json(raw, answers, context):
    errors = engine.validate(raw, answers, context)
    assert isinstance(errors, dict)
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    engine.clean(raw, answers, context)
    engine.relevant_ids(raw, answers, context)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["seen_anything", "what", "persons", "vehicles", "x"]), json_values))
def test_validate_never_crashes_on_arbitrary_values_for_real_questions(answers):
    engine.validate(canvass.schema(), {"seen_anything": "ja", **answers}, {"incident_type": "autokraak"})


@SETTINGS
@given(st.data())
def test_double_negation_changes_no_expression(data):
    visible = ["a", "b"]
    expr = data.draw(expressions(visible))
    answers = data.draw(st.dictionaries(st.sampled_from(visible), json_values))
    context = data.draw(contexts)
    assert engine.evaluate({"not": {"not": expr}}, answers, context) == engine.evaluate(expr, answers, context)


@SETTINGS
@given(st.dictionaries(st.text(max_size=12), json_values))
def test_person_block_check_never_crashes(block):
    reasons = profiling.check_person_block(block)
    assert all(isinstance(r, str) for r in reasons)


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(list(profiling.DEFAULT_ROLES)), st.text(max_size=20), max_size=6),
    st.sampled_from(["Oost-Europees type", "Noord-Afrikaans uiterlijk", "allochtoon", "zigeuner", "buitenlands"]),
    st.sampled_from(["appearance", "top_colour", "notable_features", "behaviour", "objects"]),
)
def test_an_origin_label_in_a_free_text_field_is_always_refused(block, label, field):
    block = {**block, field: f"iemand, {label}, bij de auto"}
    assert any("vage aanduiding van afkomst" in r for r in profiling.check_person_block(block))


@SETTINGS
@given(st.dictionaries(st.sampled_from(["gender", "age_range", "appearance"]), json_values))
def test_gender_age_and_skin_colour_alone_are_always_refused(block):
    assert profiling.check_person_block({"behaviour": "rende weg", **block})
