"""Logging in for each role in a real browser, keyboard use, wrong passwords and logging out.

Police and municipal accounts are sent to set up an authenticator app before anything else;
the test plays the app by reading the secret from the page and computing the code (RFC 6238).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pytest
from playwright.sync_api import Page, expect

from conftest import ADMIN_TOTP_SECRET, World
from tests.browser.helpers import (
    PASSWORD,
    assert_accessible,
    confirm_password_if_asked,
    has_visible_focus,
    log_in,
    screenshot,
    set_up_totp,
)

pytestmark = pytest.mark.browser


class Landing(NamedTuple):
    persona: str
    path: str
    organisation: str
    needs_totp: bool


LANDINGS = [
    Landing("bob", "/vrijwilliger/", "Buurtpreventie Noord", needs_totp=False),
    Landing("alice", "/coordinator/", "Buurtpreventie Noord", needs_totp=False),
    Landing("petra", "/politie/", "Basisteam Demodorp", needs_totp=True),
    Landing("gert", "/gemeente/", "Demodorp", needs_totp=True),
]
ROLE_NAMES = {"bob": "volunteer", "alice": "coordinator", "petra": "police", "gert": "municipal"}


def test_it_shows_an_accessible_login_page(page: Page, world: World) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("input[name=login]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login")


@pytest.mark.parametrize("landing", LANDINGS, ids=[landing.persona for landing in LANDINGS])
def test_it_lands_each_role_on_its_own_start_page(page: Page, world: World, landing: Landing) -> None:
    user = getattr(world, landing.persona)
    log_in(page, user.email)

    if landing.needs_totp:
        # Sensitive roles get nowhere before an authenticator is set up, not even by typing a URL.
        if "/accounts/reauthenticate/" in page.url:
            # allauth asks for the password again before 2FA settings change, even right after login.
            screenshot(page, f"reauthenticate-{ROLE_NAMES[landing.persona]}")
            confirm_password_if_asked(page)
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
        assert_accessible(page)
        screenshot(page, f"totp-setup-{ROLE_NAMES[landing.persona]}")
        page.goto(landing.path)
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
        set_up_totp(page)
        expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
        # The recovery codes come next; from there the user continues to the start page.
        page.locator("main").get_by_role("link", name=re.compile("startpagina")).click()

    expect(page).to_have_url(re.compile(re.escape(landing.path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(user))
    organisations = page.locator("section", has=page.get_by_role("heading", name="Mijn organisaties"))
    expect(organisations).to_contain_text(landing.organisation)
    expect(organisations).not_to_contain_text("Elders")
    assert_accessible(page)
    screenshot(page, f"start-{ROLE_NAMES[landing.persona]}")


def test_it_lands_the_admin_on_the_platform_overview(page: Page, world: World) -> None:
    log_in(page, world.admin.email, totp_secret=ADMIN_TOTP_SECRET)
    expect(page).to_have_url(re.compile(r"/beheer/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beheer")
    # The admin sees every organisation on the platform: both gemeenten and both teams.
    stats = page.locator("dl.stats")
    expect(stats.locator("div", has_text="Gemeenten").locator("dd")).to_have_text("2")
    expect(stats.locator("div", has_text="Teams").locator("dd")).to_have_text("2")
    expect(stats.locator("div", has_text="Politie-eenheden").locator("dd")).to_have_text("1")
    assert_accessible(page)
    screenshot(page, "start-admin")


def test_it_refuses_a_wrong_password_with_a_dutch_message(desktop_page: Page, world: World) -> None:
    page = desktop_page
    log_in(page, world.bob.email, password="niet-het-goede-wachtwoord")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    error = page.get_by_text(
        re.compile(r"wachtwoord\b.*\b(niet|onjuist)|\b(niet|onjuist)\b.*wachtwoord", re.IGNORECASE)
    )
    expect(error.first).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(re.compile(r"password", re.IGNORECASE))
    # The e-mail address stays filled in, the password does not.
    expect(page.locator("input[name=login]")).to_have_value(world.bob.email)
    expect(page.locator("input[name=password]")).to_have_value("")
    assert_accessible(page)
    screenshot(page, "login-error")


def test_it_reaches_the_login_form_by_keyboard_through_the_skip_link(page: Page, world: World) -> None:
    page.goto("/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    assert has_visible_focus(page), "the focused skip link is off-screen or has no focus outline"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    # The next Tab stops inside the content, past the header: on the front page, the login button.
    page.keyboard.press("Tab")
    login_button = page.locator("main").get_by_role("link", name="Inloggen")
    expect(login_button).to_be_focused()
    assert has_visible_focus(page), "the focused login button has no focus outline"

    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The login page puts the cursor in the e-mail field, so typing can start at once.
    email = page.locator("input[name=login]")
    expect(email).to_be_focused()
    assert has_visible_focus(page), "the focused e-mail field has no focus outline"
    page.keyboard.type(world.bob.email)
    password = page.locator("input[name=password]")
    # At most a link in between (the "forgotten password" help); each stop must show its focus.
    for _ in range(3):
        page.keyboard.press("Tab")
        assert has_visible_focus(page), "a focused element in the login form has no focus outline"
        if password.evaluate("el => el === document.activeElement"):
            break
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/vrijwilliger/$"))


def test_it_offers_the_skip_link_first_on_the_login_page(desktop_page: Page, world: World) -> None:
    page = desktop_page
    page.goto("/accounts/login/")
    # Shift+Tab from the autofocused field walks back through the header to the skip link.
    for _ in range(10):
        if page.evaluate("() => document.activeElement.classList.contains('skip-link')"):
            break
        page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    assert has_visible_focus(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # From the skip target the first stop is in the content; the login form is reachable without the header.
    assert page.evaluate("() => !!document.activeElement.closest('main')")
    assert has_visible_focus(page)


def test_it_logs_out_and_forgets_the_session(desktop_page: Page, world: World) -> None:
    page = desktop_page
    log_in(page, world.alice.email)
    expect(page).to_have_url(re.compile(r"/coordinator/$"))

    page.get_by_role("button", name="Uitloggen").click()
    # allauth may ask for confirmation on its own page; the header button posts directly.
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)

    page.goto("/coordinator/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
