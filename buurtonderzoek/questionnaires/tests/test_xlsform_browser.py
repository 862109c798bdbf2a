"""A coordinator brings in a KoboToolbox form in Chromium: picks the file, reads what was left out,
ticks that she read it (keyboard) and publishes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.questionnaires.models import QuestionnaireVersion, VersionStatus
from buurtonderzoek.questionnaires.tests.test_xlsform_views import FORM
from conftest import World
from tests.browser.conftest import _fresh_cache, browser, desktop_page, new_page, page, phone_page  # noqa: F401
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_coordinator_brings_in_a_kobo_form_and_publishes_it(page: Page, world: World, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "buurtvragen.xlsx"
    path.write_bytes(FORM)
    log_in(page, world.alice.email)
    page.goto("/start/")
    page.get_by_role("link", name="Vragenlijst uit ODK of KoboToolbox inlezen").click()
    assert_accessible(page)
    screenshot(page, "xlsform-upload")
    page.get_by_label("XLSForm-bestand (.xls of .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Inlezen en bekijken").click()
    expect(page.get_by_role("heading", name="punten niet overgenomen")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("table")).to_contain_text("Hoeveel mensen?")
    expect(page.get_by_role("table")).to_contain_text("${seen} = 'ja'")
    assert_accessible(page)
    screenshot(page, "xlsform-preview")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Vink aan dat u de lijst heeft gelezen").first).to_be_visible(timeout=30_000)
    box = page.get_by_label("Ik heb gelezen wat niet is overgenomen")
    box.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("status")).to_contain_text("is gepubliceerd", timeout=30_000)
    version = QuestionnaireVersion.objects.get(questionnaire__slug="kobo_buurt")
    assert version.status == VersionStatus.PUBLISHED
