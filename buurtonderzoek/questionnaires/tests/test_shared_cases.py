"""The shared cases against the Python engine; test_browser_engine.py runs the same file in Chromium."""

from __future__ import annotations

import pytest

from buurtonderzoek.questionnaires import engine, profiling
from buurtonderzoek.questionnaires.tests.shared_cases import load_cases

DATA = load_cases()


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_the_python_engine_gives_the_expected_results(case):
    schema = engine.parse(case["schema_json"])
    cleaned, errors = engine.check(schema, case["answers"], case["context"])
    assert errors == case["errors"]
    assert cleaned == case["cleaned"]
    assert engine.relevant_ids(schema, case["answers"], case["context"]) == set(case["relevant"])


@pytest.mark.parametrize("case", DATA["evaluate"], ids=[str(i) for i in range(len(DATA["evaluate"]))])
def test_expressions_give_the_expected_results(case):
    assert engine.evaluate(case["expr"], case["answers"], case["context"]) is case["expected"]


@pytest.mark.parametrize("case", DATA["origin_labels"], ids=[c["text"] or "empty" for c in DATA["origin_labels"]])
def test_origin_labels_are_found_as_expected(case):
    assert profiling.find_origin_labels(case["text"], language_field=case["language_field"]) == case["labels"]


@pytest.mark.parametrize("case", DATA["person_blocks"], ids=[str(i) for i in range(len(DATA["person_blocks"]))])
def test_person_blocks_are_judged_as_expected(case):
    children = None
    if case["children"] is not None:
        children = [
            engine.Question(id=c["id"], type="text", label=c["id"], meta=c.get("meta", {})) for c in case["children"]
        ]
    assert profiling.check_person_block(case["block"], children) == case["reasons"]


def test_every_schema_in_the_cases_file_is_valid():
    for schema in DATA["schemas"].values():
        engine.parse(schema)
