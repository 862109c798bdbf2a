"""A buurt name from an import is text on the results map, never HTML (Leaflet reads strings as HTML)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # conftest.give_totp
NAME = '<img src=x onerror="window.pwned=1">Buurt A1'


def test_a_buurt_name_with_markup_is_shown_as_text_on_the_map(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
) -> None:
    for index, each in enumerate(mworld.buurten):
        lon, lat = 5.10 + 0.01 * (index % 3), 52.05 + 0.01 * (index // 3)
        ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        each.boundary = {"type": "Polygon", "coordinates": [ring]}
        if index == 0:
            each.name = NAME
        each.save(update_fields=["boundary", "name"])
    close_wave(mworld.wave)  # the map exists for closed waves only (docs/monitor.md)

    desk = new_page("desktop")
    log_in(desk, mworld.world.gert.email, totp_secret=TOTP_SECRET)
    desk.goto(f"/monitor/{mworld.world.gemeente.code}/?indicator=unsafe_buurt")
    label = desk.locator("#buurt-map .map-label", has_text="Buurt A1")
    expect(label).to_contain_text(NAME)
    assert desk.locator("#buurt-map img[src=x]").count() == 0
    assert desk.evaluate("window.pwned") is None
    desk.locator(f'#buurt-map path[aria-describedby="{label.get_attribute("id")}"]').click()
    expect(desk.locator("#buurt-map .leaflet-popup-content")).to_contain_text(NAME)
    assert desk.evaluate("window.pwned") is None
    screenshot(desk, "monitor-map-name-as-text")
