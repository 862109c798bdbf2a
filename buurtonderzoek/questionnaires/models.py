"""Questionnaires and their versions.

A questionnaire is data: each `QuestionnaireVersion` holds a JSON schema (see engine.py and
docs/questionnaire-engine.md). Drafts may change; once published a version is frozen, because
stored answers refer to it and must keep meaning what they meant. The model, its queryset and the
actions all refuse to change or delete a published version.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.questionnaires import engine

# Parsed schemas of published versions, per process. A published version never changes (save and
# delete refuse), so its parse (about 10 ms for the canvass questionnaire) is done once per process
# instead of once per request: each spoken visit the field app syncs and each monitor answer page
# needs it. The key carries the publication time as well as the id, so a database rebuilt with
# other versions under the same ids (tests, a restored backup) never meets a stale entry.
_PUBLISHED_SCHEMAS: dict[tuple[int, Any], engine.Schema] = {}
_PUBLISHED_SCHEMAS_MAX = 256


class Purpose(models.TextChoices):
    CANVASS = "canvass", _("buurtonderzoek")
    MONITOR = "monitor", _("communitymonitor")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("concept")
    PUBLISHED = "published", _("gepubliceerd")


class PublishedVersionError(Exception):
    """A published questionnaire version cannot be changed or deleted."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or str(
                _(
                    "Een gepubliceerde versie van een vragenlijst kan niet meer worden gewijzigd of verwijderd. "
                    "Maak een nieuwe conceptversie."
                )
            )
        )


class Questionnaire(models.Model):
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("titel"), max_length=200)
    purpose = models.CharField(_("doel"), max_length=20, choices=Purpose.choices)
    description = models.TextField(_("omschrijving"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersionQuerySet(models.QuerySet["QuestionnaireVersion"]):
    def published(self) -> QuestionnaireVersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def latest_published(self, slug: str) -> QuestionnaireVersion:
        """The newest published version of questionnaire `slug`; raises QuestionnaireVersion.DoesNotExist."""
        version = (
            self.published()
            .filter(questionnaire__slug=slug)
            .select_related("questionnaire")
            .order_by("-number")
            .first()
        )
        if version is None:
            raise QuestionnaireVersion.DoesNotExist(f"Geen gepubliceerde versie van vragenlijst '{slug}'.")
        return version

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().delete()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("vragenlijst"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versienummer"))
    schema = models.JSONField(_("schema"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    notes = models.TextField(_("wijzigingen"), blank=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vragenlijstversie")
        verbose_name_plural = _("vragenlijstversies")
        ordering = ["questionnaire__slug", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_unique_number"),
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT) | Q(published_at__isnull=False),
                name="questionnaire_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.slug} v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == VersionStatus.PUBLISHED:
                raise PublishedVersionError()
        self.__dict__.pop("parsed", None)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None and type(self).objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @cached_property
    def parsed(self) -> engine.Schema:
        """The parsed schema: once per instance, and for a published version once per process."""
        if not self.is_published or self.pk is None:
            return engine.parse(self.schema)
        key = (self.pk, self.published_at)
        schema = _PUBLISHED_SCHEMAS.get(key)
        if schema is None:
            schema = engine.parse(self.schema)
            if len(_PUBLISHED_SCHEMAS) >= _PUBLISHED_SCHEMAS_MAX:
                _PUBLISHED_SCHEMAS.clear()
            _PUBLISHED_SCHEMAS[key] = schema
        return schema
