"""The public front page in a real browser: Dutch first, English on request, accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible, screenshot

pytestmark = pytest.mark.browser

DUTCH_HEADING = "Buurtonderzoek door buurtbewoners, met de politie"
ENGLISH_HEADING = "Neighbourhood canvassing by residents, with the police"


def test_it_shows_the_front_page_in_dutch(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(DUTCH_HEADING)
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home")


def test_it_switches_the_front_page_to_english_and_back(page: Page) -> None:
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The switch now offers the way back, labelled in the language it leads to.
    expect(page.get_by_role("button", name="Nederlands")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home-en")

    with page.expect_navigation():
        page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_it_shows_english_text_after_switching_to_english(desktop_page: Page) -> None:
    page = desktop_page
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # WCAG 3.1.1: the language the page declares must be the language of its text.
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH_HEADING)
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    expect(page.get_by_role("link", name="Skip to content")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text(DUTCH_HEADING)


def test_a_missing_page_says_what_to_do_in_dutch(page: Page) -> None:
    response = page.goto("/bestaat-niet/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    expect(page.get_by_role("link", name="Naar de voorpagina")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "not-found")
