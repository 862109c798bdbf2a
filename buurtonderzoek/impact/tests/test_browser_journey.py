"""The whole loop in a browser: the gemeente proposes an action, police and coordinator check it and
agree, it runs, the next monitor wave closes, and all three see the measured effect.

Gert (gemeente) works at desktop width, petra (politie) and alice (coordinator) on phones. The monitor
waves are stored aggregates (ResultCell): 150 answers per buurt and wave; in the action's two buurten
feeling unsafe falls from 40% to 20%, elsewhere from 40% to 38%.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.impact.models import Action, ActionStatus
from buurtonderzoek.impact.tests.conftest import ImpactWorld, StoreWave
from buurtonderzoek.monitor.tests.conftest import close_wave
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # monitor.tests.conftest.give_totp


def _answers(share: float, n: int = 150) -> dict[str, list[float]]:
    yes = round(share * n)
    return {"unsafe_buurt": [1.0] * yes + [0.0] * (n - yes)}


def _check(page: Page, *, worth: str, shows: str) -> None:
    page.get_by_label("Wat is de actie waard voor uw partij?").press_sequentially(worth)
    page.get_by_label("Hoe zal dat blijken?").press_sequentially(shows)
    for group, score in (
        ("Waarde voor uw partij (1-5)", "4"),
        ("Kwaliteit en genoeg signalen (1-5)", "4"),
        ("Bindend voor het team (1-5)", "5"),
    ):
        page.get_by_role("group", name=group).get_by_label(score, exact=True).check()
    page.get_by_role("group", name="Akkoord?").get_by_label("Ja, akkoord").check()
    page.get_by_role("button", name="Toets bewaren").click()
    expect(page.get_by_text("Uw toets is bewaard.")).to_be_visible(timeout=20_000)


def test_partners_design_agree_run_and_see_the_measured_effect(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    iworld: ImpactWorld,
    store_wave: StoreWave,
) -> None:
    iw, today = iworld, timezone.localdate()
    treated = {b.pk for b in iw.buurten[:2]}
    store_wave(
        iw.world.gemeente.pk,
        "Voorjaar",
        today - timedelta(days=130),
        today - timedelta(days=100),
        {b.pk: _answers(0.40) for b in iw.buurten},
    )
    follow_up = store_wave(
        iw.world.gemeente.pk,
        "Najaar",
        today - timedelta(days=10),
        today + timedelta(days=10),
        {b.pk: _answers(0.20 if b.pk in treated else 0.38) for b in iw.buurten},
    )

    # The gemeente proposes the action.
    gert = new_page("desktop")
    log_in(gert, "gert@example.nl", totp_secret=TOTP_SECRET)
    gert.goto("/impact/")
    gert.get_by_role("link", name="Driehoek Noord").click()
    gert.get_by_role("link", name="Actie voorstellen").click()
    gert.get_by_label("Titel").press_sequentially("Avondrondes met de wijkagent")
    gert.get_by_label("Soort actie").select_option(label="surveillance en aanwezigheid")
    gert.get_by_label("Noordbuurt 1", exact=True).check()
    gert.get_by_label("Noordbuurt 2", exact=True).check()
    gert.get_by_label("Probleem", exact=True).press_sequentially("Veel bewoners voelen zich 's avonds onveilig.")
    gert.get_by_label("Indicator die het probleem laat zien").select_option(
        label="Voelt zich wel eens onveilig in de eigen buurt"
    )
    gert.get_by_label("Wat gaan we doen?").press_sequentially("Twee avondrondes per week, samen met de wijkagent.")
    gert.get_by_label("Start", exact=True).fill((today - timedelta(days=60)).isoformat())
    gert.get_by_label("Einde van de afgesproken periode").fill((today - timedelta(days=45)).isoformat())
    gert.get_by_label("Indicator 1", exact=True).select_option(label="Voelt zich wel eens onveilig in de eigen buurt")
    gert.get_by_label("Richting bij indicator 1").select_option(label="omlaag")
    gert.get_by_label("Verwachte verandering bij indicator 1").press_sequentially("5")
    gert.get_by_label("Partner bij toezegging 1").select_option(label="politie")
    gert.get_by_label("Toezegging 1", exact=True).press_sequentially("Wijkagent loopt elke dinsdag mee")
    gert.get_by_label("Uiterlijk op (toezegging 1)").fill((today - timedelta(days=55)).isoformat())
    assert_accessible(gert)
    screenshot(gert, "impact-propose")
    gert.get_by_role("button", name="Actie voorstellen").click()
    expect(gert.get_by_role("heading", level=1)).to_have_text("Avondrondes met de wijkagent", timeout=20_000)
    action = Action.objects.get()
    assert action.title == "Avondrondes met de wijkagent" and action.plan.startswith("Twee avondrondes")
    assert set(action.buurten.values_list("name", flat=True)) == {"Noordbuurt 1", "Noordbuurt 2"}
    assert list(action.expected_effects.values_list("key", "direction", "size")) == [("unsafe_buurt", "down", 5.0)]
    assert action.commitments.get().what == "Wijkagent loopt elke dinsdag mee"
    _check(gert, worth="Grip op onveiligheidsgevoel in Noord", shows="Het monitorcijfer onveilig in de buurt")
    gert.get_by_role("button", name="Naar: in overleg").click()
    expect(gert.get_by_text("De status is nu: in overleg.")).to_be_visible(timeout=20_000)

    # Police and coordinator check it on their phones; the coordinator agrees for the team and it runs.
    petra = new_page("phone")
    log_in(petra, "petra@example.nl", totp_secret=TOTP_SECRET)
    petra.goto("/impact/")
    petra.get_by_role("link", name="Avondrondes met de wijkagent").click()
    _check(petra, worth="Informatie uit de buurt, minder meldingen", shows="Uren bespaard: rondes lopen buurtpreventie")
    alice = new_page("phone")
    log_in(alice, "alice@example.nl")
    alice.goto(f"/impact/actie/{action.pk}/")
    _check(alice, worth="Een vaste taak en erkenning", shows="Wijkagent bedankt het team in de nieuwsbrief")
    expect(alice.locator("figcaption")).to_have_text("Alle drie de partners zijn akkoord.")
    alice.get_by_role("button", name="Naar: afgesproken").click()
    expect(alice.get_by_text("De status is nu: afgesproken.")).to_be_visible(timeout=20_000)
    expect(alice.get_by_text("vastgelegd", exact=True)).to_be_visible()
    assert_accessible(alice)
    screenshot(alice, "impact-agreed")
    alice.get_by_role("button", name="Naar: loopt").click()
    expect(alice.get_by_text("De status is nu: loopt.")).to_be_visible(timeout=20_000)
    expect(alice.get_by_text("zodra de eerste meetronde na de afgesproken periode is afgesloten")).to_be_visible()

    # The next wave closes; all three see the measured effect.
    close_wave(follow_up)
    for page in (gert, petra, alice):
        page.goto(f"/impact/actie/{action.pk}/")
        expect(page.get_by_text("Gemeten met Voorjaar als nulmeting en Najaar als nameting.")).to_be_visible()
        expect(page.get_by_text("Aantoonbaar effect in de verwachte richting")).to_be_visible()
    assert_accessible(petra)
    screenshot(petra, "impact-effect")
    screenshot(gert, "impact-effect")
    gert.get_by_role("button", name="Naar: geëvalueerd").click()
    expect(gert.get_by_text("De status is nu: geëvalueerd.")).to_be_visible(timeout=20_000)
    action.refresh_from_db()
    assert action.status == ActionStatus.EVALUATED
    assert action.evaluation["indicators"][0]["verdict"] == "expected"
    gert.get_by_role("link", name="Openbare samenvatting (zonder persoonsgegevens)").click()
    expect(gert.get_by_text("Aantoonbaar effect in de verwachte richting")).to_be_visible()
    assert "Wijkagent loopt" not in gert.content()
    assert_accessible(gert)
    screenshot(gert, "impact-public")
