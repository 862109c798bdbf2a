"""Each partner's start page in Chromium at phone and desktop width (issue 9): the coordinator works the
to-do list, the volunteer reads "Mijn inzet" and fetches a certificate, a new member reads the guide, the
beheerder sees what waits, a resident finds their buurt by postcode. Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.accounts.tests.conftest import SECRET
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import ReportOutcome
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup, answers, setup_canvass
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Address
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot, script_errors, watch_script_errors

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _questionnaires() -> None:
    # The live server's transactional tests flush the data migration's questionnaires: load them again.
    load_standard_questionnaires()


def test_the_coordinator_follows_a_to_do_link_to_the_review(page: Page, world: World, incident: Incident) -> None:
    setup = setup_canvass(incident, by=world.alice)
    setup.visit(world.bob, data=answers())
    setup.visit(world.bob, data=answers(), minutes=4)
    watch_script_errors(page)
    log_in(page, world.alice.email)
    page.goto("/coordinator/")
    link = page.locator("#todo").get_by_role("link", name="2 bezoeken te beoordelen")
    expect(link).to_be_visible()
    expect(page.locator("#members")).to_contain_text(str(world.bob))
    assert_accessible(page)
    screenshot(page, "coordinator-todo")
    link.click()
    expect(page).to_have_url(re.compile(rf"/incidenten/{incident.pk}/beoordelen/$"))
    assert script_errors(page) == []


def test_the_volunteer_sees_what_came_of_the_work_and_gets_a_certificate(
    page: Page, world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        report = actions.submit_report(canvass_setup.incident, by=world.alice)
        actions.set_outcome(report, by=world.petra, outcome=ReportOutcome.SUSPECT_IDENTIFIED, usefulness=4)
        actions.thank(report, by=world.petra, message="Heel goed werk aan de deur.", to_user=world.bob)
    watch_script_errors(page)
    log_in(page, world.bob.email)
    page.goto("/vrijwilliger/")
    page.get_by_role("link", name="Mijn inzet en wat de politie ermee deed").click()
    expect(page.locator("#my-doors")).to_have_text("4")
    expect(page.locator("main")).to_contain_text("verdachte geïdentificeerd")
    expect(page.locator("main")).to_contain_text("Heel goed werk aan de deur.")
    assert_accessible(page)
    screenshot(page, "volunteer-my-effort")
    year = timezone.localdate().year
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Bewijs van inzet {year} (Buurtpreventie Noord, pdf)").click()
    assert download.value.suggested_filename == f"bewijs-van-inzet-{year}.pdf"
    page.get_by_role("link", name="Wat Buurtpreventie Noord samen deed").click()
    expect(page.locator(".story")).to_contain_text("De politie: verdachte geïdentificeerd.")
    assert_accessible(page)
    screenshot(page, "volunteer-team-effort")


def test_a_new_member_reads_the_guide(page: Page, world: World) -> None:
    newcomer = MembershipFactory.create(team=world.team, role=Role.VOLUNTEER, user__full_name="Nieuwe Nina").user
    watch_script_errors(page)
    log_in(page, newcomer.email)
    page.goto("/vrijwilliger/")
    expect(page.get_by_role("heading", name="Beschrijf wat iemand deed, niet wie iemand is")).to_be_visible()
    expect(page.get_by_role("heading", name="Wat kunt u nu doen?")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "new-member-guide")


def test_the_beheerder_sees_what_waits(page: Page, world: World) -> None:
    AccessAttempt.objects.create(
        username="bob@example.nl",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=9,
        get_data="",
        post_data="",
    )
    watch_script_errors(page)
    log_in(page, world.admin.email, totp_secret=SECRET)
    page.goto("/beheer/")
    expect(page.locator("#waiting")).to_contain_text("1 account geblokkeerd")
    assert_accessible(page)
    screenshot(page, "admin-waiting")
    page.locator("#waiting").get_by_role("link", name="1 account geblokkeerd").click()
    expect(page.locator("body")).to_contain_text("bob@example.nl")


def test_a_resident_finds_their_buurt_by_postcode(page: Page, world: World) -> None:
    buurt = world.team.buurten.get()
    Address.objects.create(
        nummeraanduiding_id="9999000001",
        street="Dorpsstraat",
        huisnummer=12,
        postcode="9999AB",
        woonplaats="Demodorp",
        gemeente_code=world.gemeente.code,
        buurt_code=buurt.code,
        x=121000,
        y=487000,
        lat=52.0,
        lon=5.0,
        grid_x=1210,
    )
    watch_script_errors(page)
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "front-page-residents")
    form = page.locator("#residents form.postcode-form")
    form.get_by_label("Postcode", exact=True).press_sequentially("9999 ab")
    form.get_by_label("Huisnummer (als u de hele postcode invult)").press_sequentially("12")
    with page.expect_navigation():
        form.get_by_label("Huisnummer (als u de hele postcode invult)").press("Enter")
    expect(page.locator("#found")).to_contain_text(buurt.name)
    assert_accessible(page)
    screenshot(page, "resident-my-buurt")
    page.get_by_role("link", name="Meld u aan voor oproepen in deze buurt (per e-mail)").click()
    expect(page.locator("h1")).to_be_visible()
    assert script_errors(page) == []
