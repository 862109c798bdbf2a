"""The OOV adviser's journey: from the start page through the menu to the grip map, drill down from
gemeente to wijk to buurt, change the figure, and open team health; at phone and desktop width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import BuurtFactory, WijkFactory
from buurtonderzoek.dashboards.tests import history
from conftest import ADMIN_TOTP_SECRET, World
from tests.browser.helpers import assert_accessible, log_in, screenshot, script_errors


def square(lon: float, lat: float) -> dict[str, object]:
    d = 0.004
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
    }


@pytest.mark.browser
def test_the_oov_adviser_finds_the_figures_per_buurt(page: Page, world: World) -> None:
    now = timezone.now()
    for w in range(2):
        wijk = WijkFactory.create(gemeente=world.gemeente, name=f"Wijk {'Noord' if w == 0 else 'Zuid'}")
        for b in range(3):
            buurt = BuurtFactory.create(
                wijk=wijk,
                gemeente=world.gemeente,
                name=f"{wijk.name} buurt {b + 1}",
                boundary=square(5.0 + b * 0.004, 52.0 + w * 0.004),
            )
            doors = history.addresses(4 + 3 * b + w, buurt_code=buurt.code)
            history.walk(world.team, by=world.bob, at=now - timedelta(days=3 + b), doors=doors)
            history.walk(world.team, by=world.bob, at=now - timedelta(days=370 + b), doors=doors[:2])
    give_totp(world.gert)

    log_in(page, world.gert.email, totp_secret=ADMIN_TOTP_SECRET)
    expect(page).to_have_url(re.compile(r"/gemeente/$"))
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Incidenten")).to_have_count(0)
    nav.get_by_role("link", name="Grip op veiligheid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grip op veiligheid: Demodorp")
    expect(page.locator("#grip-map path.leaflet-interactive")).to_have_count(6, timeout=20_000)
    table = page.get_by_role("table", name=re.compile("Cijfers per Wijk"))
    expect(table.get_by_role("row", name=re.compile("Wijk Noord"))).to_contain_text("21")  # 4 + 7 + 10 doors
    assert_accessible(page)
    screenshot(page, "grip-gemeente")

    page.get_by_label("Kleur de kaart naar").select_option(label="Deuren bezocht")
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("heading", name="Kaart: Deuren bezocht per buurt")).to_be_visible()

    table = page.get_by_role("table", name=re.compile("Cijfers per Wijk"))
    table.get_by_role("link", name="Wijk Zuid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grip op veiligheid: Wijk Zuid")
    expect(page.locator("#grip-map path.leaflet-interactive")).to_have_count(3, timeout=20_000)
    buurten = page.get_by_role("table", name=re.compile("Cijfers per Buurt"))
    expect(buurten.get_by_role("row", name=re.compile("Wijk Zuid buurt 3"))).to_contain_text("11")
    screenshot(page, "grip-wijk")

    buurten.get_by_role("link", name="Wijk Zuid buurt 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grip op veiligheid: Wijk Zuid buurt 3")
    expect(page.get_by_role("navigation", name="Kruimelpad").get_by_role("link", name="Wijk Zuid")).to_be_visible()
    page.get_by_text("Dezelfde cijfers als tabel").click()
    months = page.get_by_role("table", name="Deuren bezocht per maand")
    expect(months).to_be_visible()
    assert_accessible(page)
    screenshot(page, "grip-buurt")

    page.get_by_role("link", name="Gezondheid van de teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezondheid van de teams")
    expect(page.get_by_role("table", name="Signalen voor Buurtpreventie Noord")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "grip-teams")
    assert script_errors(page) == []


@pytest.mark.browser
def test_the_oov_adviser_compares_buurten_with_and_without_a_team(page: Page) -> None:
    from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, build_demo
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires()  # a transactional test before this one emptied every table
    build_demo(progress=False)
    log_in(page, "gemeente@demo.buurtonderzoek.nl", DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Grip op veiligheid").click()
    page.get_by_role("link", name="Communitymonitor en buurtpreventie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Communitymonitor en buurtpreventie")
    groups = page.get_by_role("table", name="Indicatoren voor buurten met en zonder actief team")
    expect(groups).to_contain_text("Wat we kunnen zeggen")
    expect(page.get_by_role("table", name="Gebeurtenissen: het eerste buurtonderzoek van elk team")).to_contain_text(
        "Buurtpreventie Lindenhoven-Centrum"
    )
    expect(page.get_by_text("Geen aselecte steekproef")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "grip-monitor")
    assert script_errors(page) == []
