"""axe-core on the monitor's results page (map, scrollable tables) and a wave's page, at phone and desktop
width: no WCAG 2.0/2.1 A or AA violation (issue 12)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import assert_axe_clean, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # conftest.give_totp


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_results_and_the_wave_page_are_axe_clean(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
    width: str,
) -> None:
    close_wave(mworld.wave)
    page = new_page(width)
    log_in(page, mworld.world.gert.email, totp_secret=TOTP_SECRET)
    page.goto(f"/monitor/{mworld.world.gemeente.code}/?indicator=unsafe_buurt")
    expect(page.locator(".table-scroll").first).to_be_attached()
    assert_axe_clean(page)
    page.goto(f"/monitor/meetronde/{mworld.wave.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meetronde {mworld.wave.name}")
    expect(page.locator(".table-scroll").first).to_be_attached()
    assert_axe_clean(page)
