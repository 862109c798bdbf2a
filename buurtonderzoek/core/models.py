"""The append-only audit log.

Every change and every read of personal data is recorded here through
`buurtonderzoek.core.audit.record`. Rows are never edited or deleted: the model
refuses it, and database triggers (see the migration) refuse it too, so neither
the ORM nor a raw query can rewrite history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("aangemaakt")
    UPDATE = "update", _("gewijzigd")
    DELETE = "delete", _("verwijderd")
    READ_PERSONAL = "read_personal", _("persoonsgegevens ingezien")
    EXPORT = "export", _("geëxporteerd")
    LOGIN = "login", _("ingelogd")
    LOGIN_FAILED = "login_failed", _("inloggen mislukt")
    LOGOUT = "logout", _("uitgelogd")


class AppendOnlyError(Exception):
    """Code tried to rewrite history that is kept in an append-only table."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses bulk updates and deletes: a history is added to, never rewritten."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} kunnen niet worden gewijzigd.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.verbose_name_plural} kunnen niet worden verwijderd.")


class AppendOnlyModel(models.Model):
    """A row that is written once: the audit log and every status history derive from this.

    Rows disappear only with what they belong to (a CASCADE from the parent when retention removes
    it); the audit log itself is protected further by database triggers (ADR 0003).
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.verbose_name_plural} kunnen niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.verbose_name_plural} kunnen niet worden verwijderd.")


class AuditEvent(AppendOnlyModel):
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wie"),
        null=True,
        blank=True,
        # The log outlives accounts: keep the row, lose the link.
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("wie (tekst)"), max_length=254, blank=True)
    action = models.CharField(_("actie"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("soort object"), max_length=100)
    object_id = models.CharField(_("object-id"), max_length=64, blank=True)
    summary = models.CharField(_("omschrijving"), max_length=255)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class MailFailure(models.Model):
    """Mail that could not be sent after its retries (core/mail.py); the admin lists these and can send again.

    Holds what to send again (the task and its arguments: ids, never addresses or text) and why it failed.
    """

    at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    what = models.CharField(_("welke e-mail"), max_length=200)
    task = models.CharField(_("taak"), max_length=200, blank=True)
    arguments = models.JSONField(_("argumenten"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=1)
    error = models.TextField(_("fout"))
    resent_at = models.DateTimeField(_("opnieuw verstuurd"), null=True, blank=True)

    class Meta:
        verbose_name = _("mislukte e-mail")
        verbose_name_plural = _("mislukte e-mails")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.what}"
