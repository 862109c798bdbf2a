"""engine.js and render.js in Debian's Chromium, served by the live server's static files.

1. The shared cases (engine_cases.json) give in the browser exactly what they give in Python.
2. Many generated answer sets give the same relevance, errors and cleaned answers in both.
3. The rendered canvass form: skip logic live, repeat blocks, Dutch inline errors, anti-profiling,
   and answers that the server accepts as they are.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.standard import canvass
from buurtonderzoek.questionnaires.tests.shared_cases import load_cases
from tests.browser.conftest import browser  # noqa: F401  (one shared Chromium per test run)
from tests.browser.helpers import (
    accessibility_problems,
    screenshot,
    script_errors,
    use_patient_timeouts,
    watch_script_errors,
)

pytestmark = pytest.mark.browser

ENGINE = "/static/js/questionnaire/engine.js"
RENDER = "/static/js/questionnaire/render.js"


def _open(browser: Browser, live_server: LiveServer, width: int = 390) -> Page:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844}, locale="nl-NL")
    use_patient_timeouts(context)
    page = context.new_page()
    watch_script_errors(page)
    # Any page of our own origin will do: the modules are imported into it.
    page.goto("/static/js/questionnaire/questionnaire.css")
    page.evaluate(
        """() => {
            document.documentElement.lang = "nl";
            document.head.innerHTML = '<meta name="viewport" content="width=device-width">'
              + '<link rel="stylesheet" href="/static/css/app.css">'
              + '<link rel="stylesheet" href="/static/js/questionnaire/questionnaire.css">';
            document.body.innerHTML = '<main class="wrap"><h1>Buurtonderzoek</h1><div id="app"></div></main>';
        }"""
    )
    page.wait_for_load_state()
    return page


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:  # noqa: F811
    page = _open(browser, live_server)
    yield page
    page.context.close()


def _run_in_browser(page: Page, payload: dict[str, Any]) -> dict[str, Any]:
    # JSON text, parsed in the page: keys such as "__proto__" arrive as they are in the file.
    result: dict[str, Any] = page.evaluate(
        """async ([url, text]) => {
            const E = await import(url);
            const data = JSON.parse(text);
            const sort = (o) => Array.isArray(o) ? o.map(sort)
              : (o && typeof o === "object")
                ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sort(o[k])])) : o;
            return {
              cases: data.cases.map((c) => {
                const r = E.check(c.schema_json, c.answers, c.context);
                return {errors: sort(r.errors), cleaned: JSON.stringify(sort(r.cleaned)),
                        relevant: [...E.relevantIds(c.schema_json, c.answers, c.context)].sort()};
              }),
              evaluate: (data.evaluate || []).map((c) => E.evaluate(c.expr, c.answers, c.context)),
              origin: (data.origin_labels || []).map((c) => E.findOriginLabels(c.text, c.language_field)),
              blocks: (data.person_blocks || []).map((c) => E.checkPersonBlock(c.block, c.children)),
              patterns: E.ORIGIN_PATTERNS,
            };
        }""",
        [ENGINE, json.dumps(payload, ensure_ascii=False)],
    )
    return result


def _sorted_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_the_browser_engine_gives_the_expected_results_for_every_shared_case(page):
    data = load_cases()
    result = _run_in_browser(page, data)
    for case, got in zip(data["cases"], result["cases"], strict=True):
        assert got["errors"] == case["errors"], case["name"]
        assert json.loads(got["cleaned"]) == case["cleaned"], case["name"]
        assert got["relevant"] == sorted(case["relevant"]), case["name"]
    assert result["evaluate"] == [c["expected"] for c in data["evaluate"]]
    assert result["origin"] == [c["labels"] for c in data["origin_labels"]]
    assert result["blocks"] == [c["reasons"] for c in data["person_blocks"]]
    assert script_errors(page) == []


def test_the_browser_uses_the_same_origin_label_patterns(page):
    from buurtonderzoek.questionnaires.profiling import ORIGIN_PATTERNS

    assert _run_in_browser(page, {"cases": []})["patterns"] == list(ORIGIN_PATTERNS)


# ------------------------------------------------------------------------------------------
# Differential test: random answers, Python against the browser.

WORDS = ["ja", "nee", "weet_niet", "man", "rode jas", "Oost-Europees type", "", "  ", "12:30", "2024-02-29", "x"]


def _random_value(rng: random.Random, q: engine.Question) -> Any:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice([None, 3, True, [], {}, "onzin", 1.5])
    if q.type in ("single", "multiple"):
        values = list(q.choice_values)
        if q.type == "single":
            return rng.choice(values)
        return rng.sample(values, rng.randint(0, len(values)))
    if q.type == "text":
        return rng.choice(WORDS) if roll < 0.6 else " ".join(rng.sample(WORDS, 2))
    if q.type in ("number", "scale"):
        return rng.choice([rng.randint(-2, 400), round(rng.uniform(0, 12), 1)])
    if q.type == "range":
        low = rng.randint(80, 240)
        return {"min": low, "max": low + rng.randint(-10, 20)}
    if q.type == "time":
        return f"{rng.randint(0, 25):02d}:{rng.randint(0, 60):02d}"
    if q.type == "date":
        return f"{rng.randint(1999, 2101)}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
    if q.type == "point":
        return {"lat": rng.uniform(-100, 100), "lon": rng.uniform(-200, 200)}
    if q.type == "repeat":
        return [_random_answers(rng, q.children) for _ in range(rng.randint(0, 3))]
    return None


def _random_answers(rng: random.Random, questions: Any) -> dict[str, Any]:
    return {q.id: _random_value(rng, q) for q in questions if q.type != "note" and rng.random() < 0.7}


def test_python_and_the_browser_agree_on_hundreds_of_generated_answer_sets(page):
    rng = random.Random(20250101)  # fixed: a failure can be reproduced
    data = load_cases()
    schemas = [data["schemas"]["T"], canvass.schema()]
    cases = []
    for i in range(400):
        schema_json = schemas[i % 2]
        parsed = engine.parse(schema_json)
        answers = _random_answers(rng, [q for s in parsed.sections for q in s.questions])
        context = {"incident_type": rng.choice(["autokraak", "fietsdiefstal", "woninginbraak", None])}
        cleaned, errors = engine.check(parsed, answers, context)
        cases.append(
            {
                "schema_json": schema_json,
                "answers": answers,
                "context": context,
                "errors": errors,
                "cleaned": cleaned,
                "relevant": sorted(engine.relevant_ids(parsed, answers, context)),
            }
        )
    result = _run_in_browser(page, {"cases": cases})
    mismatches = [
        (i, case["answers"])
        for i, (case, got) in enumerate(zip(cases, result["cases"], strict=True))
        if got["errors"] != case["errors"]
        or json.loads(got["cleaned"]) != case["cleaned"]
        or got["relevant"] != case["relevant"]
    ]
    assert mismatches == []
    # The generator must reach the interesting parts, or this test proves little.
    assert sum(1 for c in cases if c["errors"]) > 100
    assert sum(1 for c in cases if any(p.startswith("persons.") for p in c["relevant"])) > 20


# ------------------------------------------------------------------------------------------
# The rendered form


def _mount(page: Page, schema: dict[str, Any], context: dict[str, Any], lang: str = "nl") -> None:
    page.evaluate(
        """async ([url, schemaText, context, lang]) => {
            const R = await import(url);
            window.submitted = null;
            window.form = R.renderQuestionnaire(document.getElementById("app"), JSON.parse(schemaText), {
              context, lang, onSubmit: (answers) => { window.submitted = answers; },
            });
        }""",
        [RENDER, json.dumps(schema, ensure_ascii=False), context, lang],
    )


def _choose(page: Page, question_id: str, label: str) -> None:
    page.locator(f"[data-path='{question_id}']").get_by_label(label, exact=True).check()


def test_the_form_shows_follow_up_questions_live(page):
    _mount(page, canvass.schema(), {"incident_type": "autokraak", "privacy_notice_version": "2025-01"})
    what = page.locator("[data-path='what']")
    assert what.is_hidden()
    _choose(page, "seen_anything", "Ja")
    assert what.is_visible()
    assert page.locator("[data-path='car_taken']").is_visible()
    assert page.locator("[data-path='bike_make']").count() == 1
    assert page.locator("[data-path='bike_make']").is_hidden()
    _choose(page, "seen_anything", "Nee")
    assert what.is_hidden()
    # The privacy notice version is filled in from the context once the question appears.
    _choose(page, "privacy_notice_shown", "Ja")
    assert page.locator("#qf-privacy_notice_version").input_value() == "2025-01"
    assert script_errors(page) == []


def test_the_form_refuses_a_profiling_description_and_accepts_a_proper_one(page):
    context = {"incident_type": "autokraak", "privacy_notice_version": "2025-01"}
    _mount(page, canvass.schema(), context)
    _choose(page, "respondent_type", "Bewoner")
    _choose(page, "privacy_notice_shown", "Ja")
    _choose(page, "present", "Ja")
    _choose(page, "seen_anything", "Ja")
    page.get_by_label("Wat zag of hoorde u?").fill("Iemand sloeg een autoruit in")
    page.get_by_label("Hoeveel personen zag u?").fill("1")
    page.get_by_role("button", name="Persoon toevoegen").click()
    block = page.locator("[data-path='persons.0']")
    assert block.get_by_role("group", name="Persoon 1").count() == 1 or block.is_visible()
    _choose(page, "persons.0.gender", "Man")
    block.get_by_label("Huidskleur of uiterlijk").fill("Noord-Afrikaans uiterlijk")
    _choose(page, "persons.0.provenance", "Zelf gezien of gehoord")
    _choose(page, "persons.0.certainty", "Zeker")
    _choose(page, "has_camera", "Nee")
    _choose(page, "contact_consent", "Nee")

    page.get_by_role("button", name="Opslaan").click()
    assert page.evaluate("window.submitted") is None
    summary = page.locator(".qf-summary")
    assert summary.is_visible()
    assert "Controleer deze antwoorden" in summary.inner_text()
    assert "Beschrijf eerst wat de persoon deed" in page.locator("#qf-persons-0-behaviour-error").inner_text()
    assert "minstens twee concrete kenmerken" in page.locator("#qf-persons-0-error").inner_text()
    appearance_error = page.locator("#qf-persons-0-appearance-error").inner_text()
    assert "noord-afrikaans uiterlijk" in appearance_error
    assert page.locator("#qf-persons-0-appearance").get_attribute("aria-invalid") == "true"
    screenshot(page, "questionnaire-profiling-refused")

    block.get_by_label("Wat deed de persoon?").fill("Sloeg met een steen de zijruit in en pakte een tas")
    block.get_by_label("Huidskleur of uiterlijk").fill("")
    block.get_by_label("Kleur bovenkleding").fill("lichtgrijze hoodie")
    block.get_by_label("Schoenen").fill("witte sneakers met rode zool")
    page.get_by_role("button", name="Opslaan").click()
    submitted = page.evaluate("window.submitted")
    assert submitted is not None
    # What the browser hands over is what the server accepts and would store.
    assert engine.validate(canvass.schema(), submitted, context) == {}
    assert engine.clean(canvass.schema(), submitted, context) == submitted
    assert submitted["persons"][0]["top_colour"] == "lichtgrijze hoodie"
    assert submitted["privacy_notice_version"] == "2025-01"
    assert submitted["persons_count"] == 1
    assert script_errors(page) == []


def test_the_form_adds_and_removes_vehicle_blocks(page):
    _mount(page, canvass.schema(), {"incident_type": "fietsdiefstal"})
    _choose(page, "seen_anything", "Ja")
    _choose(page, "vehicles_seen", "Ja")
    add = page.get_by_role("button", name="Voertuig toevoegen")
    add.click()
    add.click()
    assert page.locator(".qf-block[data-path^='vehicles.']").count() == 2
    page.locator("[data-path='vehicles.1']").get_by_label("Kenteken").fill("12-ABC-3")
    page.get_by_role("button", name="Voertuig 1 verwijderen").click()
    assert page.locator(".qf-block[data-path^='vehicles.']").count() == 1
    raw = page.evaluate("window.form.getRawAnswers()")
    assert raw["vehicles"] == [{"plate": "12-ABC-3"}]
    screenshot(page, "questionnaire-vehicle-block")


def test_the_form_speaks_english_down_to_its_blocks_and_units(page):
    _mount(page, canvass.schema(), {"incident_type": "woninginbraak"}, lang="en")
    page.locator("[data-path='seen_anything']").get_by_label("Yes", exact=True).check()
    page.get_by_label("How many people did you see?").fill("1")
    page.get_by_role("button", name="Add person").click()
    block = page.locator("[data-path='persons.0']")
    assert block.get_by_text("Person 1").count() >= 1
    assert block.locator(".qf-unit").first.inner_text() in ("years", "cm")
    assert page.get_by_role("button", name="Persoon toevoegen").count() == 0
    screenshot(page, "questionnaire-english")


def test_the_form_is_accessible_at_phone_width(page):
    _mount(page, canvass.schema(), {"incident_type": "woninginbraak"})
    _choose(page, "seen_anything", "Ja")
    page.get_by_label("Hoeveel personen zag u?").fill("2")
    page.get_by_role("button", name="Persoon toevoegen").click()
    result = accessibility_problems(page)
    assert result["problems"] == []
    assert result["contrastChecked"] > 0
    # Touch targets: every choice row and button is at least 44 px high.
    small = page.evaluate(
        """() => [...document.querySelectorAll('.qf-choice, .qf button')]
            .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
            .map((el) => el.textContent.trim())"""
    )
    assert small == []
    screenshot(page, "questionnaire-canvass")
