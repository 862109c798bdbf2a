"""Published versions of the public privacy statement.

The statement's words live in templates (one per text revision, never edited once shipped); what
an operator configures (controller, contact, retention periods) is frozen into a version here the
first time it is shown. A version is therefore exactly what a resident could read, and a door visit
that stores its version name points at that text for as long as the instance exists.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.core.models import AppendOnlyModel


class PrivacyStatement(AppendOnlyModel):
    revision = models.PositiveIntegerField(_("tekstversie"))
    values = models.JSONField(_("instellingen in de tekst"), default=dict)
    fingerprint = models.CharField(_("vingerafdruk"), max_length=64, unique=True)
    published_at = models.DateTimeField(_("gepubliceerd"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacyverklaring")
        verbose_name_plural = _("privacyverklaringen")
        ordering = ("-published_at", "-pk")

    def __str__(self) -> str:
        return self.version

    @property
    def version(self) -> str:
        """The name volunteers see and visits store, e.g. "2026-3": year of publication and number."""
        return f"{self.published_at:%Y}-{self.pk}"
