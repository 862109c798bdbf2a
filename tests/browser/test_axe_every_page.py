"""axe-core on every page a person of each role can reach, at 390 and 1280 px, and reflow at 320 px.

The demo town (`manage.py demo`) holds every kind of object in several states and one account per role.
For each role the pages come from a walk over every link the role is offered (`tests/crawl.py`, one page
per URL pattern), so a new page is checked as soon as anything links to it. One browser and one tab per
role, logged in once (the session cookie of a Django test client). Every page is loaded at phone width
(390 px) and judged by axe-core (WCAG 2.0/2.1 A and AA), then narrowed to 320 px (no sideways scrolling,
WCAG 1.4.10: axe does not check reflow), then widened to 1280 px and judged by axe again.

Every problem on every page is collected before the test fails, so one run lists all there is to fix.
"""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from buurtonderzoek.dashboards.demo import DEMO_USERS, build_demo
from tests.browser.conftest import ELSEWHERE, _block
from tests.browser.helpers import axe_violations, settle, track_requests, use_patient_timeouts, watch_script_errors
from tests.crawl import crawl
from tests.test_no_dead_ends import client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One account per kind of page set: the second and later volunteers of team Noord see what the first sees.
PERSONAS = [
    None,
    *(d.email for d in DEMO_USERS if d.email.split("@")[0] not in {"vrijwilliger2", "vrijwilliger3", "vrijwilliger4"}),
]

# How far the page scrolls sideways, and the outermost element that sticks out (the one to fix).
SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const overflow = document.documentElement.scrollWidth - width;
    if (overflow <= 1) return null;
    const clipped = (el) => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            if (['hidden', 'clip', 'auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return true;
        }
        return false;
    };
    const wide = [...document.body.querySelectorAll('*')].filter((el) =>
        el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed' && !clipped(el));
    const culprit = wide.find((el) => !wide.includes(el.parentElement));
    if (!culprit) return `scrolls sideways by ${overflow}px`;
    const classes = typeof culprit.className === 'string' ? culprit.className.trim().split(/\\s+/).join('.') : '';
    const text = (culprit.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    const id = culprit.id ? '#' + culprit.id : '';
    const name = `${culprit.tagName.toLowerCase()}${id}${classes ? '.' + classes : ''} "${text}"`;
    return `scrolls sideways by ${overflow}px (${name})`;
}"""


def open_as(browser: Browser, live_server: LiveServer, client: Client) -> Page:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    use_patient_timeouts(context)
    track_requests(context)
    context.route(ELSEWHERE, _block)
    if "sessionid" in client.cookies:
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    watch_script_errors(page)
    return page


def problems_on(page: Page, url: str) -> list[str]:
    found: list[str] = []
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_load_state("load")
    found += [f"390px {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 320, "height": 256})
    sideways = page.evaluate(SIDEWAYS)
    if sideways:
        found.append(f"320px: {sideways}")
    page.set_viewport_size({"width": 1280, "height": 900})
    found += [f"1280px {v}" for v in axe_violations(page)]
    return found


@pytest.mark.parametrize("email", PERSONAS)
def test_every_page_of_every_role_is_axe_clean_and_reflows(
    browser: Browser, live_server: LiveServer, email: str | None
) -> None:
    build_demo(progress=False)
    client = client_for(email)
    walk = crawl(client, ["/start/" if email else "/"], per_route=1, skip=("/admin/",))
    page = open_as(browser, live_server, client)
    problems: list[str] = []
    for url in walk.pages:
        import time

        t = time.monotonic()
        problems += [f"{url}: {p}" for p in problems_on(page, url)]
        print(url, time.monotonic() - t)
    settle(page.context)
    page.context.close()
    assert not problems, f"{len(problems)} problems on {len(walk.pages)} pages:\n" + "\n".join(problems)
    # A walk that stopped at the start page proves nothing.
    assert len(walk.pages) >= 3
