"""Answer a whole questionnaire in the browser as a person would, driven by its schema.

Two renderers show our questionnaires: the field app's `static/js/questionnaire/render.js` (canvass
visits, offline) and the server-rendered section forms of the monitor survey. For each question
type there is a typing strategy per renderer: it clicks the label of a choice, or types text, numbers
and times key by key into the visible input (never `fill` of a hidden one), and returns the value
the server must store. A question type without a strategy fails the test (`assert_strategies_for`),
so a new type cannot slip past these tests.

The answers are chosen to open as much of the questionnaire as possible ("ja" where it is a choice,
a first person and vehicle block in repeat groups), so skip logic shows the follow-up questions too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from playwright.sync_api import Locator, Page, expect

from buurtonderzoek.questionnaires import engine

Question = Mapping[str, Any]


def walk(schema: Mapping[str, Any]) -> Iterator[Question]:
    """Every question of a schema, repeat children included."""

    def inner(questions: list[Question]) -> Iterator[Question]:
        for q in questions:
            yield q
            if q["type"] == "repeat":
                yield from inner(q.get("children", []))

    for section in schema["sections"]:
        yield from inner(section["questions"])


def assert_strategies_for(schema: Mapping[str, Any], strategies: Mapping[str, object]) -> set[str]:
    types = {q["type"] for q in walk(schema)}
    missing = types - set(strategies)
    assert not missing, (
        f"Geen typstrategie voor vraagtype(n) {sorted(missing)}: voeg er een toe in tests/browser/answering.py"
    )
    return types


# ------------------------------------------------------------------------------------------------
# The values a person types: deterministic, valid, varied per question (n counts questions).


def text_value(q: Question, n: int) -> str:
    if q.get("input") == "email":
        return f"getuige{n}@voorbeeld.nl"
    if q.get("input") == "tel":
        return f"06 1234 56{n % 100:02d}"
    # Diacritics and punctuation, as Dutch answers have them; the origin-label check must let it pass.
    value = f"Grijze jas met capuchon, liep richting café 'De Hoek' ({n})"
    limit = q.get("max_length")
    return value[:limit] if isinstance(limit, int) else value


def bounds(q: Question) -> tuple[float, float]:
    low = q["min"] if isinstance(q.get("min"), int | float) else 0
    high = q["max"] if isinstance(q.get("max"), int | float) else low + 100
    return float(low), float(high)


def number_value(q: Question, n: int) -> int:
    low, high = bounds(q)
    return int(min(low + 1, high))


def range_value(q: Question, n: int) -> tuple[int, int]:
    low, high = bounds(q)
    span = high - low
    return int(low + span * 0.3), int(low + span * 0.4)


def time_value(n: int) -> tuple[str, str]:
    """What is typed into a 24-hour time input (digits only) and what is stored."""
    hours, minutes = 7 + n % 15, (n * 7) % 60
    return f"{hours:02d}{minutes:02d}", f"{hours:02d}:{minutes:02d}"


def point_value(n: int) -> tuple[float, float]:
    return round(52.09 + n / 10_000, 4), round(5.12 + n / 10_000, 4)


def choice_values(q: Question) -> list[Any]:
    if q["type"] == "scale":
        labels = [c[0] for c in q.get("choices", [])]
        low = q.get("min", labels[0] if labels else 1)
        high = q.get("max", labels[-1] if labels else low)
        return list(range(int(low), int(high) + 1))
    return [c[0] for c in q.get("choices", [])]


def single_value(q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    values = choice_values(q)
    if q["id"] in overrides:
        return overrides[q["id"]]
    if "ja" in values:
        return "ja"  # opens the follow-up questions
    return values[n % len(values)]


def multiple_values(q: Question) -> list[Any]:
    values = choice_values(q)
    return values[1:3] if len(values) > 2 else values[:1]


def dutch(number: float) -> str:
    return str(number).replace(".", ",")


# ------------------------------------------------------------------------------------------------
# The field app (render.js)


@dataclass
class Answered:
    """What was typed, by path, and the nested answers the server must store."""

    answers: dict[str, Any] = field(default_factory=dict)
    types: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)

    def put(self, path: str, value: Any) -> None:
        parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = self.answers
        for part, following in pairwise(parts):
            if isinstance(part, int):
                while len(node) <= part:
                    node.append({})
                node = node[part]
            else:
                node = node.setdefault(part, [] if isinstance(following, int) else {})
        last = parts[-1]
        node[last] = value


def _question_at(schema: Mapping[str, Any], path: str) -> Question:
    questions = [q for s in schema["sections"] for q in s["questions"]]
    found: Question | None = None
    for part in path.split("."):
        if part.isdigit():
            continue
        found = next(q for q in questions if q["id"] == part)
        questions = list(found.get("children", []))
    assert found is not None
    return found


def _click_choice(wrapper: Locator, value: Any) -> None:
    input_id = wrapper.locator(f"input[value='{value}']").get_attribute("id")
    wrapper.locator(f"label[for='{input_id}']").click()


def _type_into(target: Locator, text: str) -> None:
    target.click()
    target.press_sequentially(text, delay=5)


def _field_single(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    value = single_value(q, n, overrides)
    _click_choice(wrapper, value)
    return value


def _field_multiple(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    values = multiple_values(q)
    for value in values:
        _click_choice(wrapper, value)
    return values


def _field_text(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    target = wrapper.locator("input, textarea").first
    if (q.get("meta") or {}).get("prefill"):
        # The app fills this in itself (e.g. the privacy statement's version): nothing to type.
        value = target.input_value()
        assert value, f"{q['id']}: de app vult dit veld niet in"
        return value
    value = text_value(q, n)
    if q.get("multiline"):
        first, second = value.split(", ", 1)
        _type_into(target, first + ",")
        target.press("Enter")
        target.press_sequentially(second, delay=5)
        return f"{first},\n{second}"
    _type_into(target, value)
    return value


def _field_number(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    value = number_value(q, n)
    _type_into(wrapper.locator("input"), str(value))
    return value


def _field_range(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    low, high = range_value(q, n)
    _type_into(wrapper.get_by_label("van", exact=True), str(low))
    _type_into(wrapper.get_by_label("tot en met", exact=True), str(high))
    return {"min": low, "max": high}


def _field_point(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    lat, lon = point_value(n)
    _type_into(wrapper.get_by_label("Breedtegraad"), dutch(lat))
    _type_into(wrapper.get_by_label("Lengtegraad"), dutch(lon))
    return {"lat": lat, "lon": lon}


def _field_time(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    typed, stored = time_value(n)
    _type_into(wrapper.locator("input[type=time]"), typed)
    expect(wrapper.locator("input[type=time]")).to_have_value(stored)
    return stored


def _field_date(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    day = 1 + n % 28
    _type_into(wrapper.locator("input[type=date]"), f"{day:02d}112026")  # dd-mm-jjjj in a Dutch browser
    stored = f"2026-11-{day:02d}"
    expect(wrapper.locator("input[type=date]")).to_have_value(stored)
    return stored


def _field_repeat(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    wrapper.locator("button.qf-add").click()
    return []  # the block's own questions are answered as they appear


def _field_note(page: Page, wrapper: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    return None


FieldStrategy = Callable[[Page, Locator, Question, int, Mapping[str, Any]], Any]
FIELD_STRATEGIES: dict[str, FieldStrategy] = {
    "single": _field_single,
    "scale": _field_single,
    "multiple": _field_multiple,
    "text": _field_text,
    "number": _field_number,
    "range": _field_range,
    "point": _field_point,
    "time": _field_time,
    "date": _field_date,
    "repeat": _field_repeat,
    "note": _field_note,
}

_VISIBLE_PATHS = """(root) => [...root.querySelectorAll('.qf-question[data-path]')]
    .filter((node) => node.offsetParent !== null)
    .map((node) => node.dataset.path)"""


def answer_rendered_questionnaire(
    page: Page, root: Locator, schema: Mapping[str, Any], *, overrides: Mapping[str, Any] | None = None
) -> Answered:
    """Answer every question render.js shows, in page order, until no new question appears."""
    assert_strategies_for(schema, FIELD_STRATEGIES)
    overrides = overrides or {}
    done = Answered()
    while True:
        paths: list[str] = root.evaluate(_VISIBLE_PATHS)
        todo = [p for p in paths if p not in done.paths]
        if not todo:
            return done
        path = todo[0]
        q = _question_at(schema, path)
        wrapper = root.locator(f".qf-question[data-path='{path}']")
        wrapper.scroll_into_view_if_needed()
        value = FIELD_STRATEGIES[q["type"]](page, wrapper, q, len(done.paths), overrides)
        done.paths.append(path)
        done.types.add(q["type"])
        if value is not None:
            done.put(path, value)


# ------------------------------------------------------------------------------------------------
# Server-rendered section forms (the monitor survey)


def _survey_single(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    value = single_value(q, n, overrides)
    input_id = field_.locator(f"input[value='{value}']").get_attribute("id")
    page.locator(f"label[for='{input_id}']").click()
    return value


def _survey_multiple(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    values = multiple_values(q)
    for value in values:
        input_id = field_.locator(f"input[value='{value}']").get_attribute("id")
        page.locator(f"label[for='{input_id}']").click()
    return values


def _survey_text(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    value = text_value(q, n)
    _type_into(field_.locator("input, textarea").first, value)
    return value


def _survey_number(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    value = number_value(q, n)
    _type_into(field_.locator("input").first, str(value))
    return value


def _survey_range(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    low, high = range_value(q, n)
    _type_into(field_.get_by_label("van", exact=True), str(low))
    _type_into(field_.get_by_label("tot en met", exact=True), str(high))
    return {"min": low, "max": high}


def _survey_point(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    lat, lon = point_value(n)
    # type=number inputs take the decimal point whatever the page's language.
    _type_into(field_.get_by_label("breedtegraad"), str(lat))
    _type_into(field_.get_by_label("lengtegraad"), str(lon))
    return {"lat": lat, "lon": lon}


def _survey_time(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    typed, stored = time_value(n)
    _type_into(field_.locator("input[type=time]"), typed)
    return stored


def _survey_date(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    day = 1 + n % 28
    _type_into(field_.locator("input[type=date]"), f"{day:02d}112026")
    return f"2026-11-{day:02d}"


def _survey_note(page: Page, field_: Locator, q: Question, n: int, overrides: Mapping[str, Any]) -> Any:
    return None


SurveyStrategy = Callable[[Page, Locator, Question, int, Mapping[str, Any]], Any]
# Repeat groups need the browser renderer; the survey's section forms have no typing for them
# (questionnaires/forms.py), so a monitor questionnaire with a repeat group fails here on purpose.
SURVEY_STRATEGIES: dict[str, SurveyStrategy] = {
    "single": _survey_single,
    "scale": _survey_single,
    "multiple": _survey_multiple,
    "text": _survey_text,
    "number": _survey_number,
    "range": _survey_range,
    "point": _survey_point,
    "time": _survey_time,
    "date": _survey_date,
    "note": _survey_note,
}


def answer_survey_section(
    page: Page, section: Mapping[str, Any], answered: Answered, *, overrides: Mapping[str, Any] | None = None
) -> None:
    """Answer the questions of one survey screen that skip logic shows, in order."""
    overrides = overrides or {}
    for q in section["questions"]:
        if q["type"] == "note":
            answered.types.add("note")
            continue
        inputs = page.locator(f"[data-question='{q['id']}']")
        # The field's wrapper: survey.js hides it when skip logic makes the question irrelevant.
        field_ = page.locator(".field", has=inputs.first).first
        if "relevant" in q:
            # The page must agree with the engine; expect() waits for the script to show it.
            if not engine.evaluate(q["relevant"], answered.answers, {}):
                expect(field_).to_be_hidden()
                continue
            expect(field_).to_be_visible()
        elif not field_.is_visible():
            continue
        value = SURVEY_STRATEGIES[q["type"]](page, field_, q, len(answered.paths), overrides)
        answered.paths.append(q["id"])
        answered.types.add(q["type"])
        answered.put(q["id"], value)
