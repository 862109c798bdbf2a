"""Ask for a background file the way a person does (post the button's form, follow to the job page,
download) with the task run at commit, as the worker would run it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.test import Client
from django.urls import reverse

from buurtonderzoek.jobs.models import Job

Commits = Callable[..., AbstractContextManager[Any]]


def file_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def make_job_file(client: Client, url: str, commits: Commits, data: dict[str, Any] | None = None) -> tuple[Job, bytes]:
    """Post to `url`, check it sends the person to the new job's page, and return the job and its file."""
    before = Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with commits(execute=True):
        response = client.post(url, data or {})
    job = Job.objects.filter(pk__gt=before).order_by("-pk").first()
    assert job is not None, f"no job was queued (status {response.status_code})"
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.done, f"job {job.kind} did not finish: {job.status} {job.error}"
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    return job, file_bytes(download)
