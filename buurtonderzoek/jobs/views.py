"""The job page (progress, then the download) and the download itself, for the person who asked only.

The page works without JavaScript (a "Vernieuwen" link); with htmx the status block polls itself.
The download streams the file from storage (local disk or S3), never through a filesystem path.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.jobs import actions
from buurtonderzoek.jobs.access import get_job_for_user


@login_required
@require_GET
def job_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_status.html", {"job": job})
    return render(request, "jobs/job.html", {"job": job})


@login_required
@require_GET
def job_download(request: AuthedHttpRequest, pk: int) -> HttpResponse | FileResponse:
    job = get_job_for_user(request.user, pk)
    if not job.done:
        # Asked too early (a bookmark, the back button): the page that says how far it is.
        return render(request, "jobs/job.html", {"job": job}, status=409)
    record(request.user, AuditAction.EXPORT, job, summary=f"Download: {job.title}", request=request)
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=job.content_type or None
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def job_retry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    return redirect("jobs:detail", pk=actions.retry_job(job, by=request.user).pk)
