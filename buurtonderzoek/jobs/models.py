"""A file made in the background for one person: exports, reports, leaflets, certificates.

One mechanism for every download that can take more than a second (docs/jobs.md): the page asks for a
`Job` (`actions.request_job`), the worker makes the file (`tasks.run_job`, through the producer that
`kinds.KINDS` names for the job's kind) and writes it through Django's storage, the page polls the job
and offers the file when it is done. Only the person who asked can see the job or download its file
(`access.get_job_for_user`): the files may hold names or figures of their own units.

A job is done with a complete file, or failed without one; never half a file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A running job whose worker has not reported progress for this long has died (a killed worker, a
# machine restart); the page says so and offers to try again instead of polling for ever.
STALLED_AFTER = timedelta(minutes=10)


class JobStatus(models.TextChoices):
    PENDING = "pending", _("in de wachtrij")
    RUNNING = "running", _("wordt gemaakt")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


def job_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.pk}/{filename}"


class JobQuerySet(models.QuerySet["Job"]):
    def of(self, user: Any) -> JobQuerySet:
        """The jobs `user` asked for: the only ones they may see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)


class Job(models.Model):
    # A key of kinds.KINDS, e.g. "monitor.csv"; not a choices field, so adding a kind needs no migration.
    kind = models.CharField(_("soort"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("aangevraagd door")
    )
    # What to make, as the producer reads it: {"gemeente": "GM0363"}, {"incident": 4, "size": "A6"}, ...
    params = models.JSONField(_("opdracht"), default=dict)
    title = models.CharField(_("titel"), max_length=200)
    # Where the job page's "terug" link goes: the page the person asked from.
    back_url = models.CharField(_("terug naar"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    # Shown to the person as is: Dutch, and says what to do. Technical details go to the log.
    error = models.CharField(_("fout"), max_length=500, blank=True)
    file = models.FileField(_("bestand"), upload_to=job_path, max_length=300, blank=True)
    # The name the download gets; the stored name may differ (storages add a suffix to avoid clashes).
    filename = models.CharField(_("bestandsnaam"), max_length=200, blank=True)
    content_type = models.CharField(_("bestandssoort"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"), default=0)
    created_at = models.DateTimeField(_("aangevraagd op"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("opdracht op de achtergrond")
        verbose_name_plural = _("opdrachten op de achtergrond")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "kind", "-created_at"], name="job_owner_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent"),
            # Done means a file; the task writes both in one update.
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="job_done_has_file"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def stalled(self) -> bool:
        if self.status not in (JobStatus.PENDING, JobStatus.RUNNING):
            return False
        last = self.heartbeat_at or self.created_at
        # A pending job waits for a free worker; give it the same grace as a silent running one.
        return last is not None and timezone.now() - last > STALLED_AFTER

    @property
    def busy(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING) and not self.stalled

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED or self.stalled

    @property
    def done(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.file)
