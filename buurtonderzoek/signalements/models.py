"""Alerts ("getuigen gezocht" appeals) and the residents who subscribe to them.

An `Alert` is composed by a coordinator from a consolidated signalement and follows
`ALERT_TRANSITIONS`: draft -> submitted -> published (a police user approves) or returned (with a
reason, back to the coordinator), and once published it ends as expired or withdrawn, with an
afloopbericht (outcome message) that replaces it on the public page and in the feeds and goes to
everyone who received it. `AlertEvent` rows are its append-only history.

A `Subscription` is one e-mail address for one buurt or one gemeente. It counts only after the
resident clicked the confirmation link (double opt-in); unsubscribing deletes the row, and
unconfirmed rows are deleted after a week by the retention task. Links carry an HMAC of the row's
random nonce, so a copy of the database alone cannot unsubscribe anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.core.models import AppendOnlyModel
from buurtonderzoek.core.tokens import printable_token
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Buurt, Gemeente


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("concept")
    SUBMITTED = "submitted", _("wacht op goedkeuring van de politie")
    RETURNED = "returned", _("teruggestuurd door de politie")
    PUBLISHED = "published", _("gepubliceerd")
    EXPIRED = "expired", _("verlopen")
    WITHDRAWN = "withdrawn", _("ingetrokken")
    DISCARDED = "discarded", _("vervallen")


A = AlertStatus
ALERT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.DRAFT: frozenset({A.SUBMITTED, A.DISCARDED}),
    A.SUBMITTED: frozenset({A.PUBLISHED, A.RETURNED, A.DISCARDED}),
    A.RETURNED: frozenset({A.SUBMITTED, A.DISCARDED}),
    A.PUBLISHED: frozenset({A.EXPIRED, A.WITHDRAWN}),
    A.EXPIRED: frozenset(),
    A.WITHDRAWN: frozenset(),
    A.DISCARDED: frozenset(),
}
# Once published an alert stays on the public page: first itself, later its afloopbericht.
PUBLIC_STATUSES = frozenset({A.PUBLISHED, A.EXPIRED, A.WITHDRAWN})
ENDED_STATUSES = frozenset({A.EXPIRED, A.WITHDRAWN})
EDITABLE_STATUSES = frozenset({A.DRAFT, A.RETURNED})


def new_token() -> str:
    # Printed on leaflets, posters and letters; long enough that public pages cannot be enumerated.
    return printable_token()


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, user: Any) -> AlertQuerySet:
        """Members of the incident's team and police of a unit covering its gemeente."""
        return self.filter(incident__in=Incident.objects.visible_to(user))

    def public(self) -> AlertQuerySet:
        return self.filter(status__in=PUBLIC_STATUSES)

    def awaiting_police(self, user: Any) -> AlertQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.filter(status=A.SUBMITTED)
        return self.filter(
            status=A.SUBMITTED,
            gemeente__police_units__memberships__user=user,
            gemeente__police_units__memberships__role=Role.POLICE,
        ).distinct()


class Alert(models.Model):
    PERSON = "person"
    VEHICLE = "vehicle"
    KINDS = [(PERSON, _("persoon")), (VEHICLE, _("voertuig"))]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alerts")
    signalement_ref = models.CharField(_("signalement"), max_length=8)
    kind = models.CharField(_("soort"), max_length=10, choices=KINDS)
    # The merged description values when composed: descriptions only, never who said what.
    description = models.JSONField(_("beschrijving"), default=dict, blank=True)
    title = models.CharField(_("titel"), max_length=160)
    text = models.TextField(_("tekst"), max_length=1500)
    buurt = models.ForeignKey(
        Buurt, verbose_name=_("buurt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gemeente = models.ForeignKey(Gemeente, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+")
    public_token = models.CharField(_("openbare code"), max_length=32, unique=True, default=new_token)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    return_reason = models.CharField(_("reden van terugsturen"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)
    submitted_at = models.DateTimeField(_("ter goedkeuring gestuurd"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    expires_at = models.DateTimeField(_("verloopt op"), null=True, blank=True)
    ended_at = models.DateTimeField(_("beëindigd op"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_text = models.TextField(_("afloopbericht"), max_length=1000, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("oproep")
        verbose_name_plural = _("oproepen")
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["buurt", "status", "published_at"], name="alert_buurt_public"),
            models.Index(fields=["gemeente", "status", "published_at"], name="alert_gemeente_public"),
            models.Index(fields=["status", "expires_at"], name="alert_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.PUBLISHED) | Q(published_at__isnull=False, expires_at__isnull=False),
                name="alert_published_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status == A.PUBLISHED and self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def area_label(self) -> str:
        return str(self.buurt or self.gemeente)


class AlertEvent(AppendOnlyModel):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("van"), max_length=20, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(_("naar"), max_length=20, choices=AlertStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(_("door (tekst)"), max_length=254, blank=True)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statuswijziging oproep")
        verbose_name_plural = _("geschiedenis oproepen")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


def new_nonce() -> str:
    return secrets.token_hex(16)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def for_area(self, *, buurt: Buurt | None, gemeente: Gemeente) -> SubscriptionQuerySet:
        area = Q(gemeente=gemeente)
        if buurt is not None:
            area |= Q(buurt=buurt)
        return self.confirmed().filter(area)


class Subscription(models.Model):
    email = models.EmailField(_("e-mailadres"))
    buurt = models.ForeignKey(Buurt, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    gemeente = models.ForeignKey(Gemeente, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    language = models.CharField(_("taal"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("aangemeld op"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("abonnement op oproepen")
        verbose_name_plural = _("abonnementen op oproepen")
        constraints = [
            models.CheckConstraint(
                condition=Q(buurt__isnull=False, gemeente__isnull=True) | Q(buurt__isnull=True, gemeente__isnull=False),
                name="subscription_one_area",
            ),
            models.UniqueConstraint(
                fields=["email", "buurt"], condition=Q(buurt__isnull=False), name="subscription_unique_buurt"
            ),
            models.UniqueConstraint(
                fields=["email", "gemeente"], condition=Q(gemeente__isnull=False), name="subscription_unique_gemeente"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.area_label}"

    @property
    def area_label(self) -> str:
        return str(self.buurt or self.gemeente)

    @property
    def token(self) -> str:
        message = f"subscription:{self.pk}:{self.nonce}".encode()
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token, token or "")


class AlertDelivery(models.Model):
    """One e-mail sent: the alert or its afloopbericht to one subscription (never twice)."""

    ALERT = "alert"
    OUTCOME = "outcome"
    KINDS = [(ALERT, _("oproep")), (OUTCOME, _("afloopbericht"))]

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=KINDS)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verzonden oproep")
        verbose_name_plural = _("verzonden oproepen")
        constraints = [
            models.UniqueConstraint(fields=["alert", "subscription", "kind"], name="alertdelivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} -> {self.subscription_id} ({self.kind})"
