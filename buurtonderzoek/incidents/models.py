"""Incidents (meldingen) and their workflow.

An incident is registered by a team's coordinator, or by a police officer for a team in the area
of their unit. Its status only moves along `TRANSITIONS` through
`buurtonderzoek.incidents.actions.transition_incident`, which appends an `IncidentTransition` row;
history rows are never edited or deleted (the model refuses it), as in Signalen.

The location is always stored as a point (RD New x/y in metres plus WGS84 lat/lon), whether it
came from an address or a click on the map: the canvass plan needs a centre either way, and an
address that disappears from a later BAG import must not lose the incident's place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Role, Team
from buurtonderzoek.core.models import AppendOnlyModel
from buurtonderzoek.core.tokens import printable_token
from buurtonderzoek.places.models import Address


class IncidentType(models.TextChoices):
    WONINGINBRAAK = "woninginbraak", _("woninginbraak")
    POGING_WONINGINBRAAK = "poging_woninginbraak", _("poging tot woninginbraak")
    STRAATROOF = "straatroof", _("straatroof")
    OVERVAL = "overval", _("overval")
    AUTOKRAAK = "autokraak", _("autokraak / diefstal uit auto")
    FIETSDIEFSTAL = "fietsdiefstal", _("fietsdiefstal")
    SCOOTERDIEFSTAL = "scooterdiefstal", _("scooterdiefstal")
    VERNIELING = "vernieling", _("vernieling")
    BRANDSTICHTING = "brandstichting", _("brandstichting")
    VERDACHTE_SITUATIE = "verdachte_situatie", _("verdachte situatie")
    OVERIG = "overig", _("overig")


# High impact crimes (HIC) as the police define them; shown with a mark and sorted first.
HIC_TYPES = frozenset({IncidentType.WONINGINBRAAK, IncidentType.STRAATROOF, IncidentType.OVERVAL})


def is_hic(incident_type: str) -> bool:
    return incident_type in HIC_TYPES


class IncidentStatus(models.TextChoices):
    REGISTERED = "registered", _("geregistreerd")
    CANVASS_PLANNED = "canvass_planned", _("buurtonderzoek gepland")
    CANVASS_RUNNING = "canvass_running", _("buurtonderzoek bezig")
    CANVASS_DONE = "canvass_done", _("buurtonderzoek afgerond")
    REPORTED = "reported", _("verslag naar politie")
    CLOSED = "closed", _("gesloten")
    CANCELLED = "cancelled", _("geannuleerd")


S = IncidentStatus
# The workflow: which status may follow which. Closed and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.CANVASS_PLANNED, S.CLOSED, S.CANCELLED}),
    # Back to registered when the plan is withdrawn before anyone started.
    S.CANVASS_PLANNED: frozenset({S.CANVASS_RUNNING, S.REGISTERED, S.CANCELLED}),
    S.CANVASS_RUNNING: frozenset({S.CANVASS_DONE, S.CANCELLED}),
    # Back to running for a round of revisits.
    S.CANVASS_DONE: frozenset({S.REPORTED, S.CANVASS_RUNNING, S.CLOSED}),
    S.REPORTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
FINAL_STATUSES = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)
# Statuses in which a canvass may still be planned or re-planned.
PLANNABLE_STATUSES = frozenset({S.REGISTERED, S.CANVASS_PLANNED})


def new_public_token() -> str:
    # Printed on leaflets, posters and letters; long enough that public pages cannot be enumerated.
    return printable_token()


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: Any) -> IncidentQuerySet:
        """Members of the team, and police of a unit covering the team's gemeente."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(team__memberships__user=user, team__memberships__role__in=(Role.VOLUNTEER, Role.COORDINATOR))
            | Q(
                team__gemeente__police_units__memberships__user=user,
                team__gemeente__police_units__memberships__role=Role.POLICE,
            )
        ).distinct()


class Incident(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="incidents")
    public_token = models.CharField(_("openbare code"), max_length=32, unique=True, default=new_public_token)
    incident_type = models.CharField(_("soort incident"), max_length=30, choices=IncidentType.choices)
    occurred_from = models.DateTimeField(_("gebeurd vanaf"))
    occurred_until = models.DateTimeField(_("gebeurd tot"))
    address = models.ForeignKey(
        Address, verbose_name=_("adres"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    location_label = models.CharField(_("locatie"), max_length=200)
    x = models.IntegerField(_("RD x (m)"))
    y = models.IntegerField(_("RD y (m)"))
    lat = models.FloatField(_("breedtegraad"))
    lon = models.FloatField(_("lengtegraad"))
    police_registration_number = models.CharField(_("registratienummer politie"), max_length=40, blank=True)
    description = models.TextField(_("korte omschrijving"), max_length=1000)
    victim_consent = models.BooleanField(_("slachtoffer stemt in met buurtonderzoek"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.REGISTERED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geregistreerd door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidenten")
        ordering = ["-occurred_from", "-id"]
        indexes = [
            models.Index(fields=["team", "status"], name="incident_team_status"),
            # A team's recent incidents (team health reads the last 90 days of every team).
            models.Index(fields=["team", "created_at"], name="incident_team_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_until__gte=models.F("occurred_from")), name="incident_window_ordered"
            ),
            models.CheckConstraint(condition=Q(status__in=IncidentStatus.values), name="incident_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_incident_type_display()} · {self.location_label}"

    @property
    def is_hic(self) -> bool:
        return is_hic(self.incident_type)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def allowed_transitions(self) -> list[IncidentStatus]:
        nexts = TRANSITIONS.get(self.status, frozenset())
        return [status for status in IncidentStatus if status in nexts]


class IncidentTransition(AppendOnlyModel):
    """One row of an incident's history; appended by `transition_incident`, never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("van"), max_length=20, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField(_("naar"), max_length=20, choices=IncidentStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("door"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(_("door (tekst)"), max_length=254, blank=True)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statusgeschiedenis")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"
