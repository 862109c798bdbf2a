"""Safety-pulse answers per canvass: kept with their canvass, shown to the coordinator in blocks of 10."""

from __future__ import annotations

import random

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.canvass.actions import assign_route_members
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.monitor.actions import record_pulse
from buurtonderzoek.monitor.models import Response, Source
from buurtonderzoek.monitor.pulse import canvass_pulse
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import canvass as canvass_standard
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot


def _pulse_version() -> QuestionnaireVersion:
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug=canvass_standard.SLUG).exists():
        load_standard_questionnaires()
    return QuestionnaireVersion.objects.latest_published(canvass_standard.SLUG)


def _answer(canvass: Canvass, buurt, rng: random.Random) -> Response | None:
    answers = {"pulse_ok": "ja", "unsafe_buurt": rng.choice(["ja", "nee"]), "mark_safety": rng.randint(4, 9)}
    return record_pulse(buurt=buurt, version=_pulse_version(), answers=answers, canvass=canvass)


def test_pulse_answers_keep_their_canvass_even_where_no_wave_runs(world: World, canvass: Canvass) -> None:
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente)
    response = _answer(canvass, buurt, random.Random(1))
    assert response is not None and response.canvass_id == canvass.pk
    assert response.wave_id is None and response.source == Source.PULSE  # kept, not thrown away
    canvass.delete()
    response.refresh_from_db()
    assert response.canvass_id is None  # the answer still counts for the buurt


def test_the_summary_grows_in_blocks_of_ten_so_no_answer_can_be_subtracted(world: World, canvass: Canvass) -> None:
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente)
    rng = random.Random(7)
    seen: list[int] = [0]
    for count in range(1, 36):
        _answer(canvass, buurt, rng)
        summary = canvass_pulse(canvass)
        assert summary.total == count and summary.released == count - count % 10
        for figure in summary.figures:
            assert figure.suppressed or figure.n >= 10
            assert figure.low is None and figure.high is None  # not a sample: no interval
        # Every two summaries differ by 0 or at least 10 respondents, in every cell.
        assert all(summary.released - before == 0 or summary.released - before >= 10 for before in seen)
        seen.append(summary.released)


def test_the_coordinator_sees_the_pulse_labelled_as_no_sample_and_volunteers_do_not(
    client: Client, world: World, canvass: Canvass
) -> None:
    Authenticator.objects.create(user=world.alice, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente)
    rng = random.Random(3)
    url = reverse("canvass_overview", args=[canvass.incident.pk])
    client.force_login(world.alice)
    for _ in range(9):
        _answer(canvass, buurt, rng)
    page = client.get(url).content.decode()
    assert "Veiligheidspols aan de deur" in page and "geen steekproef" in page
    assert "Nog geen 10 antwoorden uit één buurt" in page and 'id="pulse-table"' not in page
    for _ in range(3):
        _answer(canvass, buurt, rng)
    page = client.get(url).content.decode()
    assert 'id="pulse-table"' in page and "Veiligheidspols, 10 antwoorden (geen steekproef)" in page

    route = canvass.routes.first()
    assert route is not None
    assign_route_members(route, by=world.alice, members=[world.bob])
    client.force_login(world.bob)
    assert "Veiligheidspols aan de deur" not in client.get(url).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_coordinator_reads_the_pulse_panel_on_a_phone(phone_page: Page, world: World, canvass: Canvass) -> None:
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente)
    rng = random.Random(11)
    for _ in range(14):
        _answer(canvass, buurt, rng)
    log_in(phone_page, world.alice.email)
    phone_page.goto(reverse("canvass_overview", args=[canvass.incident.pk]) + "#pulse-title")
    table = phone_page.locator("#pulse-table")
    expect(table.locator("caption")).to_have_text("Veiligheidspols, 10 antwoorden (geen steekproef)")
    expect(table.locator("tbody tr").first).to_be_visible()
    table.scroll_into_view_if_needed()
    assert_accessible(phone_page)
    screenshot(phone_page, "canvass-pulse")


def test_the_gemeente_sees_the_pulse_per_canvass_without_incident_details(
    client: Client, world: World, canvass: Canvass
) -> None:
    Authenticator.objects.create(user=world.gert, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente, name="Bloemenbuurt")
    url = reverse("monitor:pulse_canvasses", args=[world.gemeente.code])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world.charlie)  # coordinator in another gemeente
    assert client.get(url).status_code == 404
    client.force_login(world.alice)  # coordinator here: the gemeente's monitor is for its officers
    assert client.get(url).status_code == 403
    client.force_login(world.gert)
    assert "Er zijn nog geen antwoorden op de veiligheidspols" in client.get(url).content.decode()
    rng = random.Random(5)
    for _ in range(13):
        _answer(canvass, buurt, rng)
    page = client.get(url).content.decode()
    assert "geen steekproef" in page and "Bloemenbuurt" in page
    row = page[page.index('id="pulse-canvasses"') :]
    assert "<td>10</td>" in row and "Voelt zich wel eens onveilig in de eigen buurt" in row
    address = canvass.incident.address
    assert address is not None and address.street not in page  # no incident or address, only the buurt

    # Per buurt too, with the pulse answers given where no canvass (or wave) was recorded. Those form a
    # group of their own: 13 + 8 answers release 10 + 0, not 20 (buurt 20 minus canvass 10 would
    # otherwise be about the 3 latest canvass answers and 7 others).
    def without_canvass(count: int) -> None:
        for _ in range(count):
            answers = {"pulse_ok": "ja", "unsafe_buurt": "nee", "mark_safety": 8}
            record_pulse(buurt=buurt, version=_pulse_version(), answers=answers)

    without_canvass(8)
    page = client.get(url).content.decode()
    per_buurt = page[page.index('id="pulse-buurten"') :]
    assert "Bloemenbuurt" in per_buurt and "<td>10</td>" in per_buurt
    without_canvass(2)  # the group without a canvass completes its first block
    page = client.get(url).content.decode()
    assert "<td>20</td>" in page[page.index('id="pulse-buurten"') :]
    per_canvass = page[page.index('id="pulse-canvasses"') : page.index('id="pulse-buurten"')]
    assert "<td>10</td>" in per_canvass  # the canvass itself still has 13: released up to 10


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_gemeente_reads_the_pulse_per_canvass_on_a_desktop(
    desktop_page: Page, world: World, canvass: Canvass
) -> None:
    Authenticator.objects.create(user=world.gert, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente, name="Bloemenbuurt")
    rng = random.Random(13)
    for _ in range(21):
        _answer(canvass, buurt, rng)
    log_in(desktop_page, world.gert.email, totp_secret="JBSWY3DPEHPK3PXP")
    desktop_page.goto(reverse("monitor:results", args=[world.gemeente.code]))
    desktop_page.get_by_role("link", name="Veiligheidspols per buurtonderzoek").click()
    table = desktop_page.locator("#pulse-canvasses")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody td").nth(1)).to_have_text("20")
    assert_accessible(desktop_page)
    screenshot(desktop_page, "monitor-pulse-canvasses")
