"""Printable documents made in the background for one user: the police's quarterly value report and a
team's certificates of contribution. The page polls the job's progress and offers the file when done;
only the person who asked for it can see or download it.

Monthly figures per buurt, rolled up for the grip pages (buurtonderzoek.dashboards.grip): counting a
million door visits for every page view is too slow, so `refresh_area_months` folds the activity into
one row per buurt and month in the background (a task the grip page starts when the roll-up is older
than GRIP_REFRESH_MINUTES, and `manage.py refresh_grip_figures`). Counts only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.places.models import Buurt, Gemeente


class JobStatus(models.TextChoices):
    PENDING = "pending", _("in de wachtrij")
    RUNNING = "running", _("wordt gemaakt")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


def job_path(instance: PrintJob, filename: str) -> str:
    return f"dashboards/jobs/{instance.pk}/{filename}"


class PrintJob(models.Model):
    VALUE_REPORT = "value_report"
    CERTIFICATES = "certificates"
    KINDS = [(VALUE_REPORT, _("waarderapport politie")), (CERTIFICATES, _("bewijzen van inzet"))]

    kind = models.CharField(_("soort"), max_length=20, choices=KINDS)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="print_jobs",
        verbose_name=_("aangevraagd door"),
    )
    # What to print: {"start": "2026-07-01", "end": "2026-09-30"} or {"team": 3, "year": 2026}.
    params = models.JSONField(_("opdracht"), default=dict)
    title = models.CharField(_("titel"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    error = models.CharField(_("fout"), max_length=500, blank=True)
    file = models.FileField(_("bestand"), upload_to=job_path, blank=True)
    created_at = models.DateTimeField(_("aangevraagd op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("afdrukopdracht")
        verbose_name_plural = _("afdrukopdrachten")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="printjob_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def busy(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)


class AreaMonth(models.Model):
    buurt = models.ForeignKey(Buurt, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("maand"), help_text="the first day of the month")
    incidents = models.PositiveIntegerField(_("incidenten"), default=0)
    canvasses = models.PositiveIntegerField(_("buurtonderzoeken"), default=0)
    doors_visited = models.PositiveIntegerField(_("deuren bezocht"), default=0)
    reports_used = models.PositiveIntegerField(_("verslagen gebruikt"), default=0)

    class Meta:
        verbose_name = _("cijfers per buurt en maand")
        verbose_name_plural = _("cijfers per buurt en maand")
        constraints = [models.UniqueConstraint(fields=["buurt", "month"], name="areamonth_unique")]
        indexes = [models.Index(fields=["month", "buurt"], name="areamonth_month")]

    def __str__(self) -> str:
        return f"{self.buurt_id} {self.month:%Y-%m}"


class AreaRefresh(models.Model):
    """When a gemeente's roll-up was last asked for and last finished."""

    gemeente = models.OneToOneField(Gemeente, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(_("gevraagd op"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("bijgewerkt op"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.gemeente_id} {self.refreshed_at}"


class DigestSubscription(models.Model):
    """Opt-in for the weekly digest e-mail (dashboards/digest.py); no row, no mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription")
    created_at = models.DateTimeField(_("aangemeld op"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("laatst verstuurd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanmelding wekelijkse samenvatting")
        verbose_name_plural = _("aanmeldingen wekelijkse samenvatting")

    def __str__(self) -> str:
        return str(self.user)
