"""Officer pages: anonymous -> login, outsider -> 404, wrong role -> 403, officer -> the page.

Personas (root conftest): gert is municipal officer of Demodorp; alice coordinates a team there
(wrong role); charlie coordinates a team in another gemeente (outsider).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.jobs.tests.helpers import make_job_file
from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.models import InvitationCode, PrintRun, Wave
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave

pytestmark = pytest.mark.django_db

GET_PAGES: list[Callable[[MonitorWorld], str]] = [
    lambda m: reverse("monitor:results", args=[m.world.gemeente.code]),
    lambda m: reverse("monitor:wave_create", args=[m.world.gemeente.code]),
    lambda m: reverse("monitor:wave_detail", args=[m.wave.pk]),
    lambda m: reverse("monitor:wave_edit", args=[m.wave.pk]),
    lambda m: reverse("monitor:print_run_create", args=[m.wave.pk]),
]
POST_PAGES: list[Callable[[MonitorWorld], str]] = [
    lambda m: reverse("monitor:export_csv", args=[m.world.gemeente.code]),
    lambda m: reverse("monitor:export_xlsx", args=[m.world.gemeente.code]),
    lambda m: reverse("monitor:export_pdf", args=[m.world.gemeente.code]),
    lambda m: reverse("monitor:wave_public_link", args=[m.wave.pk]),
]
ALL_PAGES = GET_PAGES + POST_PAGES
PAGE_IDS = [
    "results", "wave_create", "wave_detail", "wave_edit", "print_run", "csv", "xlsx", "pdf", "public_link"
]  # fmt: skip


def _fetch(client: Client, page: Callable[[MonitorWorld], str], mworld: MonitorWorld) -> int:
    url = page(mworld)
    return (client.post(url) if page in POST_PAGES else client.get(url)).status_code


@pytest.mark.parametrize("page", ALL_PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, mworld: MonitorWorld, page) -> None:
    url = page(mworld)
    response = client.post(url) if page in POST_PAGES else client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("page", ALL_PAGES)
def test_it_hides_the_gemeente_from_outsiders(client: Client, mworld: MonitorWorld, page) -> None:
    client.force_login(mworld.world.charlie)
    assert _fetch(client, page, mworld) == 404


@pytest.mark.parametrize("page", ALL_PAGES)
def test_it_refuses_team_members_and_police(client: Client, mworld: MonitorWorld, page) -> None:
    client.force_login(mworld.world.alice)
    assert _fetch(client, page, mworld) == 403


def test_the_monitor_index_refuses_people_without_a_municipal_role(client: Client, mworld: MonitorWorld) -> None:
    assert reverse("account_login") in client.get(reverse("monitor:index"))["Location"]
    client.force_login(mworld.world.alice)
    assert client.get(reverse("monitor:index")).status_code == 403
    client.force_login(mworld.world.gert)
    response = client.get(reverse("monitor:index"))
    assert response["Location"] == reverse("monitor:results", args=[mworld.world.gemeente.code])


@pytest.mark.parametrize("page", GET_PAGES[:5])
def test_it_shows_officer_pages_to_the_officer(client: Client, mworld: MonitorWorld, fill, page) -> None:
    fill(mworld.wave, {b.pk: 12 for b in mworld.buurten})
    client.force_login(mworld.world.gert)
    response = client.get(page(mworld), follow=True)  # the report: its progress page
    assert response.status_code == 200
    assert 'lang="nl"' in response.content.decode()


def test_admins_see_every_gemeente(client: Client, mworld: MonitorWorld) -> None:
    client.force_login(mworld.world.admin)
    assert client.get(reverse("monitor:results", args=[mworld.world.gemeente.code])).status_code == 200


def test_an_officer_creates_a_wave(client: Client, mworld: MonitorWorld) -> None:
    client.force_login(mworld.world.gert)
    url = reverse("monitor:wave_create", args=[mworld.world.gemeente.code])
    response = client.post(
        url,
        {
            "name": "Najaar",
            "starts_on": "2030-09-01",
            "ends_on": "2030-10-15",
            "version": mworld.version.pk,
            "buurten": [b.pk for b in mworld.buurten[:2]],
            "target_per_buurt": 150,
        },
    )
    wave = Wave.objects.get(name="Najaar")
    assert response["Location"] == reverse("monitor:wave_detail", args=[wave.pk])
    assert list(wave.buurten.order_by("pk")) == mworld.buurten[:2]
    assert wave.target_per_buurt == 150 and not wave.public_link_enabled
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="monitor.Wave", object_id=str(wave.pk)
    ).exists()


def test_the_wave_form_explains_mistakes_in_dutch(client: Client, mworld: MonitorWorld) -> None:
    client.force_login(mworld.world.gert)
    url = reverse("monitor:wave_create", args=[mworld.world.gemeente.code])
    response = client.post(
        url, {"name": "X", "starts_on": "2030-09-01", "ends_on": "2030-08-01", "target_per_buurt": 1}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "De einddatum ligt vóór de begindatum." in page
    assert not Wave.objects.filter(name="X").exists()


def test_an_officer_edits_the_period_and_toggles_the_public_link(client: Client, mworld: MonitorWorld) -> None:
    client.force_login(mworld.world.gert)
    response = client.post(
        reverse("monitor:wave_edit", args=[mworld.wave.pk]),
        {"name": "Voorjaar 2030", "starts_on": "2030-03-01", "ends_on": "2030-04-01", "target_per_buurt": 50},
    )
    assert response.status_code == 302
    client.post(reverse("monitor:wave_public_link", args=[mworld.wave.pk]), {"enabled": "0"})
    mworld.wave.refresh_from_db()
    assert (mworld.wave.name, mworld.wave.target_per_buurt, mworld.wave.public_link_enabled) == (
        "Voorjaar 2030",
        50,
        False,
    )


def _make_run(
    client: Client, mworld: MonitorWorld, data: Mapping[str, Any], django_capture_on_commit_callbacks: Any
) -> PrintRun:
    """Post the print-run form as the officer; the worker's task runs when the request commits."""
    client.force_login(mworld.world.gert)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor:print_run_create", args=[mworld.wave.pk]), data)
    run = PrintRun.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("monitor:print_run_detail", args=[run.pk])
    return run


def test_a_print_run_downloads_letters_and_csv_and_keeps_no_addresses(
    client: Client, mworld: MonitorWorld, django_capture_on_commit_callbacks: Any
) -> None:
    data = {
        "buurten": [mworld.buurten[0].pk, mworld.buurten[1].pk],
        "mode": "sample",
        "sample_size": 5,
        "include_pdf": "on",
    }
    run = _make_run(client, mworld, data, django_capture_on_commit_callbacks)
    page = client.get(reverse("monitor:print_run_detail", args=[run.pk])).content.decode()
    assert "Klaar: 10 brieven." in page and 'id="print-run-download"' in page
    response = client.get(reverse("monitor:print_run_download", args=[run.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    names = set(archive.namelist())
    assert {"LEESMIJ.txt", "adressen-en-codes.csv", "brieven.pdf"} <= names
    lines = archive.read("adressen-en-codes.csv").decode("utf-8-sig").splitlines()
    assert len(lines) == 11  # header + 5 addresses in each of two buurten
    header = lines[0].split(";")
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]]
    printed = [codes.normalise(r["code"]) for r in rows]
    assert all(printed)
    stored = set(InvitationCode.objects.values_list("code_hash", flat=True))
    assert {codes.hash_code(c) for c in printed if c} == stored
    assert all(r["link"].endswith(f"/enquete/c/{codes.normalise(r['code'])}/") for r in rows)
    # The letters carry the same codes and addresses as the mail-merge file, one page each, in its order.
    pages = PdfReader(io.BytesIO(archive.read("brieven.pdf"))).pages
    assert len(pages) == 10
    for pdf_page, row in zip(pages, rows, strict=True):
        text = pdf_page.extract_text()
        assert row["code"] in text and f"{row['straat']} {row['huisnummer']}" in text
    run.refresh_from_db()
    assert run.letters == 10 and run.per_buurt == {str(mworld.buurten[0].pk): 5, str(mworld.buurten[1].pk): 5}
    # Nothing in the database ties a code to an address; the download goes when the officer says so.
    for model in (InvitationCode, PrintRun):
        fields = {f.name for f in model._meta.get_fields()}
        assert not fields & {"address", "addresses", "street", "postcode", "huisnummer"}
    assert mworld.wave.wave_buurten.get(buurt=mworld.buurten[0]).codes_issued == 5
    path = run.file.path
    client.post(reverse("monitor:print_run_delete_file", args=[run.pk]))
    run.refresh_from_db()
    assert not run.file and not os.path.exists(path)
    assert client.get(reverse("monitor:print_run_download", args=[run.pk])).status_code == 404


def test_a_print_run_of_all_addresses_can_skip_the_pdf(
    client: Client, mworld: MonitorWorld, django_capture_on_commit_callbacks: Any
) -> None:
    run = _make_run(
        client, mworld, {"buurten": [mworld.buurten[2].pk], "mode": "all"}, django_capture_on_commit_callbacks
    )
    response = client.get(reverse("monitor:print_run_download", args=[run.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert "brieven.pdf" not in archive.namelist()
    assert InvitationCode.objects.filter(buurt=mworld.buurten[2]).count() == 40


def test_a_print_run_that_fails_leaves_no_codes_and_can_be_retried(
    client: Client, mworld: MonitorWorld, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buurtonderzoek.monitor import invitations

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(invitations, "letters_pdf", broken)
    data = {"buurten": [mworld.buurten[0].pk], "mode": "all", "include_pdf": "on"}
    _make_run(client, mworld, data, django_capture_on_commit_callbacks)  # the worker logs the error
    run = PrintRun.objects.get()
    assert run.status == "failed" and not run.file
    assert not InvitationCode.objects.exists()
    assert mworld.wave.wave_buurten.get(buurt=mworld.buurten[0]).codes_issued == 0
    page = client.get(reverse("monitor:print_run_detail", args=[run.pk])).content.decode()
    assert "Er zijn geen codes uitgegeven" in page and "Opnieuw proberen" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitor:print_run_retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "done" and run.file and run.letters == 40
    assert InvitationCode.objects.count() == 40


def test_the_print_run_page_shows_progress_while_the_worker_runs(client: Client, mworld: MonitorWorld) -> None:
    run = PrintRun.objects.create(wave=mworld.wave, mode="all", status="running", progress=40, buurt_ids=[])
    client.force_login(mworld.world.gert)
    page = client.get(reverse("monitor:print_run_detail", args=[run.pk])).content.decode()
    assert '<progress id="print-run-progress"' in page and 'value="40"' in page and "hx-get" in page
    partial = client.get(reverse("monitor:print_run_detail", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="print-run-status"')
    client.force_login(mworld.world.alice)
    assert client.get(reverse("monitor:print_run_detail", args=[run.pk])).status_code == 403
    client.force_login(mworld.world.charlie)
    assert client.get(reverse("monitor:print_run_detail", args=[run.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("monitor:print_run_detail", args=[run.pk])).status_code == 302


def test_withdrawing_a_print_run_asks_for_confirmation_first(client: Client, mworld: MonitorWorld) -> None:
    from buurtonderzoek.monitor.tests.conftest import issue_codes

    issue_codes(mworld.wave, mworld.buurten[0], 3)
    run = PrintRun.objects.get()
    client.force_login(mworld.world.gert)
    page = client.get(reverse("monitor:print_run_void", args=[run.pk])).content.decode()
    assert "3 codes zijn nog niet gebruikt" in page and "Ja, intrekken" in page
    run.refresh_from_db()
    assert run.voided_at is None and InvitationCode.objects.count() == 3
    client.post(reverse("monitor:print_run_void", args=[run.pk]))
    run.refresh_from_db()
    assert run.voided_at is not None and not InvitationCode.objects.filter(print_run__voided_at__isnull=True).exists()


def test_the_print_run_form_asks_for_a_sample_size(client: Client, mworld: MonitorWorld) -> None:
    client.force_login(mworld.world.gert)
    response = client.post(
        reverse("monitor:print_run_create", args=[mworld.wave.pk]),
        {"buurten": [mworld.buurten[0].pk], "mode": "sample"},
    )
    assert response.status_code == 200
    assert "Vul in hoeveel adressen per buurt" in response.content.decode()
    assert not InvitationCode.objects.exists()


def test_the_results_page_uses_a_constant_number_of_queries(client: Client, mworld: MonitorWorld, fill) -> None:
    client.force_login(mworld.world.gert)
    url = reverse("monitor:results", args=[mworld.world.gemeente.code])
    fill(mworld.wave, {mworld.buurten[0].pk: 15})
    close_wave(mworld.wave)
    client.get(url)
    # Both measured without the shared cache's copy (monitor/cache.py): 6 queries for its version, then the load.
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill(mworld.wave, {b.pk: 25 for b in mworld.buurten}, seed=2)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url + "?indicator=mark_safety").status_code == 200
    assert len(large) == len(small)
    # 12 to load (the weighting is read with the cells: ResultCell.weighted), 6 for the version, 1 for the
    # officer's own downloads.
    assert len(large) <= 19
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url + "?indicator=mark_safety").status_code == 200
    assert len(cached) < len(large)


def test_a_new_wave_gets_the_newest_questionnaire_version(mworld: MonitorWorld) -> None:
    from django.utils import timezone as tz

    from buurtonderzoek.monitor.forms import WaveForm
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    newer = QuestionnaireVersion.objects.create(
        questionnaire=mworld.version.questionnaire,
        number=mworld.version.number + 1,
        schema=mworld.version.schema,
        status="published",
        published_at=tz.now(),
    )
    assert WaveForm(gemeente=mworld.world.gemeente).fields["version"].initial == newer.pk
    assert mworld.wave.version_id == mworld.version.pk  # the running wave keeps its version


def test_exports_are_made_in_the_background_and_audited(
    client: Client, mworld: MonitorWorld, fill, django_capture_on_commit_callbacks: Any
) -> None:
    fill(mworld.wave, {b.pk: 12 for b in mworld.buurten})
    close_wave(mworld.wave)
    client.force_login(mworld.world.gert)
    url = reverse("monitor:export_xlsx", args=[mworld.world.gemeente.code])
    assert client.get(url).status_code == 405  # asking makes something: a button, not a link
    job, content = make_job_file(client, url, django_capture_on_commit_callbacks)
    assert content[:2] == b"PK" and job.filename == f"communitymonitor-{mworld.world.gemeente.code}.xlsx"
    # Asked once, downloaded once: both are in the audit log.
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2
    page = client.get(reverse("monitor:results", args=[mworld.world.gemeente.code])).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page


def test_an_officer_who_lost_the_role_before_the_worker_ran_gets_no_file(
    client: Client, mworld: MonitorWorld, fill, django_capture_on_commit_callbacks: Any
) -> None:
    from buurtonderzoek.accounts.models import Membership
    from buurtonderzoek.jobs.models import Job, JobStatus
    from buurtonderzoek.jobs.tasks import run_job

    client.force_login(mworld.world.gert)
    client.post(reverse("monitor:export_csv", args=[mworld.world.gemeente.code]))  # queued, not yet run
    Membership.objects.filter(user=mworld.world.gert).delete()
    job = Job.objects.get()
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert job.error == "Alleen medewerkers van de gemeente kunnen de monitorresultaten downloaden."


def _report(client: Client, url: str, capture: Any, data: dict[str, Any] | None = None) -> bytes:
    """Ask for the report as the officer; the worker makes it when the request commits."""
    return make_job_file(client, url, capture, data)[1]


def test_the_pdf_report_is_made_in_the_background_and_downloaded(
    client: Client, mworld: MonitorWorld, fill, django_capture_on_commit_callbacks: Any
) -> None:
    fill(mworld.wave, {b.pk: 15 for b in mworld.buurten})
    close_wave(mworld.wave)
    client.force_login(mworld.world.gert)
    content = _report(
        client, reverse("monitor:export_pdf", args=[mworld.world.gemeente.code]), django_capture_on_commit_callbacks
    )
    assert content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2  # asked, downloaded


def test_the_report_progress_page_polls_and_is_for_its_requester_only(client: Client, mworld: MonitorWorld) -> None:
    from buurtonderzoek.jobs.models import Job, JobStatus

    job = Job.objects.create(
        kind="monitor.report",
        requested_by=mworld.world.gert,
        params={"gemeente": mworld.world.gemeente.code, "wave": mworld.wave.pk, "waves": [mworld.wave.pk]},
        title="Rapport",
        status=JobStatus.RUNNING,
        progress=30,
    )
    url = reverse("jobs:detail", args=[job.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for other in (mworld.world.charlie, mworld.world.alice):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.force_login(mworld.world.gert)
    page = client.get(url).content.decode()
    assert f'<progress id="job-progress-{job.pk}"' in page and 'value="30"' in page and "hx-get" in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 409


def test_a_running_wave_has_no_report_and_the_officer_is_told_when_it_comes(
    client: Client, mworld: MonitorWorld, fill
) -> None:
    fill(mworld.wave, {b.pk: 15 for b in mworld.buurten})
    client.force_login(mworld.world.gert)
    response = client.post(reverse("monitor:export_pdf", args=[mworld.world.gemeente.code]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain and b"%PDF" not in response.content
    assert "komt beschikbaar als de meetronde is afgesloten" in page
    assert "veldwerk loopt" in page
    assert 'id="overview"' not in page and "data-value" not in page


def test_the_results_page_shows_a_running_wave_as_progress_only(client: Client, mworld: MonitorWorld, fill) -> None:
    fill(mworld.wave, {b.pk: 12 for b in mworld.buurten})
    client.force_login(mworld.world.gert)
    page = client.get(reverse("monitor:results", args=[mworld.world.gemeente.code])).content.decode()
    assert 'id="progress"' in page and "De cijfers verschijnen als de meetronde is afgesloten" in page
    assert "data-value" not in page and "95%-BI" not in page
    assert ">72<" in page  # the gemeente's responses: progress is shown


def test_the_wave_page_does_not_show_small_counts_of_people(client: Client, mworld: MonitorWorld) -> None:
    from buurtonderzoek.monitor import actions

    for buurt in mworld.buurten[:3]:
        actions.start_public_response(mworld.wave, buurt)
    client.force_login(mworld.world.gert)
    page = client.get(reverse("monitor:wave_detail", args=[mworld.wave.pk])).content.decode()
    assert "Begonnen maar nog niet verstuurd: minder dan 10." in page
    assert "Begonnen maar nog niet verstuurd: 3" not in page


def test_the_pdf_report_holds_only_the_waves_the_officer_ticked(
    client: Client, mworld: MonitorWorld, fill, tmp_path, django_capture_on_commit_callbacks: Any
) -> None:
    import shutil
    import subprocess
    from datetime import timedelta

    from django.utils import timezone

    from buurtonderzoek.monitor import actions

    today = timezone.localdate()
    waves = [mworld.wave]
    for offset, name in ((200, "Najaarsronde"), (100, "Winterronde")):
        waves.append(
            actions.create_wave(
                mworld.world.gemeente, by=mworld.world.gert, name=name, version=mworld.version,
                starts_on=today - timedelta(days=offset + 30), ends_on=today - timedelta(days=offset),
                buurten=mworld.buurten, target_per_buurt=20,
            )
        )  # fmt: skip
    for seed, wave in enumerate(waves):
        fill(wave, {b.pk: 12 for b in mworld.buurten}, seed=seed)
    close_wave(mworld.wave)  # Voorjaar, the latest
    client.force_login(mworld.world.gert)
    page = client.get(reverse("monitor:results", args=[mworld.world.gemeente.code])).content.decode()
    assert f'name="waves" value="{waves[1].pk}" checked' in page
    url = reverse("monitor:export_pdf", args=[mworld.world.gemeente.code])
    content = _report(client, url, django_capture_on_commit_callbacks, {"wave": mworld.wave.pk, "waves": [waves[2].pk]})
    (tmp_path / "r.pdf").write_bytes(content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext
    text = subprocess.run([pdftotext, str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "Voorjaar" in text and "Winterronde" in text
    assert "Najaarsronde" not in text
    # The report says which weighting its figures use (no CBS totals loaded here: design weights).
    assert "Weging: Huishoudgewichten per buurt" in " ".join(text.split())
    # ... and where each national figure comes from (year, source, series).
    assert "reeks vanaf 2021" in " ".join(text.split()) and "reeks tot en met 2019" in " ".join(text.split())
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm
    pages = [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "2", str(tmp_path / "r.pdf"), str(tmp_path / "page")]
    subprocess.run(pages, check=True)  # noqa: S603 - to look at: the reference column with its sources
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    for page_png in tmp_path.glob("page-*.png"):
        shutil.copy(page_png, Path("var/screenshots") / f"monitor-report-{page_png.name}")
