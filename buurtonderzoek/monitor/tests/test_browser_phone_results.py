"""On a phone the results map's labels never cover each other and the bar chart's buurt names are not
cut off (issue 8). Small buurten side by side, with long names, at 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.places.models import BuurtPopulation
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # conftest.give_totp


def test_map_labels_and_chart_labels_stay_readable_on_a_phone(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
    fill: Callable[..., Any],
) -> None:
    for index, each in enumerate(mworld.buurten):
        lon, lat = 5.10 + 0.0016 * index, 52.05  # six narrow buurten in a row
        ring = [[lon, lat], [lon + 0.0015, lat], [lon + 0.0015, lat + 0.004], [lon, lat + 0.004], [lon, lat]]
        each.boundary = {"type": "Polygon", "coordinates": [ring]}
        each.name = f"Buurt met een lange naam aan de {index + 1}e Dwarsstraat"
        each.save(update_fields=["boundary", "name"])
    for each in mworld.buurten:  # CBS totals loaded: the page says which weighting the figures use
        BuurtPopulation.objects.create(
            buurt=each, year=2024, inhabitants=900, men=440, women=460, age_0_14=120,
            age_15_24=110, age_25_44=230, age_45_64=250, age_65_plus=190,
        )  # fmt: skip
    fill(mworld.wave, {b.pk: 24 for b in mworld.buurten})
    close_wave(mworld.wave)

    phone = new_page("phone")
    log_in(phone, mworld.world.gert.email, totp_secret=TOTP_SECRET)
    phone.goto(f"/monitor/{mworld.world.gemeente.code}/?indicator=unsafe_buurt")
    expect(phone.locator("#buurt-map .map-label").first).to_be_attached(timeout=30_000)
    expect(phone.locator("#weighting")).to_contain_text("CBS-kerncijfers 2024")
    boxes = phone.evaluate(
        """() => Array.from(document.querySelectorAll('#buurt-map .map-label'))
             .filter(el => getComputedStyle(el).visibility !== 'hidden')
             .map(el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    assert boxes, "at least one label is shown"
    frame = phone.locator("#buurt-map").bounding_box()
    assert frame is not None
    for left, top, right, bottom in boxes:  # inside the map, not cut off at its edge
        assert frame["x"] <= left and right <= frame["x"] + frame["width"], (left, right, frame)
        assert frame["y"] <= top and bottom <= frame["y"] + frame["height"], (top, bottom, frame)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), f"labels overlap: {a} {b}"
    # Every buurt name fits in the bar chart's axis: wrapped over lines, not cut off at the edge.
    fits = phone.evaluate(
        """() => { const c = Chart.getChart('bar-chart'); const y = c.scales.y;
                   return {widest: y._labelSizes.widest.width, room: y.width, left: y.left}; }"""
    )
    assert fits["left"] >= 0 and fits["widest"] <= fits["room"], fits
    # ... and the wrapped names of neighbouring bars do not run into each other.
    rows = phone.evaluate(
        """() => { const y = Chart.getChart('bar-chart').scales.y;
                   return {step: y.height / y.ticks.length, tallest: y._labelSizes.highest.height}; }"""
    )
    assert rows["tallest"] <= rows["step"], rows
    screenshot(phone, "monitor-results-phone")
