"""Browser steps for background files: after a button queued a job, wait on its page for the download
link and fetch the file the way the link does (with the page's session)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import SLOW_MS


def wait_and_download(page: Page) -> tuple[bytes, str, str]:
    """On a job page: wait for the file (the page polls itself), return (content, content type, filename)."""
    expect(page).to_have_url(re.compile(r"/downloads/\d+/$"))
    link = page.locator(".job-status a", has_text="Downloaden")
    expect(link).to_be_visible(timeout=SLOW_MS)
    response = page.request.get(link.get_attribute("href") or "", timeout=SLOW_MS)
    assert response.ok, response.status
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r'filename="([^"]+)"', disposition)
    return response.body(), response.headers["content-type"], match.group(1) if match else ""
