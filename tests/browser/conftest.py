"""Browser test fixtures: Debian's Chromium driven by Playwright's sync API.

One browser per test session; a fresh context (cookies, language, viewport) per test. Every
request to a host other than the live server is aborted, so a page that would reach for map
tiles or a CDN works offline and the test notices nothing but a missing tile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, ViewportSize, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import settle, track_requests, use_patient_timeouts, watch_script_errors

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Matched inside Playwright, not in Python: requests to the live server never wait for the test's
# thread (a Python route handler runs only while the test is inside a Playwright call).
ELSEWHERE = re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)[:/])")
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


# One Chromium for the whole run. App test packages import these fixtures into their own
# conftest, which registers `browser` once per package; a second sync_playwright() in the same
# thread fails, so every registration shares this one and the last to finish closes it.
_shared: list[tuple[Playwright, Browser]] = []
_users = 0


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Never `playwright install`: the distribution's Chromium is the one we test against.
    global _users
    if not _shared:
        playwright = sync_playwright().start()
        _shared.append((playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)))
    _users += 1
    try:
        yield _shared[0][1]
    finally:
        _users -= 1
        if _users == 0:
            playwright, chromium = _shared.pop()
            chromium.close()
            playwright.stop()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The live server runs in this process and shares the local-memory cache: clear allauth's
    # login rate limits and used-TOTP-code markers so one test cannot lock out the next.
    cache.clear()


def _block(route: Route) -> None:
    route.abort("blockedbyclient")


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    """Open pages at a named width ("phone" or "desktop") against the live server."""
    contexts: list[BrowserContext] = []

    def open_page(width: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[width],
            # A Dutch visitor: the browser asks for Dutch, like most of our users' phones do.
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        use_patient_timeouts(context)
        track_requests(context)
        context.route(ELSEWHERE, _block)
        contexts.append(context)
        page = context.new_page()
        watch_script_errors(page)
        return page

    yield open_page
    for context in contexts:
        settle(context)
        context.close()


@pytest.fixture
def phone_page(new_page: Callable[[str], Page]) -> Page:
    return new_page("phone")


@pytest.fixture
def desktop_page(new_page: Callable[[str], Page]) -> Page:
    return new_page("desktop")


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, new_page: Callable[[str], Page]) -> Page:
    """The same test at phone and at desktop width."""
    return new_page(request.param)
