"""Every answer a resident gives in the survey on a phone is stored as given.

Driven by the published standard monitor questionnaire: each screen's questions (as far as skip
logic shows them) are answered with their type's typing strategy (tests/browser/answering.py); after
"Versturen" the stored response must equal what was typed. A question type without a strategy
fails the test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.monitor.models import Response, ResponseStatus
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, issue_codes
from tests.browser.answering import SURVEY_STRATEGIES, Answered, answer_survey_section, assert_strategies_for
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_answer_given_on_a_phone_is_stored_as_given(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
) -> None:
    schema = mworld.version.schema
    types = assert_strategies_for(schema, SURVEY_STRATEGIES)
    buurt = mworld.buurten[0]
    [code] = issue_codes(mworld.wave, buurt, 1)

    phone = new_page("phone")
    phone.goto(f"/enquete/c/{code}/")
    phone.get_by_role("button", name="Beginnen").click()
    answered = Answered()
    sections = schema["sections"]
    for step, section in enumerate(sections, start=1):
        expect(phone.get_by_text(f"Stap {step} van {len(sections)}")).to_be_visible()
        answer_survey_section(phone, section, answered)
        if step == 1:
            screenshot(phone, "monitor-every-answer")
        if section["id"] == "about_you":  # the optional questions about the respondent, with why we ask
            screenshot(phone, "monitor-about-you")
        phone.get_by_role("button", name="Versturen" if step == len(sections) else "Volgende").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Bedankt voor het invullen!")

    assert answered.types == types
    response = Response.objects.get(buurt=buurt, invitation__isnull=False)
    assert response.status == ResponseStatus.COMPLETED
    assert response.answers == answered.answers
    # Skip logic was exercised: the follow-up questions after "ja" were shown and answered.
    followups = {q["id"] for s in sections for q in s["questions"] if "relevant" in q}
    assert followups and followups <= set(answered.answers)
