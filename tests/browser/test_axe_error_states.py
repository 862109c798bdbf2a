"""Every form a person of each role can reach, sent empty: the page that answers is axe-clean and its errors work.

The pages come from the same walk as test_axe_every_page.py (`tests/crawl.py`, every link the role is offered,
one page per URL pattern), so a new form is checked as soon as anything links to it. On every page, every
form in the page's content that sends data (method post) and has a field to leave empty is sent empty, as a
person who presses the button without filling anything in: text fields cleared, choices unchosen, selects on
their empty option where they have one. The browser's own checks are switched off for that submit
(`noValidate`): they stop the form before the server sees it, and their bubbles are out of axe's reach, while
the server's answer is what a person gets on every browser. When the answer shows errors, it is judged:

- by axe-core (WCAG 2.0/2.1 A and AA) at 390 and 1280 px;
- by `error_state_problems`: no aria-describedby/aria-errormessage pointing at a missing id, every error
  message tied to its field, the focus on the error summary or on a field with an error;
- an error shown only as a message at the top of the page (not at its field) is a problem too.

Forms with no field (a button that does what it says: mark read, make the PDF again) have no error state and
are not pressed. Every problem is collected before the test fails, so one run lists all there is to fix.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from pytest_django.live_server_helper import LiveServer

from buurtonderzoek.dashboards.demo import build_demo
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Buurt, Gemeente
from tests.browser.error_states import error_message_count, error_state_problems
from tests.browser.helpers import axe_violations, settle
from tests.browser.test_axe_every_page import PERSONAS, open_as
from tests.browser.test_keyboard_journeys import open_wave
from tests.crawl import crawl
from tests.test_no_dead_ends import client_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Forms not sent empty, because sending them ends or breaks the rest of the walk. Keep this list short;
# every entry says why. (Logout and the language switch live in the header, outside the page's content.)
NOT_SENT: dict[str, str] = {}

# The forms in the page's content that send data and have something to leave empty.
FORMS = """() => [...document.querySelectorAll('main form')].map((form, index) => {
    const method = (form.getAttribute('method') || 'get').toLowerCase();
    const fields = [...form.elements].filter((el) =>
        ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)
        && !['hidden', 'submit', 'button', 'reset', 'image'].includes((el.type || '').toLowerCase())
        && !el.disabled && el.getClientRects().length > 0);
    // A form whose buttons are all disabled cannot be sent (not even with Enter in a field).
    const sendable = [...form.elements].some((el) => el.type === 'submit' && !el.disabled);
    return {index, method, fields: fields.length, sendable, action: form.getAttribute('action') || ''};
}).filter((f) => f.method === 'post' && f.fields > 0 && f.sendable)"""

# Empty the form as far as a person could, switch off the browser's checks and press its (first) button.
SEND_EMPTY = """(index) => {
    const form = document.querySelectorAll('main form')[index];
    for (const el of form.elements) {
        const type = (el.type || '').toLowerCase();
        if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
        if (type === 'checkbox' || type === 'radio') el.checked = false;
        else if (el.tagName === 'SELECT') {
            const empty = [...el.options].findIndex((o) => o.value === '');
            if (el.multiple) [...el.options].forEach((o) => { o.selected = false; });
            else if (empty >= 0) el.selectedIndex = empty;
        } else if (type !== 'file') el.value = '';
    }
    form.noValidate = true;
    window.__beforeSubmit = true;
    const button = [...form.elements].find((el) => el.type === 'submit' && !el.disabled);
    form.requestSubmit(button || undefined);
}"""

ERRORS_SHOWN = """() => [...document.querySelectorAll('.errorlist, .qf-error, .error-summary, .message-error')]
    .some((el) => el.getClientRects().length > 0 && el.textContent.trim())"""

ONLY_A_PAGE_MESSAGE = """() => {
    const shown = (sel) => [...document.querySelectorAll(sel)].filter((el) => el.getClientRects().length > 0
        && el.textContent.trim());
    const page = shown('.message-error');
    return page.length > 0 && shown('.errorlist, .qf-error, .error-summary').length === 0
        ? page.map((el) => el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60)) : [];
}"""


def starts_for(email: str | None, gemeente: Gemeente) -> list[str]:
    """Where the walk begins: the start page, and for residents also the pages that paper leads to.

    No page links to the tip form, the alert sign-up of a buurt or a survey: residents reach them from the
    QR code on a leaflet, a poster or a letter, so the walk starts there too.
    """
    if email:
        return ["/start/"]
    incident = Incident.objects.filter(canvasses__isnull=False).order_by("pk").first()
    buurt = Buurt.objects.filter(gemeente=gemeente).order_by("code").first()
    assert incident is not None and buurt is not None
    return [
        "/",
        reverse("tip_form", args=[incident.public_token]),
        reverse("subscribe", args=[buurt.code]),
        reverse("monitor:survey_public", args=[open_wave(gemeente).public_token]),
    ]


def send_empty(page: Page, url: str, index: int) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate(SEND_EMPTY, index)
    # A new page (the server's answer), or for a form that swaps part of the page (htmx) or starts a
    # download, the same page once its requests are done.
    try:
        page.wait_for_function("() => window.__beforeSubmit !== true", timeout=10_000)
        page.wait_for_load_state("load")
    except PlaywrightError:
        page.wait_for_load_state("networkidle")


def problems_after_sending_empty(page: Page, url: str, index: int) -> tuple[list[str], bool]:
    """What is wrong with the answer to form `index` of `url` sent empty, and whether it showed errors."""
    send_empty(page, url, index)
    if not page.evaluate(ERRORS_SHOWN):
        return [], False
    found = [f"error shown only at the top of the page: {m}" for m in page.evaluate(ONLY_A_PAGE_MESSAGE)]
    if error_message_count(page) or page.locator(".error-summary").count():
        found += error_state_problems(page)
    found += [f"390px {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 1280, "height": 900})
    found += [f"1280px {v}" for v in axe_violations(page)]
    return found, True


@pytest.mark.parametrize("email", PERSONAS)
def test_every_form_of_every_role_sent_empty_answers_with_accessible_errors(
    browser: Browser, live_server: LiveServer, email: str | None
) -> None:
    gemeente = build_demo(progress=False)
    client = client_for(email)
    walk = crawl(client, starts_for(email, gemeente), per_route=1, skip=("/admin/",))
    page = open_as(browser, live_server, client)
    problems: list[str] = []
    sent = refused = 0
    for url in walk.pages:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url)
        page.wait_for_load_state("load")
        for form in page.evaluate(FORMS):
            where = f"{url} form {form['index'] + 1} ({form['action'] or 'this page'})"
            if any(form["action"].startswith(prefix) or url.startswith(prefix) for prefix in NOT_SENT):
                continue
            found, showed_errors = problems_after_sending_empty(page, url, form["index"])
            sent += 1
            refused += showed_errors
            problems += [f"{where}: {p}" for p in found]
    settle(page.context)
    page.context.close()
    print(f"{email}: {len(walk.pages)} pages, {sent} forms sent empty, {refused} answered with errors")
    assert not problems, f"{len(problems)} problems in {sent} forms sent empty:\n" + "\n".join(problems)
    # A walk that found no form proves nothing (every role has at least the password form).
    assert email is None or refused > 0
