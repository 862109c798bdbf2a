"""English as the second language: the catalogue is complete, and pages switched to English read as English.

The interface is Dutch first; every msgid is Dutch and locale/en holds the English. The catalogue
checks run the GNU gettext tools that `compilemessages` needs anyway; the browser tests switch the
language the way a visitor does (the button in the header) and look for the English texts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot

# The project catalogue and the apps' own (makemessages files an app's strings in its locale/ folder
# when it has one): an English text lost from any of them shows Dutch on an English page.
ENGLISH_CATALOGUES = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("**/locale/en/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "site-packages" not in path.parts
)
CATALOGUE = pytest.mark.parametrize(
    "catalogue", ENGLISH_CATALOGUES, ids=[str(p.relative_to(settings.BASE_DIR)) for p in ENGLISH_CATALOGUES]
)
# Every catalogue, Dutch ones too: the Dutch catalogues translate Django's own English messages, and one
# that drops a placeholder makes `compilemessages` fail on a fresh checkout (msgfmt --check is fatal there).
EVERY_CATALOGUE = sorted(
    path
    for path in Path(settings.BASE_DIR).glob("**/locale/*/LC_MESSAGES/django.po")
    if ".venv" not in path.parts and "site-packages" not in path.parts
)
MSGATTRIB = shutil.which("msgattrib") or "msgattrib"
MSGFMT = shutil.which("msgfmt") or "msgfmt"
GETTEXT = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="GNU gettext is not installed")


def _gettext_tool(*args: str) -> subprocess.CompletedProcess[str]:
    # Fixed GNU gettext tools on our own catalogue file.
    return subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603


def _entries(output: str) -> list[str]:
    """The msgids in msgattrib output, without the header entry (the one whose msgid is empty)."""
    blocks = [block for block in output.split("\n\n") if "msgid " in block]
    return [block for block in blocks if not re.search(r'^msgid ""\nmsgstr ""', block, flags=re.MULTILINE)]


@GETTEXT
@CATALOGUE
def test_it_translates_every_message_of_the_english_catalogue(catalogue: Path) -> None:
    untranslated = _gettext_tool(MSGATTRIB, "--untranslated", "--no-obsolete", "--no-wrap", str(catalogue))
    assert untranslated.returncode == 0, untranslated.stderr
    assert _entries(untranslated.stdout) == [], f"untranslated in {catalogue}; run `make messages` and translate"


@GETTEXT
@CATALOGUE
def test_it_has_no_fuzzy_english_translations(catalogue: Path) -> None:
    fuzzy = _gettext_tool(MSGATTRIB, "--only-fuzzy", "--no-obsolete", "--no-wrap", str(catalogue))
    assert fuzzy.returncode == 0, fuzzy.stderr
    # gettext ignores fuzzy entries at run time, so a fuzzy translation shows the Dutch text.
    assert _entries(fuzzy.stdout) == []


@GETTEXT
@pytest.mark.parametrize(
    "catalogue", EVERY_CATALOGUE, ids=[str(p.relative_to(settings.BASE_DIR)) for p in EVERY_CATALOGUE]
)
def test_it_keeps_placeholders_and_plurals_intact(catalogue: Path) -> None:
    # --check verifies python-format placeholders, plural forms and the header.
    result = _gettext_tool(MSGFMT, "--check", "--output-file=/dev/null", str(catalogue))
    assert result.returncode == 0, result.stderr


def _switch_to_english(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.browser
def test_it_shows_the_login_page_in_english(desktop_page: Page, world: World) -> None:
    page = desktop_page
    page.goto("/accounts/login/")
    _switch_to_english(page)
    # The language switch returns to the page it was pressed on.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_text("Log in with the email address at which you were invited.")).to_be_visible()
    expect(page.locator("main").get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Inloggen")
    assert_accessible(page)
    screenshot(page, "login-en")


@pytest.mark.browser
def test_it_keeps_a_coordinator_in_english_from_page_to_page(page: Page, world: World) -> None:
    log_in(page, world.alice.email)
    expect(page).to_have_url(re.compile(r"/coordinator/$"))
    _switch_to_english(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {world.alice}")
    expect(page.get_by_role("heading", name="My organisations")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main menu")
    expect(nav.get_by_role("link", name="My start page")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "start-coordinator-en")

    # The choice is remembered: the next page is English too, without pressing the switch again.
    nav.get_by_role("link", name="Incidents").click()
    expect(page).to_have_url(re.compile(r"/incidenten/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Register incident")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Incident registreren")

    with page.expect_navigation():
        page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Incident registreren")).to_be_visible()
