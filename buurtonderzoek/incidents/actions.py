"""Every write to incidents goes through here: atomic, and recorded in the audit log.

`register_incident` creates an incident, `update_incident` corrects its details afterwards (the same
rules as registration, from `incidents.forms`), `transition_incident` moves it along the workflow.
Callers check access first (`incidents.access`): these functions do not know who may do what.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.incidents.forms import clean_police_number, window_errors
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
    errors = window_errors(occurred_from, occurred_until)
    if errors:
        raise ValidationError(errors)
    location = _locate(team, address=address, point=point)
    try:
        police_registration_number = clean_police_number(police_registration_number)
    except ValidationError as error:
        raise ValidationError({"police_registration_number": error.messages}) from None

    with transaction.atomic():
        incident = Incident.objects.create(
            team=team,
            incident_type=incident_type,
            occurred_from=occurred_from,
            occurred_until=occurred_until,
            **location,
            police_registration_number=police_registration_number,
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


def _locate(team: Team, *, address: Address | None, point: tuple[float, float] | None) -> dict[str, Any]:
    """The location fields for an address of the team's gemeente, or for a map point (lat, lon)."""
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
    return {"address": address, "location_label": label[:200], "x": x, "y": y, "lat": lat, "lon": lon}


# What update_incident may change besides the location (`address=` or `point=`).
EDITABLE_FIELDS = (
    "incident_type",
    "occurred_from",
    "occurred_until",
    "police_registration_number",
    "description",
    "victim_consent",
)
# Free text that may hold personal data: the audit log says that it changed, never what it says.
PERSONAL_FIELDS = frozenset({"description"})
LOCATION_FIELDS = ("address", "location_label", "x", "y", "lat", "lon")
# Two map points closer than this (in degrees, about half a metre) are the same place: a point
# comes back from the form rounded to six decimals.
SAME_POINT_DEGREES = 5e-6


def update_incident(incident: Incident, *, by: Any, **changes: Any) -> list[str]:
    """Correct an incident's details; returns the names of the fields that changed (maybe none).

    `changes` may hold any of `EDITABLE_FIELDS`, and `address` (an Address) or `point` (lat, lon) to
    move the incident. The rules are registration's: the time window (`forms.window_errors`), the
    police registration number (`forms.clean_police_number`), an address in the team's gemeente, a
    point in the Netherlands, and the model's own (a known type, a description of at most 1000
    characters). Further:

    - a closed or cancelled incident is not changed any more;
    - the location only while the status is "registered": once a canvass is planned, its routes
      are built around the point (withdrawing the plan, back to "registered", unlocks it);
    - the victim's consent can be given at any time, and withdrawn only while no canvass is planned.
      Consent is what allows planning a canvass (`canvass.actions.plan_canvass`); a "no" next to a
      planned or running canvass would be a record that lies, while volunteers still ring doorbells.
      So the coordinator first stops the canvass through the workflow (plan withdrawn, or the
      incident cancelled or closed); withdrawing consent does not undo visits already made.

    One audit event lists the changed fields with old and new values; for the description only that
    it changed, for the location only the address ids (no coordinates: it is often the victim's home).
    """
    unknown = set(changes) - {*EDITABLE_FIELDS, "address", "point"}
    if unknown:
        raise TypeError(f"update_incident() cannot change {', '.join(sorted(unknown))}")
    if changes.get("address") is not None and changes.get("point") is not None:
        raise TypeError("update_incident() takes an address or a point, not both")

    with transaction.atomic():
        # Lock the row: the status decides what may change, and a planning or a transition must not
        # slip in between the check and the write.
        current = Incident.objects.select_for_update().select_related("team__gemeente").get(pk=incident.pk)
        if current.is_final:
            raise ValidationError(
                _("Dit incident is %(status)s; de gegevens kunnen niet meer worden gewijzigd.")
                % {"status": current.get_status_display()}
            )
        new = {name: changes.get(name, getattr(current, name)) for name in EDITABLE_FIELDS}
        new["description"] = str(new["description"]).strip()
        errors: dict[str, Any] = dict(window_errors(new["occurred_from"], new["occurred_until"]))
        try:
            new["police_registration_number"] = clean_police_number(str(new["police_registration_number"]))
        except ValidationError as error:
            errors["police_registration_number"] = error.messages
        location = _moved_location(current, address=changes.get("address"), point=changes.get("point"), errors=errors)
        if current.victim_consent and not new["victim_consent"] and current.status != IncidentStatus.REGISTERED:
            errors["victim_consent"] = _consent_locked_message(current)
        if errors:
            raise ValidationError(errors)

        changed = [name for name in EDITABLE_FIELDS if new[name] != getattr(current, name)]
        if not changed and location is None:
            return []
        audited: dict[str, Any] = {
            name: {"old": _jsonable(getattr(current, name)), "new": _jsonable(new[name])}
            for name in changed
            if name not in PERSONAL_FIELDS
        }
        if location is not None:
            new_address = location["address"]
            audited["location"] = {
                "old": {"address": current.address_id},
                "new": {"address": new_address.pk if new_address is not None else None},
            }
        written = [*changed, *(LOCATION_FIELDS if location is not None else ())]
        for name in changed:
            setattr(current, name, new[name])
        for name, value in (location or {}).items():
            setattr(current, name, value)
        # The model's own rules (known type, lengths, required text), for callers other than the form.
        unchanged = [field.name for field in Incident._meta.fields if field.name not in written]
        current.full_clean(exclude=unchanged, validate_unique=False, validate_constraints=False)
        current.save(update_fields=[*written, "updated_at"])
        for name in (*written, "updated_at"):
            setattr(incident, name, getattr(current, name))
        fields = [*changed, *(["location"] if location is not None else [])]
        record(
            by,
            AuditAction.UPDATE,
            current,
            summary=f"Incidentgegevens gewijzigd: {', '.join(fields)}",
            data={"fields": fields, "changes": audited},
        )
    return fields


def _jsonable(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _moved_location(
    current: Incident, *, address: Address | None, point: tuple[float, float] | None, errors: dict[str, Any]
) -> dict[str, Any] | None:
    """The new location fields when `address` or `point` moves the incident; None when it stays."""
    if address is None and point is None:
        return None
    if address is not None and address.pk == current.address_id:
        return None
    if (
        point is not None
        and current.address_id is None
        and abs(point[0] - current.lat) < SAME_POINT_DEGREES
        and abs(point[1] - current.lon) < SAME_POINT_DEGREES
    ):
        return None
    if current.status != IncidentStatus.REGISTERED:
        errors["address"] = _(
            "De locatie kan niet meer worden gewijzigd: het buurtonderzoek is rond deze plek gepland. "
            "Klopt de plek niet, trek het plan dan eerst in (status terug naar 'geregistreerd'), "
            "zolang er nog niemand langs de deuren is geweest."
        )
        return None
    try:
        location = _locate(current.team, address=address, point=point)
    except ValidationError as error:
        errors.update(error.message_dict)
        return None
    return location


def _consent_locked_message(incident: Incident) -> str:
    if incident.status == IncidentStatus.CANVASS_PLANNED:
        return _(
            "Er is al een buurtonderzoek gepland. Trekt het slachtoffer de instemming in, zet de status dan "
            "eerst terug naar 'geregistreerd' (het plan vervalt); daarna kunt u de instemming uitzetten."
        )
    return _(
        "Het buurtonderzoek is al begonnen of afgerond. Trekt het slachtoffer de instemming in, stop het "
        "buurtonderzoek dan via 'Status wijzigen' (annuleren of sluiten) en noteer dat in de toelichting."
    )


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
