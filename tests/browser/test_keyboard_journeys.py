"""Keyboard-only journeys, one per role, on the demo town at phone width (390 x 844).

Only Tab, Shift+Tab, Enter, Space and the arrow keys (which move within a group of radio buttons) and
typing into the focused field. At every Tab stop the focused element must draw a visible focus indicator
and no sticky bar may cover it (WCAG 2.4.7, 2.4.11): `tab_to` collects what is wrong at each stop, and each
journey asserts the list is empty at the end, so one run names every stop to fix.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.models import DoorVisit, Route, Tip
from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DOMAIN, build_demo
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.monitor.actions import create_wave
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.places.models import Buurt, Gemeente
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from tests.browser.helpers import SCREENSHOT_DIR, assert_axe_clean, log_in, screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page: Page, group: str, value: str, problems: list[str]) -> None:
    """Tab into a group of radio buttons, then move with the arrow keys to the one with `value`."""
    problems += tab_to(page, f"{group} input[type=radio]")
    for _ in range(12):
        if page.evaluate("() => document.activeElement.value") == value:
            break
        page.keyboard.press("ArrowDown")
    # Arrow keys select as they move; Space confirms (and checks the first radio when none was checked).
    page.keyboard.press("Space")
    expect(page.locator(f"{group} input[value='{value}']")).to_be_checked()


def test_a_volunteer_records_a_visit_with_the_keyboard_only(phone_page: Page) -> None:
    build_demo(progress=False)
    volunteer = User.objects.get(email=f"vrijwilliger@{DOMAIN}")
    route = Route.objects.filter(members=volunteer).order_by("number").first()
    assert route is not None
    page = phone_page
    log_in(page, volunteer.email, DEMO_PASSWORD)
    page.goto(f"/veld/routes/{route.pk}/")
    expect(page.locator("main[data-ready='1']")).to_be_attached()
    problems = tab_to(page, ".stop-button")
    page.keyboard.press("Enter")
    expect(page.locator("#visit-title")).to_be_focused()

    choose(page, "#outcome-choices", "gesproken", problems)
    choose(page, "[data-path='respondent_type']", "bewoner", problems)
    choose(page, "[data-path='privacy_notice_shown']", "nee", problems)
    choose(page, "[data-path='present']", "ja", problems)
    choose(page, "[data-path='seen_anything']", "ja", problems)
    # The longest form there is: a person block and a vehicle block open.
    problems += tab_to(page, "#qf-persons_count")
    page.keyboard.type("1")
    problems += tab_to(page, "[data-path='persons'] .qf-add")
    page.keyboard.press("Enter")
    expect(page.locator("[data-path='persons.0']")).to_be_visible()
    choose(page, "[data-path='vehicles_seen']", "ja", problems)
    problems += tab_to(page, "[data-path='vehicles'] .qf-add")
    page.keyboard.press("Enter")
    expect(page.locator("[data-path='vehicles.0']")).to_be_visible()
    screenshot(page, "keyboard-visit-form-open")
    # What the volunteer sees: the focused field in the vehicle block, clear of the "Opslaan" bar.
    problems += tab_to(page, "[data-path='vehicles.0'] input")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "keyboard-focus-above-sticky-bar-390.png"))
    # Every stop down to "Opslaan", then back up to "Iets gezien?" with Shift+Tab.
    problems += tab_to(page, "#save-visit")
    problems += tab_to(page, "[data-path='seen_anything'] input[type=radio]", shift=True)
    # On second thought nothing was seen: the follow-up questions fold away and the visit can be saved.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.locator("[data-path='seen_anything'] input[value='nee']")).to_be_checked()
    choose(page, "[data-path='has_camera']", "nee", problems)
    choose(page, "[data-path='contact_consent']", "nee", problems)
    problems += tab_to(page, "#save-visit")
    page.keyboard.press("Enter")
    expect(page.locator("#list-view")).to_be_visible()
    expect(page.locator(".stop-button:focus")).to_have_count(1)
    assert not problems, "\n".join(problems)
    expect(page.locator("#unsent-count")).to_have_text("0")
    assert DoorVisit.objects.filter(volunteer=volunteer).exists()


def open_wave(gemeente: Gemeente) -> Wave:
    """A survey wave open today with its public link on (the demo's waves are finished)."""
    today = timezone.localdate()
    return create_wave(
        gemeente,
        by=None,
        name="Toetsronde",
        starts_on=today,
        ends_on=today + timedelta(days=14),
        version=QuestionnaireVersion.objects.latest_published("communitymonitor"),
        buurten=list(Buurt.objects.filter(gemeente=gemeente).order_by("code")),
        target_per_buurt=100,
        public_link_enabled=True,
    )


def test_a_resident_answers_the_survey_with_the_keyboard_only(phone_page: Page) -> None:
    wave = open_wave(build_demo(progress=False))
    page = phone_page
    page.goto(f"/enquete/open/{wave.public_token}/")
    assert_axe_clean(page)
    problems = tab_to(page, "#id_buurt")
    page.keyboard.press("ArrowDown")  # a closed select on a phone: the arrow picks the next buurt
    problems += tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screens = 0
    while "/enquete/vragen/" in page.url:
        screens += 1
        assert screens < 20, "the survey does not end: " + page.locator("main").inner_text()[:1500]
        assert_axe_clean(page)
        # Each screen: first "Volgende" with nothing answered (the error state, also judged by axe), then an
        # answer to every question the keyboard reaches with Space, then "Volgende" again. A screen without
        # required questions lets the empty "Volgende" through.
        problems += tab_to(page, "main button[value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if not page.locator(".error-summary, .errorlist").count():
            continue  # nothing required on this screen: on to the next one
        assert_axe_clean(page)
        screenshot(page, f"keyboard-survey-errors-{screens}")
        answer_every_question(page, problems)
        problems += tab_to(page, "main button[value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/enquete/klaar/"))
    assert_axe_clean(page)
    assert screens >= 5
    assert not problems, "\n".join(problems)


def answer_every_question(page: Page, problems: list[str]) -> None:
    """Tab from the top through the form: Space on the first choice of every group, type into text fields."""
    page.locator("main").focus()  # where the skip link leads (tabindex=-1)
    for _ in range(300):
        page.keyboard.press("Tab")
        active = page.evaluate(
            "() => ({tag: document.activeElement.tagName, type: document.activeElement.type || '',"
            " name: document.activeElement.name || '', value: document.activeElement.value || '',"
            " checked: !!document.activeElement.checked, numeric: document.activeElement.inputMode !== '',"
            " inForm: !!document.activeElement.closest('form[data-survey]')})"
        )
        if active["tag"] == "BUTTON" and active["inForm"]:
            return
        if active["type"] in ("radio", "checkbox") and not active["checked"]:
            page.keyboard.press("Space")
        elif active["tag"] == "TEXTAREA" or (active["tag"] == "INPUT" and active["type"] in ("text", "number")):
            if not active["value"]:
                page.keyboard.type("5" if active["numeric"] else "Niets bijzonders")
        elif active["tag"] == "SELECT":
            page.keyboard.press("ArrowDown")
    raise AssertionError(f"no button after the questions on {page.url}: {page.locator('main').inner_text()[:800]}")


def test_a_resident_sends_a_tip_with_the_keyboard_only(phone_page: Page) -> None:
    build_demo(progress=False)
    incident = Incident.objects.filter(canvasses__isnull=False).order_by("pk").first()
    assert incident is not None
    page = phone_page
    page.goto(f"/tip/{incident.public_token}/")
    assert_axe_clean(page)
    problems = tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Nothing typed: the error says what to do, and axe finds nothing wrong with the error state.
    expect(page.locator("main")).to_contain_text("Schrijf kort op wat u heeft gezien of gehoord.")
    assert_axe_clean(page)
    screenshot(page, "keyboard-tip-errors")
    problems += tab_to(page, "#id_text")
    page.keyboard.type("Om 23:10 liep iemand met een breekijzer door de achterom van de Lindelaan.")
    problems += tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_axe_clean(page)
    assert not problems, "\n".join(problems)
    assert Tip.objects.filter(incident=incident).exists()
