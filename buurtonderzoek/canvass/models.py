"""Canvass plans, walking routes, door visits and tips.

The flow: a coordinator plans a `Canvass` for an incident (a radius or a drawn polygon around the
incident, minus excluded addresses such as the victim's own), and `plan_canvass` freezes the
address set into `Route`s of ordered `RouteStop`s, one route per pair of volunteers. Volunteers
record one `DoorVisit` per door they ring, on paper or on the phone; the field app sends each visit
with a client-generated UUID so a retry after a lost connection never doubles it, while two
volunteers who both record the same door both keep their visit. Residents who were not home
answer through the public tip form (`Tip`), reached by the QR code on the leaflet.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Address

DEFAULT_RADIUS_M = 150
MIN_RADIUS_M = 25
MAX_RADIUS_M = 1000
# A pair of volunteers talks to about 30-50 doors in an evening.
DOORS_PER_ROUTE_HINT = 40
# The optimiser runs for seconds; a run silent for this long was lost (a restarted worker).
IMPROVE_STALLED = timedelta(minutes=3)


class CanvassStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    RUNNING = "running", _("bezig")
    DONE = "done", _("afgerond")
    CANCELLED = "cancelled", _("geannuleerd")


class CanvassQuerySet(models.QuerySet["Canvass"]):
    def visible_to(self, user: Any) -> CanvassQuerySet:
        return self.filter(incident__in=Incident.objects.visible_to(user))


class Canvass(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="canvasses")
    status = models.CharField(_("status"), max_length=20, choices=CanvassStatus.choices, default=CanvassStatus.PLANNED)
    centre_x = models.IntegerField(_("midden RD x (m)"))
    centre_y = models.IntegerField(_("midden RD y (m)"))
    centre_lat = models.FloatField(_("midden breedtegraad"))
    centre_lon = models.FloatField(_("midden lengtegraad"))
    # Exactly one of radius and polygon describes the area.
    radius_m = models.PositiveIntegerField(_("straal (m)"), null=True, blank=True)
    polygon = models.JSONField(_("gebied (GeoJSON Polygon, WGS84)"), null=True, blank=True)
    excluded_address_ids = models.JSONField(_("uitgesloten adressen"), default=list, blank=True)
    door_count = models.PositiveIntegerField(_("aantal adressen"), default=0)
    planned_at = models.DateTimeField(_("gepland op"), null=True, blank=True)
    # Route improvement with OR-Tools runs in the background (tasks.improve_routes): set while it runs,
    # so the page says "routes worden verbeterd"; the note says what came of the last run.
    improving_since = models.DateTimeField(_("routes worden verbeterd sinds"), null=True, blank=True)
    improvement_note = models.CharField(_("uitkomst routeverbetering"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("gepland door")
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    objects = CanvassQuerySet.as_manager()

    class Meta:
        verbose_name = _("buurtonderzoek")
        verbose_name_plural = _("buurtonderzoeken")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_m__isnull=False, polygon__isnull=True)
                | Q(radius_m__isnull=True, polygon__isnull=False),
                name="canvass_radius_xor_polygon",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} · {self.door_count}"

    @property
    def improving(self) -> bool:
        """Route improvement is running; after IMPROVE_STALLED the worker died and the page stops waiting."""
        return self.improving_since is not None and timezone.now() - self.improving_since < IMPROVE_STALLED


class RouteQuerySet(models.QuerySet["Route"]):
    def visible_to(self, user: Any) -> RouteQuerySet:
        """Coordinators and police see every route of a visible canvass; volunteers only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = Incident.objects.visible_to(user)
        return self.filter(
            Q(canvass__incident__in=visible)
            & (
                Q(members=user)
                | Q(
                    canvass__incident__team__memberships__user=user,
                    canvass__incident__team__memberships__role=Role.COORDINATOR,
                )
                | Q(
                    canvass__incident__team__gemeente__police_units__memberships__user=user,
                    canvass__incident__team__gemeente__police_units__memberships__role=Role.POLICE,
                )
            )
        ).distinct()


class Route(models.Model):
    canvass = models.ForeignKey(Canvass, on_delete=models.CASCADE, related_name="routes")
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("naam"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("lopers"), related_name="canvass_routes", blank=True
    )
    door_count = models.PositiveIntegerField(_("aantal deuren"), default=0)
    length_m = models.PositiveIntegerField(_("looplengte (m)"), default=0)

    objects = RouteQuerySet.as_manager()

    class Meta:
        verbose_name = _("looproute")
        verbose_name_plural = _("looproutes")
        ordering = ["canvass", "number"]
        constraints = [models.UniqueConstraint(fields=["canvass", "number"], name="route_unique_number")]

    def __str__(self) -> str:
        return self.name


class Side(models.TextChoices):
    ODD = "odd", _("oneven")
    EVEN = "even", _("even")


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    # Denormalised from route so the database guarantees each address is in one route only.
    canvass = models.ForeignKey(Canvass, on_delete=models.CASCADE, related_name="stops")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(_("volgorde"))
    street = models.CharField(_("straat"), max_length=80)
    side = models.CharField(_("kant"), max_length=4, choices=Side.choices)

    class Meta:
        verbose_name = _("routeadres")
        verbose_name_plural = _("routeadressen")
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="routestop_unique_order"),
            models.UniqueConstraint(fields=["canvass", "address"], name="routestop_unique_address"),
        ]

    def __str__(self) -> str:
        return f"{self.route.number}.{self.order} {self.address_id}"


class Outcome(models.TextChoices):
    GESPROKEN = "gesproken", _("gesproken")
    NIET_THUIS = "niet_thuis", _("niet thuis")
    WIL_NIET = "wil_niet", _("wil niet")
    BRIEFJE = "briefje", _("briefje achtergelaten")
    LATER_TERUG = "later_terug", _("later terug")


# Outcomes that leave the door for another round.
REVISIT_OUTCOMES = frozenset({Outcome.NIET_THUIS, Outcome.BRIEFJE, Outcome.LATER_TERUG})


class ReviewStatus(models.TextChoices):
    RECEIVED = "received", _("ontvangen")
    HAS_ISSUES = "has_issues", _("heeft vragen")
    APPROVED = "approved", _("goedgekeurd")
    REJECTED = "rejected", _("afgewezen")


class DoorVisit(models.Model):
    canvass = models.ForeignKey(Canvass, on_delete=models.CASCADE, related_name="visits")
    stop = models.ForeignKey(RouteStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="door_visits",
        verbose_name=_("loper"),
    )
    # Generated on the phone before the first send attempt: retries carry the same id.
    client_uuid = models.UUIDField(_("client-id"), unique=True, default=uuid.uuid4)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices)
    visited_at = models.DateTimeField(_("bezocht op"))
    questionnaire_version = models.ForeignKey(
        "questionnaires.QuestionnaireVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("versie vragenlijst"),
    )
    answers = models.JSONField(_("antwoorden"), default=dict, blank=True)
    review_status = models.CharField(
        _("beoordeling"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.RECEIVED
    )
    review_comment = models.CharField(_("opmerking bij beoordeling"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    created_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("deurbezoek")
        verbose_name_plural = _("deurbezoeken")
        ordering = ["visited_at", "id"]
        indexes = [
            models.Index(fields=["canvass", "address"], name="doorvisit_canvass_address"),
            # Team health counts the visits of a few days by their moment (dashboards/walkers.py) and
            # the visits still waiting for review.
            models.Index(fields=["visited_at"], name="doorvisit_visited_at"),
            # The first door of a canvass, one index entry each (team health's time to first door).
            models.Index(fields=["canvass", "visited_at"], name="doorvisit_canvass_visited_at"),
            # Not a partial index: SQLite only uses one when the query spells out the same literal, and
            # Django passes the status as a parameter.
            models.Index(fields=["review_status", "created_at"], name="doorvisit_review_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.address_id} {self.outcome} {self.visited_at:%Y-%m-%d %H:%M}"


class Tip(models.Model):
    """A resident's anonymous tip from the public form; contact details only with consent."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tips")
    canvass = models.ForeignKey(Canvass, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips")
    text = models.TextField(_("tip"), max_length=2000)
    contact_consent = models.BooleanField(_("toestemming voor contact"), default=False)
    contact_name = models.CharField(_("naam"), max_length=100, blank=True)
    contact_phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("taal"), max_length=8, blank=True)
    # The privacy statement the form showed (privacy.statement), as visits keep the one shown at the door.
    privacy_version = models.CharField(_("versie privacyverklaring"), max_length=20, blank=True)
    # A keyed hash of the sender's IP address, for rate limiting and spotting floods; never the IP.
    ip_hash = models.CharField(_("IP-hash"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True)
    seen_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_consent=True) | Q(contact_name="", contact_phone="", contact_email=""),
                name="tip_contact_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return f"Tip {self.pk} ({self.created_at:%Y-%m-%d})"


class OdkImportStatus(models.TextChoices):
    QUEUED = "queued", _("in de wachtrij")
    RUNNING = "running", _("bezig")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


class OdkImport(models.Model):
    """One upload of an ODK Central / KoboToolbox export, loaded in the background (canvass/tasks.py).

    The uploaded file is kept only until it has been read (`data` is emptied then): the visits hold
    what was taken, `results` what happened per row."""

    canvass = models.ForeignKey(Canvass, verbose_name=_("buurtonderzoek"), on_delete=models.CASCADE)
    version = models.ForeignKey(
        "questionnaires.QuestionnaireVersion", verbose_name=_("versie vragenlijst"), on_delete=models.PROTECT
    )
    filename = models.CharField(_("bestandsnaam"), max_length=200)
    data = models.BinaryField(_("inhoud"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OdkImportStatus.choices, default=OdkImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    results = models.JSONField(_("resultaat per regel"), default=list, blank=True)
    error = models.CharField(_("fout"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ingelezen door"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("ODK-import")
        verbose_name_plural = _("ODK-imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
