"""Helpers for browser tests: screenshots, logging in, TOTP codes and an accessibility smoke check."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import struct
import time
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from playwright.sync_api import BrowserContext, Page, Request, expect
from playwright.sync_api import Error as PlaywrightError

PASSWORD = "wachtwoord-voor-tests"
# Waits are sized for a busy machine (CI or a laptop at load 10), not for a fast one: a wait only
# costs time when something is wrong. Steps that make a PDF inside the request (the test settings run
# tasks at once, in the request: report PDFs on "Verslag versturen" and after an erasure; walking
# lists, leaflets and posters on download) wait with SLOW_MS.
TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 45_000
EXPECT_TIMEOUT_MS = 15_000
SLOW_MS = 120_000
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
A11Y_SCRIPT = (Path(__file__).parent / "a11y.js").read_text(encoding="utf-8")
# Vendored (scripts/vendor.sh), so the check needs no network; pages never load it themselves.
AXE_SCRIPT = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core@4.14.1" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

expect.set_options(timeout=EXPECT_TIMEOUT_MS)

_script_errors: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()
_pending_requests: WeakKeyDictionary[BrowserContext, set[Request]] = WeakKeyDictionary()


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as var/screenshots/<name>-<width>.png, to be looked at by a person."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    path = SCREENSHOT_DIR / f"{name}-{viewport['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def use_patient_timeouts(context: BrowserContext) -> None:
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)


def track_requests(context: BrowserContext) -> None:
    """Count the context's requests still under way (see `settle`)."""
    pending: set[Request] = set()
    _pending_requests[context] = pending
    # Playwright wraps handlers: plain functions, not built-in methods such as set.add.
    context.on("request", lambda request: pending.add(request))
    context.on("requestfinished", lambda request: pending.discard(request))
    context.on("requestfailed", lambda request: pending.discard(request))


def settle(context: BrowserContext) -> None:
    """Let the pages' last requests finish before the test ends.

    The live server answers in its own thread; a request still running when the test empties the
    database (flush) holds a lock on the shared SQLite database, and the flush fails ("database table
    is locked"), leaving rows that break the next test. Events arrive while Playwright is called, so
    wait in short steps on an open page.
    """
    pending = _pending_requests.get(context)
    deadline = time.monotonic() + NAVIGATION_TIMEOUT_MS / 1000
    while pending and context.pages and time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):
            context.pages[0].wait_for_timeout(50)


def watch_script_errors(page: Page) -> None:
    errors: list[str] = []
    _script_errors[page] = errors
    page.on("pageerror", lambda error: errors.append(str(error)))


def script_errors(page: Page) -> list[str]:
    return list(_script_errors.get(page, []))


def send_waiting_visits(page: Page) -> None:
    """Press "Nu versturen" of the field app if a visit still waits on the phone.

    Back online (and after every save) the app sends its queue by itself; when it was quicker than the
    test, nothing waits, the button is disabled and a click would wait for it in vain. The check and
    the press happen in one step inside the page, so the app cannot send in between. Then wait for the
    app's own result rather than for the press.
    """
    page.evaluate("() => { const button = document.querySelector('#send-now'); if (!button.disabled) button.click(); }")


def log_in(page: Page, email: str, password: str = PASSWORD, *, totp_secret: str | None = None) -> None:
    """Fill in the login form and submit it with Enter, as a person would.

    With `totp_secret`, also answer the second step (two-factor code) when the site asks for it.
    """
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    if totp_secret is not None and "/2fa/authenticate" in page.url:
        page.locator("input[name=code]").fill(fresh_totp_code(totp_secret))
        with page.expect_navigation():
            page.locator("input[name=code]").press("Enter")


def totp_code(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 time-based one-time password (HMAC-SHA1), what an authenticator app shows."""
    counter = int((time.time() if at is None else at) // step)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def fresh_totp_code(secret: str, step: int = 30) -> str:
    # The server accepts only the current time step: a code computed in the last seconds of a
    # step could expire in flight, so wait for the next step instead.
    remaining = step - time.time() % step
    if remaining < 3:
        time.sleep(remaining + 0.2)
    return totp_code(secret, step=step)


def totp_secret_on_page(page: Page) -> str:
    """Read the secret the activation page shows for typing into an app by hand."""
    field = page.locator("#authenticator_secret")
    if field.count():
        return field.input_value().replace(" ", "")
    match = re.search(r"\b([A-Z2-7]{4}(?:\s?[A-Z2-7]{4}){7,})\b", page.locator("main").inner_text())
    assert match, "the TOTP activation page shows no secret to type in"
    return match.group(1).replace(" ", "")


def confirm_password_if_asked(page: Page, password: str = PASSWORD) -> bool:
    """allauth may ask for the password again before security settings change (reauthentication)."""
    if "/accounts/reauthenticate/" not in page.url:
        return False
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    return True


def set_up_totp(page: Page) -> None:
    """Activate an authenticator on the forced set-up page, computing the code like an app."""
    secret = totp_secret_on_page(page)
    page.locator("input[name=code]").fill(fresh_totp_code(secret))
    with page.expect_navigation():
        page.locator("input[name=code]").press("Enter")


def accessibility_problems(page: Page) -> dict[str, Any]:
    """Run the in-page smoke check (a11y.js): labels, alt texts, lang, one h1, contrast."""
    # Judge the page as a person sees it: with its stylesheets applied. A check run right after a
    # click-through navigation could otherwise measure the unstyled page (a phone table not yet
    # stacked into cards scrolls sideways).
    page.wait_for_load_state("load")
    result: dict[str, Any] = page.evaluate(A11Y_SCRIPT)
    return result


def assert_accessible(page: Page) -> None:
    result = accessibility_problems(page)
    assert result["problems"] == [], f"{page.url}: " + "; ".join(result["problems"])
    # A check that looked at nothing proves nothing.
    assert result["contrastChecked"] > 0
    assert script_errors(page) == []


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now, one line per rule and element."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        AXE_TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {_targets(v['nodes'])}" for v in result]


def _targets(nodes: list[dict[str, Any]], shown: int = 3) -> str:
    # A rule broken by 30 elements of one kind is one thing to fix: name a few, count the rest.
    named = ", ".join(str(n["target"]) for n in nodes[:shown])
    return named + (f" and {len(nodes) - shown} more" if len(nodes) > shown else "")


def assert_axe_clean(page: Page) -> None:
    problems = axe_violations(page)
    assert not problems, "axe-core: " + "; ".join(problems)


def has_visible_focus(page: Page) -> bool:
    """Whether the focused element draws a focus indicator (outline or focus ring shadow)."""
    return bool(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return false;
                const st = getComputedStyle(el);
                const outline = st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2;
                const ring = st.boxShadow && st.boxShadow !== 'none';
                const r = el.getBoundingClientRect();
                const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
                    && r.left < innerWidth && r.top < innerHeight;
                return (outline || ring) && onScreen;
            }"""
        )
    )


# What one Tab stop looks like: the focused element, whether it draws a focus indicator, and which sticky
# or fixed bar (if any) covers part of it. A bar that contains the element does not hide it.
_FOCUS_STOP = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const st = getComputedStyle(el);
    const outline = st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2;
    const ring = st.boxShadow && st.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth;
    const bars = [...document.body.querySelectorAll('*')].filter((b) => {
        const pos = getComputedStyle(b).position;
        return (pos === 'sticky' || pos === 'fixed') && !b.contains(el) && b.getClientRects().length > 0
            && !b.classList.contains('skip-link');
    });
    const covering = bars.filter((b) => {
        const s = b.getBoundingClientRect();
        return s.width > 0 && s.height > 0
            && r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top;
    });
    let name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
    const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
    if (text) name += ' "' + text.slice(0, 30) + '"';
    return {name, visible: (outline || ring) && onScreen,
            covered: covering.map((b) => b.tagName.toLowerCase() + '.' + [...b.classList].join('.'))};
}"""


def tab_to(page: Page, selector: str, *, limit: int = 400, shift: bool = False) -> list[str]:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus, as a keyboard user does.

    At every stop on the way the focused element must draw a visible focus indicator and no sticky or fixed
    bar may cover it (WCAG 2.4.7 and 2.4.11); what is wrong is returned, one line per stop. Fails when the
    element is not reached within `limit` stops (a keyboard trap, or an element Tab cannot reach).
    """
    problems: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        stop = page.evaluate(_FOCUS_STOP)
        if stop is None:
            continue
        if not stop["visible"]:
            problems.append(f"{stop['name']}: no visible focus")
        if stop["covered"]:
            problems.append(f"{stop['name']}: behind {', '.join(stop['covered'])}")
        if page.evaluate("(sel) => document.activeElement.matches(sel)", selector):
            return problems
    raise AssertionError(f"{selector} not reached with the keyboard in {limit} Tab stops")
