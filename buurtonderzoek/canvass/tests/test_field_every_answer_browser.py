"""Every answer a volunteer types on the phone arrives on the server exactly as typed.

Driven by the published standard canvass questionnaire: every question the form shows is answered
with its type's typing strategy (tests/browser/answering.py), offline; the outbox is then sent and
the stored visit must equal what was typed. A question type without a strategy fails the test.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.tests.test_field_browser import (  # noqa: F401 - fixtures
    context,
    field,
    open_route,
    shot,
    wait_for_service_worker,
)
from buurtonderzoek.canvass.tests.test_field_support import Field
from tests.browser.answering import answer_rendered_questionnaire, walk
from tests.browser.helpers import log_in, send_waiting_visits

pytestmark = pytest.mark.browser


def start_spoken_visit(page: Page, order: int) -> None:
    page.locator(".stop-button", has=page.locator(".stop-order", has_text=str(order))).first.click()
    expect(page.locator("#visit-view")).to_be_visible()
    page.locator("#outcome-choices label", has_text="Gesproken").click()
    expect(page.locator("#questionnaire .qf")).to_be_visible()


def test_every_answer_typed_offline_is_stored_as_typed(context: BrowserContext, field: Field) -> None:  # noqa: F811
    page = context.new_page()
    log_in(page, field.world.bob.email)
    open_route(page, field)
    wait_for_service_worker(page)
    context.set_offline(True)
    expect(page.locator("#net-state")).to_have_text("Offline")

    start_spoken_visit(page, 1)
    schema = field.version.schema
    # "ja" everywhere a choice allows it, so every follow-up question shows; the privacy statement's
    # version is filled in by the app itself (checked, not typed).
    answered = answer_rendered_questionnaire(page, page.locator("#questionnaire"), schema)
    # Everything the questionnaire can ask was reached: every type, both blocks, all their questions.
    assert answered.types == {q["type"] for q in walk(schema)}
    assert {"persons", "vehicles"} <= set(answered.answers)
    for block in ("persons", "vehicles"):
        repeat = next(q for q in walk(schema) if q["id"] == block)
        unconditional = {child["id"] for child in repeat["children"] if "relevant" not in child}
        assert {f"{block}.0.{child}" for child in unconditional} <= set(answered.paths)
    assert answered.answers["persons"][0]["height"]["min"] < answered.answers["persons"][0]["height"]["max"]
    shot(page, "field-every-answer")
    page.locator("#save-visit").click()
    expect(page.locator("#list-view")).to_be_visible()
    expect(page.locator("#unsent-count")).to_have_text("1")
    assert not DoorVisit.objects.exists()

    context.set_offline(False)
    send_waiting_visits(page)  # back online the app may already have sent it by itself
    expect(page.locator("#unsent-count")).to_have_text("0")
    [visit] = DoorVisit.objects.all()
    assert visit.outcome == "gesproken"
    assert visit.answers == answered.answers


def test_the_phone_refuses_an_impossible_length_as_the_server_does(context: BrowserContext, field: Field) -> None:  # noqa: F811
    page = context.new_page()
    log_in(page, field.world.bob.email)
    open_route(page, field)
    start_spoken_visit(page, 1)
    form = page.locator("#questionnaire")
    form.locator("[data-path='seen_anything'] label", has_text="Ja").click()
    form.get_by_label("Hoeveel personen zag u?").press_sequentially("1")
    form.get_by_role("button", name="Persoon toevoegen").click()
    height = form.locator("[data-path='persons.0.height']")
    error = height.locator(".qf-error")
    height.get_by_label("van", exact=True).press_sequentially("180")
    height.get_by_label("tot en met", exact=True).press_sequentially("170")
    page.locator("#save-visit").click()
    expect(error).to_have_text("Het getal bij 'van' is hoger dan bij 'tot en met'. Pas een van de twee aan.")
    expect(page.locator("#visit-view")).to_be_visible()  # not saved

    upper = height.get_by_label("tot en met", exact=True)
    upper.press("Control+a")
    upper.press_sequentially("240")
    expect(error).to_have_text("Vul een getal van hoogstens 230 in.")
    shot(page, "field-height-refused")
    upper.press("Control+a")
    upper.press_sequentially("185")
    expect(error).to_be_hidden()
    expect(page.locator("#unsent-count")).to_have_text("0")
    assert not DoorVisit.objects.exists()
