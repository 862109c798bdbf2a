"""Nagekomen bezoeken in Chromium: a door walked after the report reaches the police as a supplement.

The volunteer records a late visit in the field app, the coordinator reviews it and sends the
supplement, the police officer sees it as new in the inbox and marks it received, and the volunteer
sees it on the report page.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.tests.conftest import SECRET
from buurtonderzoek.canvass.actions import assign_route_members
from buurtonderzoek.canvass.models import DoorVisit, ReviewStatus
from buurtonderzoek.canvass.tests.test_field_browser import choose, record
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import ReportSupplement
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot, script_errors, send_waiting_visits

pytestmark = pytest.mark.browser


def at_the_door(page: Page) -> None:
    choose(page, "respondent_type", "Bewoner")
    choose(page, "privacy_notice_shown", "Nee")
    choose(page, "present", "Ja")
    choose(page, "seen_anything", "Nee")
    choose(page, "has_camera", "Nee")
    choose(page, "contact_consent", "Nee")


def test_a_late_visit_reaches_the_police_as_a_supplement(
    new_page: Callable[[str], Page], world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    route = canvass_setup.canvass.routes.get()
    assign_route_members(route, by=world.alice, members=[world.bob, world.alice])
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.submit_report(canvass_setup.incident, by=world.alice)

    # --- The volunteer walks a door that was still open after the report. -------------------------
    volunteer = new_page("phone")
    log_in(volunteer, world.bob.email)
    volunteer.goto("/veld/")
    expect(volunteer.locator(".route-card")).to_have_count(1, timeout=20_000)
    volunteer.goto(f"/veld/routes/{route.pk}/")
    expect(volunteer.locator("main[data-ready='1']")).to_be_attached()
    record(volunteer, 5, "Gesproken", at_the_door)
    send_waiting_visits(volunteer)  # online, the app may already have sent it by itself
    expect(volunteer.locator("#unsent-count")).to_have_text("0", timeout=20_000)
    late = DoorVisit.objects.exclude(pk__in=[v.pk for v in canvass_setup.visits]).get()
    assert late.review_status == ReviewStatus.RECEIVED

    # --- The coordinator reviews it and sends the supplement. --------------------------------------
    coordinator = new_page("desktop")
    log_in(coordinator, world.alice.email)
    coordinator.goto(f"/incidenten/{canvass_setup.incident.pk}/beoordelen/{late.pk}/")
    coordinator.get_by_label("Goedkeuren: de verklaring telt mee").check()
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Opslaan en volgende").click()
    coordinator.goto(f"/verslagen/{report.pk}/")
    expect(coordinator.locator("#supplements")).to_contain_text("nog niet naar de politie gestuurd")
    with coordinator.expect_navigation():
        coordinator.get_by_role("link", name="Nagekomen bezoeken versturen").click()
    expect(coordinator.locator("#late-statements li")).to_have_count(1)
    assert_accessible(coordinator)
    screenshot(coordinator, "handoff-supplement-submit")
    with coordinator.expect_navigation(timeout=60_000):
        coordinator.get_by_role("button", name="Aanvulling versturen").click()
    expect(coordinator.locator("h1")).to_have_text(f"Aanvulling {report.number}-A1")
    supplement = ReportSupplement.objects.get()
    assert supplement.witness_sources == {"G1": {"visit": late.pk}}

    # --- The police see it as new, open it and mark it received. -----------------------------------
    police = new_page("desktop")
    log_in(police, world.petra.email, totp_secret=SECRET)
    police.goto("/verslagen/")
    expect(police.locator("#report-table")).to_contain_text("1 nieuwe aanvulling")
    screenshot(police, "handoff-inbox-supplement")
    police.get_by_role("link", name=report.number, exact=True).click()
    police.locator("#supplements").get_by_role("link", name="Aanvulling 1").click()
    expect(police.locator("#supplement-state")).to_have_text("nieuw")
    assert_accessible(police)
    screenshot(police, "handoff-supplement-police")
    with police.expect_navigation():
        police.get_by_role("button", name="Markeer als ontvangen").click()
    expect(police.locator("#supplement-state")).to_have_text("ontvangen")
    supplement.refresh_from_db()
    assert supplement.received_at is not None

    # --- The volunteer sees it on the report page. -------------------------------------------------
    volunteer.goto(f"/verslagen/{report.pk}/")
    expect(volunteer.locator("#supplements")).to_contain_text("Aanvulling 1")
    expect(volunteer.locator("#supplements")).to_contain_text("ontvangen door de politie")
    screenshot(volunteer, "handoff-supplement-volunteer")
    for page in (volunteer, coordinator, police):
        assert script_errors(page) == []
