"""Every write to incidents goes through here: atomic, and recorded in the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.incidents.models import (
    TRANSITIONS,
    Incident,
    IncidentStatus,
    IncidentTransition,
)
from buurtonderzoek.incidents.signals import incident_transitioned
from buurtonderzoek.places.geo import in_rd_area, wgs84_to_rd_int
from buurtonderzoek.places.models import Address


class InvalidTransition(ValidationError):
    pass


def register_incident(
    team: Team,
    *,
    by: Any,
    incident_type: str,
    occurred_from: datetime,
    occurred_until: datetime,
    description: str,
    victim_consent: bool,
    address: Address | None = None,
    point: tuple[float, float] | None = None,
    police_registration_number: str = "",
) -> Incident:
    """Register an incident at an address of the team's gemeente, or at a map point (lat, lon)."""
    if occurred_until < occurred_from:
        raise ValidationError({"occurred_until": _("Het einde van de tijdsperiode ligt vóór het begin.")})
    if occurred_from > timezone.now():
        raise ValidationError({"occurred_from": _("Het begin van de tijdsperiode ligt in de toekomst.")})
    if address is not None:
        if address.gemeente_code and address.gemeente_code != team.gemeente.code:
            raise ValidationError({"address": _("Dit adres ligt niet in de gemeente van het team.")})
        x, y, lat, lon = address.x, address.y, address.lat, address.lon
        label = str(address)
    elif point is not None:
        lat, lon = point
        x, y = wgs84_to_rd_int(lat, lon)
        if not in_rd_area(x, y):
            raise ValidationError({"point": _("Dit punt ligt niet in Nederland. Kies een punt op de kaart.")})
        label = _("Kaartpunt %(lat).5f, %(lon).5f") % {"lat": lat, "lon": lon}
    else:
        raise ValidationError({"address": _("Kies een adres of klik een punt op de kaart.")})

    with transaction.atomic():
        incident = Incident.objects.create(
            team=team,
            incident_type=incident_type,
            occurred_from=occurred_from,
            occurred_until=occurred_until,
            address=address,
            location_label=label[:200],
            x=x,
            y=y,
            lat=lat,
            lon=lon,
            police_registration_number=police_registration_number.strip(),
            description=description.strip(),
            victim_consent=victim_consent,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        _append(incident, from_status="", to=IncidentStatus.REGISTERED, by=by, note="")
        record(
            by,
            AuditAction.CREATE,
            incident,
            summary=f"Incident geregistreerd: {incident.get_incident_type_display()} ({team})",
            data={"team": team.pk, "type": incident_type, "address": address.pk if address else None},
        )
    return incident


def transition_incident(incident: Incident, *, to: str, by: Any, note: str = "") -> IncidentTransition:
    """Move the incident to status `to` if the transition table allows it; append the history row."""
    with transaction.atomic():
        # Lock the row: two coordinators pressing buttons at once must not both pass the check.
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        if to not in TRANSITIONS.get(current.status, frozenset()):
            raise InvalidTransition(
                _("Een incident met status '%(from)s' kan niet naar '%(to)s'.")
                % {
                    "from": current.get_status_display(),
                    "to": IncidentStatus(to).label if to in IncidentStatus.values else to,
                }
            )
        row = _append(current, from_status=current.status, to=to, by=by, note=note)
        Incident.objects.filter(pk=current.pk).update(status=to, updated_at=timezone.now())
        incident.status = to
        incident_transitioned.send(sender=Incident, incident=incident, from_status=row.from_status, to_status=to, by=by)
        record(
            by,
            AuditAction.UPDATE,
            incident,
            summary=f"Incidentstatus {row.from_status} -> {to}",
            data={"from": row.from_status, "to": to, "note": note[:200]},
        )
    return row


def _append(incident: Incident, *, from_status: str, to: str, by: Any, note: str) -> IncidentTransition:
    is_user = getattr(by, "is_authenticated", False)
    return IncidentTransition.objects.create(
        incident=incident,
        from_status=from_status,
        to_status=to,
        by=by if is_user else None,
        by_label=(str(by) if is_user else "systeem")[:254],
        note=note[:500],
    )
