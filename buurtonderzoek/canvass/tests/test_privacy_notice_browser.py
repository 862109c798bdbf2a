"""A volunteer who showed the privacy statement says so, offline too, and the visit keeps its version."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.tests.test_field_browser import (  # the field app's browser fixtures and steps
    choose,
    context,  # noqa: F401
    errors_of,
    field,  # noqa: F401
    open_route,
    record,
    shot,
    wait_for_service_worker,
)
from buurtonderzoek.canvass.tests.test_field_support import Field
from buurtonderzoek.privacy.statement import current_version, statement_url
from tests.browser.helpers import assert_accessible, log_in, send_waiting_visits

pytestmark = pytest.mark.browser


def test_a_volunteer_who_answers_ja_saves_and_the_visit_keeps_the_statement_version(
    context: BrowserContext,  # noqa: F811
    field: Field,  # noqa: F811
) -> None:
    version = current_version()
    page = context.new_page()
    errors = errors_of(page)
    log_in(page, field.world.bob.email)
    open_route(page, field)
    wait_for_service_worker(page)
    context.set_offline(True)  # the version came with the route; the door has no signal

    def at_the_door(p: Page) -> None:
        choose(p, "respondent_type", "Bewoner")
        choose(p, "privacy_notice_shown", "Ja")
        shown = p.locator("#qf-privacy_notice_version")
        expect(shown).to_be_visible()
        expect(shown).to_have_value(version)
        choose(p, "present", "Nee")
        choose(p, "seen_anything", "Nee")
        choose(p, "has_camera", "Nee")
        choose(p, "contact_consent", "Nee")
        assert_accessible(p)
        shot(p, "field-visit-privacy-notice")

    record(page, 1, "Gesproken", at_the_door)
    expect(page.locator("#unsent-count")).to_have_text("1")
    context.set_offline(False)
    send_waiting_visits(page)  # back online the app may already have sent it by itself
    expect(page.locator("#unsent-count")).to_have_text("0")

    visit = DoorVisit.objects.get(canvass=field.canvass)
    assert visit.answers["privacy_notice_shown"] == "ja"
    assert visit.answers["privacy_notice_version"] == version
    assert errors == []

    # The version the resident was shown is readable at its own address.
    page.goto(statement_url(version))
    expect(page.locator("h1")).to_have_text("Privacyverklaring")
    expect(page.locator(".lead")).to_contain_text(f"Versie {version}")
    assert_accessible(page)
    shot(page, "privacy-statement")
    assert errors == []
