"""Keyboard-only journeys, one per role, on the demo town at phone width (390 x 844).

Only Tab, Shift+Tab, Enter, Space and the arrow keys (which move within a group of radio buttons) and
typing into the focused field. At every Tab stop the focused element must draw a visible focus indicator
and no sticky bar may cover it (WCAG 2.4.7, 2.4.11): `tab_to` collects what is wrong at each stop, and each
journey asserts the list is empty at the end, so one run names every stop to fix.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.models import DoorVisit, Route
from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DOMAIN, build_demo
from tests.browser.helpers import log_in, screenshot, tab_to

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
