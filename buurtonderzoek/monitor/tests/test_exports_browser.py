"""The officer asks for the CSV and Excel downloads in Chromium: the page shows the job waiting and
making progress, the file comes when the worker is done, and it holds the gemeente's figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from buurtonderzoek.jobs import actions as job_actions
from buurtonderzoek.jobs.models import Job, JobStatus
from buurtonderzoek.jobs.tasks import run_job
from buurtonderzoek.jobs.tests.browser import wait_and_download
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from tests.browser.conftest import _fresh_cache, browser, new_page  # noqa: F401 - shared fixtures
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # conftest.give_totp


def test_the_officer_sees_the_export_wait_and_progress_then_downloads_real_files(
    new_page: Callable[[str], Page],  # noqa: F811 - the shared fixture imported above
    mworld: MonitorWorld,
    fill: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(mworld.wave, {b.pk: 12 for b in mworld.buurten})
    close_wave(mworld.wave)
    code = mworld.world.gemeente.code
    page = new_page("desktop")
    log_in(page, mworld.world.gert.email, totp_secret=TOTP_SECRET)
    page.goto(f"/monitor/{code}/")

    # The worker is busy: the job waits in the queue, and the page says so.
    held: list[int] = []
    monkeypatch.setattr(job_actions, "_enqueue_on_commit", held.append)
    with page.expect_navigation():
        page.get_by_role("button", name="Download CSV").click()
    expect(page.locator(".job-status")).to_contain_text("In de wachtrij")
    expect(page.locator(".job-status progress")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "export-waiting")
    [job_id] = held
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, progress=40)
    expect(page.locator(".job-status")).to_contain_text("Wordt gemaakt", timeout=10_000)  # the page polls
    expect(page.locator(".job-status progress")).to_have_attribute("value", "40")
    screenshot(page, "export-running")
    Job.objects.filter(pk=job_id).update(status=JobStatus.PENDING, progress=0)
    run_job.call(job_id)  # the worker gets to it

    content, content_type, filename = wait_and_download(page)
    screenshot(page, "export-ready")
    assert content_type == "text/csv; charset=utf-8" and filename == f"communitymonitor-{code}.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    gemeente = [r for r in rows if r["niveau"] == "gemeente" and r["gebiedscode"] == code]
    assert gemeente and all(r["meetronde"] == mworld.wave.name for r in gemeente)
    assert {r["indicatorcode"] for r in gemeente} >= {"unsafe_buurt", "mark_safety"}
    assert any(r["waarde"] for r in gemeente)

    # The Excel file, with a free worker this time; the results page lists both downloads.
    monkeypatch.undo()
    page.goto(f"/monitor/{code}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Download Excel (XLSX)").click()
    content, content_type, filename = wait_and_download(page)
    assert content_type.startswith("application/vnd.openxmlformats") and filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[:2] == ["Indicatoren", "Respons"]
    codes = [row[5] for row in workbook["Indicatoren"].iter_rows(min_row=2, values_only=True)]
    assert code in codes
    page.get_by_role("link", name="Terug").click()
    expect(page.locator(".job-list .job-status")).to_have_count(2)
    screenshot(page, "export-list")
