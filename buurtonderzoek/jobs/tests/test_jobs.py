"""The one background-job mechanism: only the requester sees a job, the file goes through Django's
storage (an S3 store works as the local disk does), a failure leaves no file and says what to do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.jobs import tasks
from buurtonderzoek.jobs.actions import request_job
from buurtonderzoek.jobs.kinds import KINDS, PDF, Document, JobRefused, Kind, Progress
from buurtonderzoek.jobs.models import Job, JobStatus
from buurtonderzoek.jobs.tests.helpers import file_bytes
from conftest import World

IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CONTENT = b"%PDF-1.7 test file\n" + bytes(range(256)) * 4


def echo(job: Job, progress: Progress) -> Document:
    """A producer for the tests: what it returns or raises is in the job's params."""
    progress(50)
    if job.params.get("fail") == "crash":
        raise RuntimeError("the renderer fell over")
    if job.params.get("fail") == "refuse":
        raise JobRefused("Kies eerst een meetronde.")
    return Document(CONTENT, "proef.pdf", PDF)


@pytest.fixture(autouse=True)
def _echo_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, "test.echo", Kind(gettext_lazy("proef"), f"{__name__}.echo"))


@pytest.fixture(autouse=True)
def _second_factor(world: World) -> None:
    # Gemeente and police accounts must have two-factor authentication before any page.
    give_totp(world.gert)
    give_totp(world.petra)


def ask(world: World, commits: Any, **params: Any) -> Job:
    with commits(execute=True):
        job = request_job("test.echo", by=world.gert, params=params, title="Proefbestand", back_url="/monitor/")
    job.refresh_from_db()
    return job


@override_settings(STORAGES=IN_MEMORY)
def test_a_job_writes_its_file_through_the_configured_storage_and_the_download_streams_it(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = ask(world, django_capture_on_commit_callbacks)
    assert isinstance(default_storage, InMemoryStorage)
    assert job.status == JobStatus.DONE and job.progress == 100 and job.size == len(CONTENT)
    assert default_storage.exists(job.file.name) and job.file.name.startswith(f"jobs/{job.pk}/")
    with default_storage.open(job.file.name, "rb") as stored:
        assert stored.read() == CONTENT
    client.force_login(world.gert)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and file_bytes(download) == CONTENT
    assert download["Content-Type"] == PDF and 'filename="proef.pdf"' in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk)).exists()


@override_settings(STORAGES=IN_MEMORY)
def test_only_the_requester_sees_the_job_or_its_file(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = ask(world, django_capture_on_commit_callbacks)
    urls = [reverse("jobs:detail", args=[job.pk]), reverse("jobs:download", args=[job.pk])]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    # Colleagues of the same gemeente, outsiders and even the platform admin: the file may hold names.
    for other in (world.alice, world.charlie, world.petra, world.admin):
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404, (other, url)
        assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    client.force_login(world.gert)
    assert all(client.get(url).status_code == 200 for url in urls)


@override_settings(STORAGES=IN_MEMORY)
def test_the_page_shows_progress_while_the_job_waits_and_polls_itself(client: Client, world: World) -> None:
    job = request_job("test.echo", by=world.gert, params={}, title="Proefbestand")  # not run: on_commit is held
    client.force_login(world.gert)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<progress" in page and "In de wachtrij" in page and 'hx-trigger="load delay:1s"' in page
    partial = client.get(reverse("jobs:detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<div id="job-') and "<html" not in partial.content.decode()
    early = client.get(reverse("jobs:download", args=[job.pk]))
    assert early.status_code == 409 and "In de wachtrij" in early.content.decode()


@override_settings(STORAGES=IN_MEMORY)
def test_a_crash_leaves_no_file_and_says_in_dutch_what_to_do(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ask(world, django_capture_on_commit_callbacks, fail="crash")  # the worker logs the crash and goes on
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not job.file
    assert "Probeer het opnieuw" in job.error and "beheerder" in job.error
    assert default_storage.listdir("")[1] == [] and not default_storage.exists(f"jobs/{job.pk}")
    client.force_login(world.gert)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert job.error.split(";")[0] in page and "Opnieuw proberen" in page and "hx-get" not in page


@override_settings(STORAGES=IN_MEMORY)
def test_a_refusal_shows_its_own_message(world: World, django_capture_on_commit_callbacks: Any) -> None:
    job = ask(world, django_capture_on_commit_callbacks, fail="refuse")
    assert job.status == JobStatus.FAILED and job.error == "Kies eerst een meetronde." and not job.file


@override_settings(STORAGES=IN_MEMORY)
def test_a_failure_after_the_file_was_written_removes_the_file(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_gone(*args: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "_mark_done", database_gone)
    ask(world, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and not job.file
    assert default_storage.listdir(f"jobs/{job.pk}") == ([], [])


@override_settings(STORAGES=IN_MEMORY)
def test_a_task_delivered_twice_makes_the_file_once(world: World, django_capture_on_commit_callbacks: Any) -> None:
    job = ask(world, django_capture_on_commit_callbacks)
    assert tasks.run_job.call(job.pk) == 0
    assert default_storage.listdir(f"jobs/{job.pk}")[1] == ["proef.pdf"]


@override_settings(STORAGES=IN_MEMORY)
def test_a_stalled_job_is_shown_as_failed_and_can_be_started_again(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = request_job("test.echo", by=world.gert, params={}, title="Proefbestand", back_url="/monitor/")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.gert)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "blijven hangen" in page and "hx-get" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.latest("pk")
    assert again.pk != job.pk and response["Location"] == reverse("jobs:detail", args=[again.pk])
    assert again.done and again.params == job.params and again.back_url == "/monitor/"


@override_settings(STORAGES=IN_MEMORY)
def test_old_jobs_and_their_files_are_deleted(world: World, django_capture_on_commit_callbacks: Any) -> None:
    old = ask(world, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    ask(world, django_capture_on_commit_callbacks)  # every finished job sweeps
    assert not Job.objects.filter(pk=old.pk).exists() and not default_storage.exists(old.file.name)
    assert Job.objects.count() == 1


def test_an_unknown_kind_is_refused_when_asked_not_in_the_worker(world: World) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        request_job("nope", by=world.gert, params={}, title="x")
    assert not Job.objects.exists()
