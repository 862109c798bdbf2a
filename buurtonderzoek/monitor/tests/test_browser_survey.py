"""A resident answers with the code from the letter on a phone, stops, continues on another device,
sends; the municipal officer then sees the buurt's result.

Nine neighbours in the same buurt answered already, so the resident's answer is the tenth and the
buurt's figures appear (below ten they are suppressed). Uses the shared browser fixtures of
tests/browser (Debian's Chromium, only local requests).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.models import Response, ResponseStatus
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave, issue_codes
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import assert_accessible, fresh_totp_code, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # conftest.give_totp


def choose(page: Page, question: str, answer: str) -> None:
    group = page.get_by_role("group", name=question)
    group.get_by_label(answer, exact=True).check()


def test_a_resident_answers_on_a_phone_stops_continues_and_the_officer_sees_it(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
    fill,
) -> None:
    buurt = mworld.buurten[0]
    for index, each in enumerate(mworld.buurten):
        lon, lat = 5.10 + 0.01 * (index % 3), 52.05 + 0.01 * (index // 3)
        ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        each.boundary = {"type": "Polygon", "coordinates": [ring]}
        each.save(update_fields=["boundary"])
    fill(mworld.wave, {buurt.pk: 9}, seed=5)
    [code] = issue_codes(mworld.wave, buurt, 1)

    # The QR code on the letter opens the start page with the code filled in.
    phone = new_page("phone")
    phone.goto(f"/enquete/c/{code}/")
    expect(phone.get_by_label("Uw code")).to_have_value(codes.display(code))
    assert_accessible(phone)
    screenshot(phone, "monitor-survey-start")
    phone.get_by_role("button", name="Beginnen").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Gevoel van veiligheid")
    expect(phone.get_by_text("Stap 1 van 7")).to_be_visible()
    frequency = phone.get_by_role("group", name="Hoe vaak komt dat voor?").first
    expect(frequency).to_be_hidden()  # skip logic: only asked after "ja"
    choose(phone, "Voelt u zich wel eens onveilig?", "Ja")
    expect(frequency).to_be_visible()
    frequency.get_by_label("Soms").check()
    choose(phone, "Voelt u zich wel eens onveilig in uw eigen buurt?", "Ja")
    phone.get_by_role("group", name="Hoe vaak komt dat voor?").nth(1).get_by_label("Vaak").check()
    assert_accessible(phone)
    screenshot(phone, "monitor-survey-section")
    phone.get_by_role("button", name="Volgende").click()

    expect(phone.get_by_text("Stap 2 van 7")).to_be_visible()
    phone.get_by_role("group", name=re.compile("veiligheid in uw buurt")).get_by_label("4", exact=True).check()
    phone.get_by_role("button", name="Opslaan en later verder").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Uw antwoorden zijn bewaard")
    screenshot(phone, "monitor-survey-paused")
    response = Response.objects.get(invitation__isnull=False, buurt=buurt, status=ResponseStatus.IN_PROGRESS)
    assert response.answers["unsafe_buurt"] == "ja" and response.answers["mark_safety"] == 4

    # Later, on another phone: the same code continues where they stopped.
    other = new_page("phone")
    other.goto("/enquete/")
    other.get_by_label("Uw code").fill(codes.display(code).lower())
    other.get_by_role("button", name="Beginnen of verdergaan").click()
    expect(other.get_by_text("Stap 2 van 7")).to_be_visible()
    expect(
        other.get_by_role("group", name=re.compile("veiligheid in uw buurt")).get_by_label("4", exact=True)
    ).to_be_checked()
    other.get_by_role("button", name="Volgende").click()
    for step in range(3, 8):
        expect(other.get_by_text(f"Stap {step} van 7")).to_be_visible()
        if step == 6:
            choose(other, "Weet u of er in uw buurt een buurtpreventieteam actief is?", "Ja, dat is er")
        if step == 7:  # about yourself: optional, "zeg ik liever niet" is an answer like any other
            expect(other.get_by_text("Waarom vragen we dit?")).to_be_visible()
            choose(other, "Hoe oud bent u?", "65 jaar of ouder")
            choose(other, "Bent u een man of een vrouw?", "Zeg ik liever niet")
            assert_accessible(other)
            other.get_by_role("button", name="Versturen").click()
        else:
            other.get_by_role("button", name="Volgende").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Bedankt voor het invullen!")
    screenshot(other, "monitor-survey-done")
    done = Response.objects.get(pk=response.pk)
    assert done.status == ResponseStatus.COMPLETED
    assert (done.answers["age_group"], done.answers["sex"]) == ("65_plus", "liever_niet")

    # The code is used up.
    other.goto("/enquete/")
    other.get_by_label("Uw code").fill(code)
    other.get_by_role("button", name="Beginnen of verdergaan").click()
    expect(other.get_by_role("alert")).to_contain_text("al ingevuld")

    # The officer logs in (with the authenticator app) and sees the buurt: ten answers, figures shown.
    desk = new_page("desktop")
    log_in(desk, mworld.world.gert.email)
    desk.locator("input[name=code]").fill(fresh_totp_code(TOTP_SECRET))
    with desk.expect_navigation():
        desk.locator("input[name=code]").press("Enter")
    # While the wave runs the officer sees the response only, never a figure (docs/monitor.md).
    desk.goto(f"/monitor/{mworld.world.gemeente.code}/?indicator=unsafe_buurt")
    expect(desk.locator("#progress")).to_contain_text(buurt.name)
    expect(desk.locator("[data-value]")).to_have_count(0)
    assert_accessible(desk)
    screenshot(desk, "monitor-progress")
    close_wave(mworld.wave)
    desk.goto(f"/monitor/{mworld.world.gemeente.code}/?indicator=unsafe_buurt")
    row = desk.locator(f'tr[data-area="buurt-{buurt.pk}"]')
    expect(row.locator(f'[data-respondents="buurt-{buurt.pk}"]')).to_have_text("10")
    expect(row.locator("td").nth(1)).to_have_text("100%")  # ten codes issued, ten answers
    expect(row.locator("[data-value]")).to_have_count(1)
    assert desk.locator("#trend-chart").is_visible()
    expect(desk.locator("#buurt-map .map-label").first).to_be_visible()  # values printed on the map
    assert_accessible(desk)
    screenshot(desk, "monitor-results")
