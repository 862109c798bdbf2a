"""Any script error in any page of a browser test fails that test.

Loaded for every test from the root conftest. It watches every browser context a test opens (the
shared `new_page` fixture and contexts a test makes itself with `browser.new_context`), so a page
whose script throws on a keystroke can never pass unnoticed while the screen still looks right.

A test that provokes a script error on purpose says so, with the reason:

    @pytest.mark.allow_script_errors(reason="checks the page survives a broken draft in storage")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# The errors seen during a test, kept on the test's node (tests/browser/test_script_errors.py reads them).
SCRIPT_ERRORS = pytest.StashKey[list[str]]()


@pytest.fixture(autouse=True)
def _fatal_script_errors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if "browser" not in request.fixturenames:
        yield
        return
    marker = request.node.get_closest_marker("allow_script_errors")
    if marker is not None and not marker.kwargs.get("reason"):
        pytest.fail("@pytest.mark.allow_script_errors needs a reason=...")

    from playwright.sync_api import Browser, BrowserContext, WebError

    errors: list[str] = []
    request.node.stash[SCRIPT_ERRORS] = errors
    original = Browser.new_context

    def new_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = original(self, *args, **kwargs)

        def record(error: WebError) -> None:
            url = error.page.url if error.page else "?"
            errors.append(f"{url}: {error.error}")

        context.on("weberror", record)
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield
    if errors and marker is None:
        pytest.fail("Script errors in the page:\n" + "\n".join(errors), pytrace=False)
