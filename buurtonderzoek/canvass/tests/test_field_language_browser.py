"""The server's messages in the field app come in the page's language, not the browser's.

A volunteer's phone may be set to English while the field app is Dutch (the default), or the other way
round. The sync API used to follow the browser's Accept-Language, so the reason a visit was refused came
back in English on a Dutch page. The app now asks for its page's language on every API call; these
tests run Debian's Chromium with the phone's language set one way and the page the other, through the
service worker, and read the refusal the volunteer sees.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.tests.test_field_browser import (
    PHONE,
    _no_internet,
    open_route,
    record,
    wait_for_service_worker,
)
from buurtonderzoek.canvass.tests.test_field_support import Field, make_field
from buurtonderzoek.incidents.models import Incident
from conftest import World
from tests.browser.conftest import ELSEWHERE
from tests.browser.helpers import log_in, send_waiting_visits, settle, track_requests, use_patient_timeouts

pytestmark = pytest.mark.browser


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


def _phone(browser: Browser, live_server: LiveServer, *, phone_language: str, page_language: str) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        locale=phone_language,  # Chromium sends this as Accept-Language
        timezone_id="Europe/Amsterdam",
        service_workers="allow",
    )
    use_patient_timeouts(context)
    track_requests(context)
    context.route(ELSEWHERE, _no_internet)
    if page_language != settings.LANGUAGE_CODE:
        # What the language switch in the page header leaves behind.
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": page_language, "url": live_server.url}])
    return context


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        settle(context)
        context.close()


@pytest.mark.parametrize(
    ("phone_language", "page_language", "not_home", "refusal", "not_the_other"),
    [
        ("en-GB", "nl", "Niet thuis", "Kies een antwoord.", "Choose an answer."),
        ("nl-NL", "en", "Not home", "Choose an answer.", "Kies een antwoord."),
    ],
    ids=["english-phone-dutch-page", "dutch-phone-english-page"],
)
def test_a_refused_visit_is_explained_in_the_language_of_the_page(
    browser: Browser,
    live_server: LiveServer,
    contexts: list[BrowserContext],
    field: Field,
    phone_language: str,
    page_language: str,
    not_home: str,
    refusal: str,
    not_the_other: str,
) -> None:
    context = _phone(browser, live_server, phone_language=phone_language, page_language=page_language)
    contexts.append(context)
    page = context.new_page()
    log_in(page, field.world.bob.email)
    open_route(page, field)
    expect(page.locator("html")).to_have_attribute("lang", page_language)
    wait_for_service_worker(page)  # the sync goes out from a page the service worker controls

    context.set_offline(True)
    record(page, 1, not_home)
    # The phone checks answers as the server does; a refusal needs the saved visit changed behind the
    # form's back (as an older version of the app might have saved it): a conversation without answers.
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            setTimeout(() => reject(new Error("IndexedDB antwoordt niet")), 10000);
            const open = indexedDB.open("buurtonderzoek-veld");
            open.onsuccess = () => {
                const store = open.result.transaction("outbox", "readwrite").objectStore("outbox");
                store.getAll().onsuccess = (event) => {
                    const visit = event.target.result[0];
                    visit.outcome = "gesproken";
                    visit.answers = {respondent_type: "bewoner"};
                    store.put(visit).onsuccess = () => resolve(true);
                };
            };
        })"""
    )
    context.set_offline(False)
    send_waiting_visits(page)
    item = page.locator(".outbox-item.outbox-rejected")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(refusal)
    expect(item).not_to_contain_text(not_the_other)
    assert not DoorVisit.objects.exists()
