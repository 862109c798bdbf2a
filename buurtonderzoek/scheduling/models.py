"""One row per scheduled job: when it runs next, and how its last run went (scheduling/runner.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    name = models.CharField(_("naam"), max_length=64, unique=True)
    # The one value the workers race for: whoever moves it on from the value it read runs the job.
    next_run_at = models.DateTimeField(_("volgende keer"))
    last_started_at = models.DateTimeField(_("laatst gestart"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("laatst klaar"), null=True, blank=True)
    last_succeeded_at = models.DateTimeField(_("laatst gelukt"), null=True, blank=True)
    last_result = models.CharField(_("laatste uitkomst"), max_length=200, blank=True)
    last_error = models.TextField(_("laatste fout"), blank=True)
    failures = models.PositiveIntegerField(_("mislukt op rij"), default=0)
    runs = models.PositiveIntegerField(_("aantal keer gestart"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("geplande taak")
        verbose_name_plural = _("geplande taken")

    def __str__(self) -> str:
        return self.name
