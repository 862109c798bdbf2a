"""The police officer's note with an outcome: typing into it gives exactly the typed text, never old text plus new.

The demo report already has an outcome with the note "De zaak loopt nog.". The field used to be filled in with
that note, so an officer who clicked into it and typed stored the old note with the new words stuck to its end.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DOMAIN, build_demo
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome
from tests.browser.helpers import assert_axe_clean, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_outcome_note_replaces_the_earlier_one_which_is_shown_beside_it(desktop_page: Page) -> None:
    build_demo(progress=False)
    report = PoliceReport.objects.get()
    earlier = report.outcome_note
    assert earlier  # the demo's outcome has a note: otherwise this test proves nothing
    page = desktop_page
    log_in(page, f"politie@{DOMAIN}", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.goto(f"/verslagen/{report.pk}/")

    note = page.locator("#id_outcome-note")
    expect(note).to_have_value("")
    # The earlier note is read out with the field (its description) and seen right above it.
    expect(page.locator("#id_outcome-note_helptext")).to_contain_text(earlier)
    expect(note).to_have_attribute("aria-describedby", "id_outcome-note_helptext")
    page.locator("#id_outcome-outcome").select_option(ReportOutcome.SUSPECT_ARRESTED.value)
    note.click()
    page.keyboard.type("Verdachte aangehouden dankzij het kenteken.")
    with page.expect_navigation():
        page.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(page.locator(".messages")).to_contain_text("De uitkomst is vastgelegd")
    assert_axe_clean(page)

    report.refresh_from_db()
    assert report.outcome == ReportOutcome.SUSPECT_ARRESTED
    assert report.outcome_note == "Verdachte aangehouden dankzij het kenteken."
    # The usefulness and the helpful parts were kept as they were (the form shows them chosen).
    assert report.usefulness == 4 and report.helpful_parts

    # Changing only the outcome again, with the note left empty, leaves no note (the help text says so).
    expect(note).to_have_value("")
    expect(page.locator("#id_outcome-note_helptext")).to_contain_text("Verdachte aangehouden dankzij het kenteken.")
    page.locator("#id_outcome-outcome").select_option(ReportOutcome.INFORMATION_USED.value)
    with page.expect_navigation():
        page.get_by_role("button", name="Uitkomst vastleggen").click()
    report.refresh_from_db()
    assert report.outcome == ReportOutcome.INFORMATION_USED and report.outcome_note == ""
    expect(page.locator("#id_outcome-note_helptext")).to_have_count(0)
