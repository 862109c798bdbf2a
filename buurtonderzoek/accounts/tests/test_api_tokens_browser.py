"""The API keys pages in Chromium: a police officer makes a key, copies it, uses it, and revokes it."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.models import ApiToken
from buurtonderzoek.accounts.tests.conftest import SECRET, give_totp
from conftest import World
from tests.browser.conftest import browser, new_page, page  # noqa: F401
from tests.browser.helpers import assert_accessible, fresh_totp_code, log_in, screenshot

pytestmark = pytest.mark.browser


def test_an_officer_makes_copies_uses_and_revokes_a_key(page: Page, world: World) -> None:  # noqa: F811
    give_totp(world.petra)
    log_in(page, world.petra.email)
    if "/2fa/authenticate" in page.url:
        page.locator("input[name=code]").fill(fresh_totp_code(SECRET))
        with page.expect_navigation():
            page.locator("input[name=code]").press("Enter")

    page.goto("/accounts/email/")
    page.get_by_role("link", name="API-sleutels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-sleutels")
    assert_accessible(page)
    screenshot(page, "api-tokens-empty")

    page.get_by_role("link", name="Nieuwe sleutel maken").click()
    page.get_by_label("Geldig (dagen)").fill("400")
    page.get_by_label("Naam").fill("BVH-koppeling")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.locator(".error-summary")).to_contain_text("hoogstens 365 dagen")
    assert_accessible(page)
    page.get_by_label("Geldig (dagen)").fill("30")
    page.get_by_role("button", name="Sleutel maken").click()

    key = page.get_by_label("Sleutel voor BVH-koppeling").input_value()
    assert key.startswith("bo_")
    expect(page.get_by_role("alert")).to_contain_text("U ziet hem hierna nooit meer")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Kopiëren").click()
    expect(page.locator("#copy-status")).not_to_be_empty()
    assert_accessible(page)
    screenshot(page, "api-token-created")

    assert Client().get("/api/v1/reports/", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    page.get_by_role("link", name="Ik heb de sleutel bewaard").click()
    expect(page.locator("main")).not_to_contain_text(key)
    expect(page.locator("main")).to_contain_text("BVH-koppeling")
    assert_accessible(page)
    screenshot(page, "api-tokens-list")

    page.get_by_role("link", name="Intrekken BVH-koppeling").click()
    assert_accessible(page)
    page.get_by_role("button", name="Intrekken").click()
    expect(page.locator(".messages")).to_contain_text("werkt niet meer")
    expect(page.locator("main table")).to_contain_text("ingetrokken")
    assert ApiToken.objects.get().revoked_at is not None
    assert Client().get("/api/v1/reports/", headers={"Authorization": f"Bearer {key}"}).status_code == 401
