"""The coordinator's canvass and the resident's tip, in Chromium against the live server.

Requests to any host other than the live server are aborted (see tests/browser/conftest.py), so
the maps run without tiles, as they must on a server without internet access.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.canvass.actions import plan_canvass
from buurtonderzoek.canvass.models import Canvass, Tip
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.jobs.tests.browser import wait_and_download
from buurtonderzoek.places.models import Address
from buurtonderzoek.privacy.statement import current_version
from conftest import World
from tests.browser.helpers import SCREENSHOT_DIR, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def streets(world: World) -> list[Address]:
    return make_streets(world.gemeente.code)


def save_pdf(content: bytes, name: str, *, raw: bool = False) -> tuple[str, list[Path]]:
    """Keep the PDF beside the screenshots, as text and as PNG pages to look at.

    raw: the text in drawing order (pdftotext -raw), so a name wrapped in a table cell stays together
    instead of being interleaved with the columns beside it."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        ["/usr/bin/pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(path), str(path.with_suffix(""))],
        check=True,
    )
    mode = ["-raw"] if raw else []
    text = subprocess.run(  # noqa: S603 - fixed poppler tool on a file we wrote
        ["/usr/bin/pdftotext", *mode, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split()), sorted(SCREENSHOT_DIR.glob(f"{name}-*.png"))


def test_a_coordinator_registers_plans_splits_assigns_and_prints(
    desktop_page: Page, world: World, streets: list[Address], settings: Any
) -> None:
    page = desktop_page
    settings.ROUTE_OPTIMISE_SECONDS = 1.0  # planning improves the routes with OR-Tools in the worker
    victim = central_address(world.gemeente.code)
    # A walker's name long enough to wrap in the walking list's cell (CI once drew one at random and lost it).
    world.bob.full_name = "Adriana van Dongen-Scuylenborchs"
    world.bob.save(update_fields=["full_name"])
    log_in(page, world.alice.email)

    # Register the incident: the address comes from the htmx suggestions.
    page.goto("/incidenten/nieuw/")
    page.select_option("#id_incident_type", "woninginbraak")
    start = timezone.localtime() - timedelta(hours=20)
    page.fill("#id_occurred_from", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_occurred_until", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_address_query").press_sequentially(f"{victim.street} {victim.huisnummer}", delay=20)
    choice = page.locator(f'#address-results input[name=address][value="{victim.pk}"]')
    expect(choice).to_be_visible()
    choice.check()
    page.fill("#id_description", "Inbraak via de achterdeur, laptop en sieraden weg.")
    page.check("#id_victim_consent")
    screenshot(page, "incident-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Registreren").click()
    incident = Incident.objects.get()
    assert incident.address_id == victim.pk
    expect(page.locator("#incident-history")).to_contain_text("geregistreerd")
    assert_accessible(page)
    screenshot(page, "incident-detail")

    # Plan a 150 m canvass on the map.
    page.get_by_role("link", name="Buurtonderzoek plannen").click()
    expect(page.locator('#plan-map[data-ready="1"]')).to_be_attached()
    doors = int(page.locator("#door-count").inner_text())
    assert doors > 100
    assert page.locator("#id_radius_m").input_value() == "150"
    page.fill("#id_route_count", "4")
    assert_accessible(page)
    screenshot(page, "canvass-plan")
    with page.expect_navigation():
        page.get_by_role("button", name="Plan opslaan en routes maken").click()
    canvass = Canvass.objects.get(incident=incident)
    assert canvass.door_count == doors and canvass.routes.count() == 4
    expect(page.locator("#routes-table tbody tr")).to_have_count(4)

    # Assign a pair to the first route and one walker to the second.
    first, second = canvass.routes.order_by("number")[:2]
    page.select_option(f"#route-{first.pk}-a", str(world.alice.pk))
    page.select_option(f"#route-{first.pk}-b", str(world.bob.pk))
    page.select_option(f"#route-{second.pk}-a", str(world.bob.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Lopers opslaan").click()
    expect(page.locator(".messages")).to_contain_text("2 routes gewijzigd")
    assert set(first.members.all()) == {world.alice, world.bob}
    expect(page.locator('#coverage-map[data-ready="1"]')).to_be_attached()
    assert page.locator("#coverage-map").get_attribute("data-doors") == str(doors)
    assert_accessible(page)
    screenshot(page, "canvass-overview")

    # The walking list is a PDF with the route's streets and walkers, made in the background.
    with page.expect_navigation():
        page.locator(f'#routes-table tr[data-route="{first.number}"] button', has_text="PDF").click()
    content, content_type, filename = wait_and_download(page)
    assert content_type == "application/pdf" and filename == f"looplijst-route-{first.number}.pdf"
    screenshot(page, "walking-list-ready")
    text, pngs = save_pdf(content, "walking-list", raw=True)
    # A long name may wrap in its table cell, so compare without the spaces.
    assert "Looplijst" in text and "".join(str(world.bob).split()) in "".join(text.split()) and pngs


def test_a_resident_sends_a_tip_from_the_leaflet_and_the_coordinator_reads_it(
    new_page: Callable[[str], Page], world: World, streets: list[Address]
) -> None:
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    plan_canvass(incident, by=world.alice, route_count=3, radius_m=120)

    coordinator = new_page("desktop")
    log_in(coordinator, world.alice.email)
    coordinator.goto(f"/incidenten/{incident.pk}/buurtonderzoek/")
    coordinator.get_by_label("A6 (briefkaart, past in elke brievenbus)").check()
    coordinator.get_by_label("Aantal briefjes").fill("3")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Briefjes maken (PDF)").click()
    content, content_type, filename = wait_and_download(coordinator)
    assert content_type == "application/pdf" and filename == "briefjes-a6-3.pdf"
    text, pngs = save_pdf(content, "leaflet-a6")
    assert pngs
    match = re.search(r"https?://\S+?(/tip/[\w-]+/)", "".join(text.split()))
    assert match, text
    tip_path = match.group(1)

    resident = new_page("phone")
    resident.goto(tip_path)
    expect(resident.get_by_role("heading", level=1)).to_have_text("Heeft u iets gezien of gehoord?")
    assert_accessible(resident)
    resident.fill("#id_text", "Rond half drie een man met een rugzak en zwarte capuchon die aan deuren voelde.")
    screenshot(resident, "tip-form")
    # A person takes a few seconds; the form refuses anything faster.
    resident.wait_for_timeout(3200)
    with resident.expect_navigation():
        resident.get_by_role("button", name="Tip versturen").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text("Bedankt voor uw tip")
    screenshot(resident, "tip-thanks")
    tip = Tip.objects.get()
    assert tip.incident == incident and not tip.contact_consent and tip.ip_hash
    assert tip.privacy_version == current_version()  # the version the form linked to

    coordinator.goto(f"/incidenten/{incident.pk}/buurtonderzoek/tips/")
    expect(coordinator.locator("article.tip")).to_contain_text("zwarte capuchon")
    expect(coordinator.locator("article.tip")).to_contain_text("Anoniem")
    assert_accessible(coordinator)
    screenshot(coordinator, "tips")


def test_the_canvass_pages_work_at_phone_and_desktop_width(page: Page, world: World, streets: list[Address]) -> None:
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    log_in(page, world.alice.email)
    page.goto(f"/incidenten/{incident.pk}/buurtonderzoek/plan/")
    expect(page.locator('#plan-map[data-ready="1"]')).to_be_attached()
    # Widening the radius fetches the new area; the count follows.
    before = int(page.locator("#door-count").inner_text())
    page.fill("#id_radius_m", "60")
    expect(page.locator("#door-count")).not_to_have_text(str(before))
    assert int(page.locator("#door-count").inner_text()) < before
    screenshot(page, "canvass-plan-radius")
    page.fill("#id_radius_m", "150")
    expect(page.locator("#door-count")).to_have_text(str(before))
    with page.expect_navigation():
        page.get_by_role("button", name="Plan opslaan en routes maken").click()
    expect(page.locator('#coverage-map[data-ready="1"]')).to_be_attached()
    screenshot(page, "canvass-routes")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], "the page scrolls sideways"
