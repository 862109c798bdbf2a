"""The script-error watcher sees errors in every page a test opens (tests/browser/script_errors.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.script_errors import SCRIPT_ERRORS

pytestmark = pytest.mark.browser


def throw(page: Page, message: str) -> None:
    page.set_content("<!doctype html><title>x</title><p>x</p>")
    page.evaluate("(message) => setTimeout(() => { throw new Error(message); })", message)


@pytest.mark.allow_script_errors(reason="checks that the watcher records page script errors")
def test_it_records_errors_in_shared_pages_and_in_contexts_a_test_makes_itself(
    request: pytest.FixtureRequest, browser: Browser, phone_page: Page
) -> None:
    throw(phone_page, "fout in een gedeelde pagina")
    own = browser.new_context()
    try:
        throw(own.new_page(), "fout in een eigen context")
        errors = request.node.stash[SCRIPT_ERRORS]
        for _ in range(100):
            if len(errors) >= 2:
                break
            phone_page.wait_for_timeout(100)
    finally:
        own.close()
    assert any("fout in een gedeelde pagina" in e for e in errors), errors
    assert any("fout in een eigen context" in e for e in errors), errors
