"""The buurtbeeld, the library and the table page at phone and desktop width: accessible, and looked at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.impact.models import Action, ActionStatus
from buurtonderzoek.impact.tests.conftest import ImpactWorld, StoreWave, propose
from tests.browser.conftest import _fresh_cache, browser, new_page, page  # noqa: F401 - shared fixtures
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_buurtbeeld_library_and_table_pages(page: Page, iworld: ImpactWorld, store_wave: StoreWave) -> None:  # noqa: F811
    today = timezone.localdate()
    for name, days, share in (("Voorjaar", 300, 0.4), ("Najaar", 60, 0.2)):
        values = {
            b.pk: {"unsafe_buurt": [1.0] * int(40 * share) + [0.0] * (40 - int(40 * share))} for b in iworld.buurten
        }
        store_wave(
            iworld.world.gemeente.pk, name, today - timedelta(days=days), today - timedelta(days=days - 20), values
        )
    iworld.world.team.buurten.add(iworld.buurten[0])
    action = propose(iworld, title="Avondrondes Noord")
    Action.objects.filter(pk=action.pk).update(
        status=ActionStatus.EVALUATED,
        evaluation={
            "indicators": [{"label": "Voelt zich onveilig", "words": "Geen aantoonbaar effect.", "power_warning": ""}]
        },
    )
    log_in(page, "alice@example.nl")
    page.goto(f"/impact/overleg/{iworld.table.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Driehoek Noord")
    assert_accessible(page)
    screenshot(page, "impact-table")
    page.get_by_role("link", name="Buurtbeeld voor het overleg").click()
    expect(page.get_by_role("heading", name="Noordbuurt 1 (Wijk Noord)")).to_be_visible(timeout=20_000)
    assert_accessible(page)
    screenshot(page, "impact-buurtbeeld")
    page.goto("/impact/bibliotheek/")
    page.get_by_label("Zoek op probleem").press_sequentially("onveilig")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("link", name="Avondrondes Noord")).to_be_visible(timeout=20_000)
    assert_accessible(page)
    screenshot(page, "impact-library")
