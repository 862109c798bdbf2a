"""The police officer's journey in Chromium at phone and desktop width: the start page says what waits,
the report gets an outcome and a rating typed by hand, the totals show it, the value report is made."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.accounts.tests.conftest import SECRET, give_totp
from buurtonderzoek.dashboards.tests.fixtures import bulk_reports
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.jobs.models import Job, JobStatus
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot, script_errors, watch_script_errors

pytestmark = pytest.mark.browser


def test_the_police_see_what_waits_rate_a_report_and_take_the_value_report(page: Page, world: World) -> None:
    give_totp(world.petra)
    reports = bulk_reports(world.team, world.unit, count=3, start=timezone.now() - timedelta(hours=30))
    for r in reports:
        PoliceReport.objects.filter(pk=r.pk).update(number=f"BO-2026-{r.pk:06d}")
    watch_script_errors(page)
    log_in(page, world.petra.email, totp_secret=SECRET)
    page.goto("/politie/")
    expect(page.locator("#reports-waiting h2")).to_have_text("3 verslagen wachten op uw terugkoppeling")
    assert_accessible(page)
    screenshot(page, "police-start")

    page.locator("#reports-waiting").get_by_role("link", name=f"BO-2026-{reports[0].pk:06d}").click()
    page.get_by_label("Uitkomst", exact=True).select_option("information_used")
    page.get_by_role("radio", name="5 - zeer bruikbaar").check()
    page.get_by_role("checkbox", name="signalement").check()
    page.get_by_label("Toelichting", exact=True).press_sequentially("Het signalement klopte precies.")
    with page.expect_navigation():
        page.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(page.locator(".usefulness")).to_contain_text("5 - zeer bruikbaar")
    stored = PoliceReport.objects.get(pk=reports[0].pk)
    assert stored.usefulness == 5 and stored.helpful_parts == ["signalement"]
    assert stored.outcome_note == "Het signalement klopte precies."

    page.goto("/politie/")
    expect(page.locator("#reports-waiting h2")).to_have_text("2 verslagen wachten op uw terugkoppeling")
    page.get_by_role("link", name="Totalen en waarderapport").click()
    expect(page.locator("#total-reports")).to_have_text("3")
    expect(page.locator("#total-usefulness")).to_have_text("5,0")
    assert_accessible(page)
    screenshot(page, "police-totals")
    page.get_by_role("button", name="Waarderapport maken (pdf)").click()
    ready = page.get_by_role("link", name=re.compile(r"^Downloaden: waarderapport-.*\.pdf"))
    expect(ready).to_be_visible(timeout=60_000)
    assert Job.objects.get(requested_by=world.petra).status == JobStatus.DONE
    screenshot(page, "police-value-report-ready")
    assert script_errors(page) == []
