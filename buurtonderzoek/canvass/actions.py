"""Every write to canvasses, routes, visits and tips: atomic, audited, the only way in.

`plan_canvass` freezes the plan's addresses into routes (re-planning replaces them while no door
has been visited). `record_visit` is what the field app's sync calls for each queued visit: it is
idempotent on the client's UUID, so a retry returns the stored visit instead of a second one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.canvass.models import (
    DOORS_PER_ROUTE_HINT,
    Canvass,
    CanvassStatus,
    DoorVisit,
    Outcome,
    ReviewStatus,
    Route,
    RouteStop,
    Tip,
)
from buurtonderzoek.canvass.planning import doors_for, preview_plan
from buurtonderzoek.canvass.routing import PlannedRoute, bell_panel_order, split_routes, total_length
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.incidents.actions import transition_incident
from buurtonderzoek.incidents.models import PLANNABLE_STATUSES, Incident, IncidentStatus

MAX_ROUTES = 40
CANVASS_QUESTIONNAIRE = "buurtonderzoek"


def suggested_route_count(doors: int) -> int:
    return max(1, min(MAX_ROUTES, math.ceil(doors / DOORS_PER_ROUTE_HINT)))


def plan_canvass(
    incident: Incident,
    *,
    by: Any,
    route_count: int,
    radius_m: int | None = None,
    polygon: dict[str, Any] | None = None,
    excluded_ids: Collection[int] = (),
    optimise_seconds: float | None = None,
) -> Canvass:
    """Plan (or re-plan) the incident's canvass and split it into `route_count` walking routes."""
    if not incident.victim_consent:
        raise ValidationError(_("Het slachtoffer heeft niet ingestemd met een buurtonderzoek."))
    if incident.status not in PLANNABLE_STATUSES:
        raise ValidationError(
            _("Bij status '%(status)s' kan geen buurtonderzoek meer worden gepland.")
            % {"status": incident.get_status_display()}
        )
    if (radius_m is None) == (polygon is None):
        raise ValidationError(_("Kies een straal of teken een gebied."))
    if not 1 <= route_count <= MAX_ROUTES:
        raise ValidationError(_("Kies tussen 1 en %(max)d routes.") % {"max": MAX_ROUTES})
    preview = preview_plan(incident, radius_m=radius_m, polygon=polygon, excluded_ids=excluded_ids)
    included = preview.included
    if not included:
        raise ValidationError(_("Er liggen geen adressen in dit gebied. Vergroot de straal of teken een ander gebied."))
    doors = doors_for(included)
    planned = split_routes(doors, route_count)
    optimised = False
    if optimise_seconds:
        from buurtonderzoek.canvass.optimise import optimise_routes

        # A step across the street or into another street costs as much as 30 m of walking, so
        # the optimiser keeps each street side together on the walking list. Its answer is kept
        # only when it is shorter than the heuristic's: in a few seconds it often is not.
        candidate = optimise_routes(doors, route_count, time_limit_s=optimise_seconds, side_penalty_m=30.0)
        if total_length(candidate) < total_length(planned) - 1.0:
            planned, optimised = candidate, True
    by_id = {a.pk: a for a in included}

    with transaction.atomic():
        canvass = Canvass.objects.select_for_update().filter(incident=incident).order_by("-id").first()
        if canvass is not None and canvass.visits.exists():
            raise ValidationError(_("Er zijn al deurbezoeken vastgelegd; het plan kan niet meer worden gewijzigd."))
        replanned = canvass is not None
        if canvass is None:
            canvass = Canvass(incident=incident, created_by=by if getattr(by, "is_authenticated", False) else None)
        else:
            canvass.routes.all().delete()
        canvass.centre_x, canvass.centre_y = incident.x, incident.y
        canvass.centre_lat, canvass.centre_lon = incident.lat, incident.lon
        canvass.radius_m = radius_m if polygon is None else None
        canvass.polygon = polygon
        canvass.excluded_address_ids = sorted(preview.excluded_ids)
        canvass.door_count = len(included)
        canvass.status = CanvassStatus.PLANNED
        canvass.planned_at = timezone.now()
        canvass.save()
        _store_routes(canvass, planned, by_id)
        if incident.status == IncidentStatus.REGISTERED:
            transition_incident(
                incident, to=IncidentStatus.CANVASS_PLANNED, by=by, note=_("%(n)d adressen") % {"n": len(included)}
            )
        record(
            by,
            AuditAction.UPDATE if replanned else AuditAction.CREATE,
            canvass,
            summary=f"Buurtonderzoek {'opnieuw ' if replanned else ''}gepland: {len(included)} adressen, "
            f"{len(planned)} routes",
            data={
                "incident": incident.pk,
                "radius_m": canvass.radius_m,
                "polygon": polygon is not None,
                "excluded": canvass.excluded_address_ids,
                "routes": len(planned),
                "optimiser_tried": bool(optimise_seconds),
                "optimised": optimised,
            },
        )
    return canvass


def _store_routes(canvass: Canvass, planned: Sequence[PlannedRoute], by_id: dict[int, Any]) -> None:
    stops: list[RouteStop] = []
    for number, plan in enumerate(planned, start=1):
        streets: list[str] = []
        for door in plan.doors:
            if door.street not in streets:
                streets.append(door.street)
        name = _("Route %(n)d") % {"n": number}
        if streets:
            name += " · " + ", ".join(streets[:2]) + (" …" if len(streets) > 2 else "")
        route = Route.objects.create(
            canvass=canvass,
            number=number,
            name=name[:120],
            door_count=len(plan.doors),
            length_m=round(plan.length_m),
        )
        for order, door in enumerate(bell_panel_order(plan.doors), start=1):
            stops.append(
                RouteStop(
                    route=route,
                    canvass=canvass,
                    address=by_id[door.id],
                    order=order,
                    street=door.street,
                    side=door.side,
                )
            )
    RouteStop.objects.bulk_create(stops, batch_size=1000)


def assign_route_members(route: Route, *, by: Any, members: Sequence[Any]) -> Route:
    """Give the route to (usually) a pair of the team's members."""
    team = route.canvass.incident.team
    unique = list(dict.fromkeys(members))
    if len(unique) > 3:
        raise ValidationError(_("Een route loopt u met twee, hooguit drie personen."))
    allowed = set(
        Membership.objects.filter(team=team, role__in=(Role.VOLUNTEER, Role.COORDINATOR)).values_list(
            "user_id", flat=True
        )
    )
    outsiders = [m for m in unique if m.pk not in allowed]
    if outsiders:
        raise ValidationError(_("Alleen leden van het team kunnen een route lopen."))
    with transaction.atomic():
        before = sorted(route.members.values_list("pk", flat=True))
        route.members.set(unique)
        record(
            by,
            AuditAction.UPDATE,
            route,
            summary=f"Lopers van {route.name}: {', '.join(str(m) for m in unique) or '-'}",
            data={"before": before, "after": sorted(m.pk for m in unique)},
        )
    return route


def record_visit(
    canvass: Canvass,
    *,
    by: Any,
    client_uuid: uuid.UUID | str,
    address_id: int,
    outcome: str,
    visited_at: datetime,
    answers: dict[str, Any] | None = None,
    questionnaire_version: Any = None,
) -> tuple[DoorVisit, bool]:
    """Store one door visit; returns (visit, created). Sending the same client UUID again is a no-op."""
    try:
        client_uuid = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": _("Ongeldige client-id.")}) from None
    existing = DoorVisit.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return _same_visit(existing, canvass, by), False
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Kies een geldige uitkomst.")})
    team = canvass.incident.team
    if not (
        getattr(by, "is_superuser", False)
        or Membership.objects.filter(user=by, team=team, role__in=(Role.VOLUNTEER, Role.COORDINATOR)).exists()
    ):
        raise ValidationError(_("Alleen leden van het team kunnen deurbezoeken vastleggen."))
    if canvass.status == CanvassStatus.CANCELLED or canvass.incident.is_final:
        raise ValidationError(_("Dit buurtonderzoek is gesloten; er kunnen geen bezoeken meer bij."))
    stop = RouteStop.objects.filter(canvass=canvass, address_id=address_id).first()
    if stop is None:
        raise ValidationError({"address": _("Dit adres hoort niet bij dit buurtonderzoek.")})
    if visited_at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"visited_at": _("Het tijdstip van het bezoek ligt in de toekomst.")})

    cleaned: dict[str, Any] = {}
    version = None
    if outcome == Outcome.GESPROKEN:
        version, cleaned = _checked_answers(canvass, answers or {}, questionnaire_version)

    try:
        with transaction.atomic():
            visit = DoorVisit.objects.create(
                canvass=canvass,
                stop=stop,
                address_id=address_id,
                volunteer=by,
                client_uuid=client_uuid,
                outcome=outcome,
                visited_at=visited_at,
                questionnaire_version=version,
                answers=cleaned,
            )
            if cleaned and version is not None:
                _record_safety_pulse(visit, version, cleaned, by=by)
            # Lock and re-read: two phones sending their first visit at once must not both try to
            # move the incident to "running" from a stale copy (the second would be refused).
            incident = canvass.incident
            incident.status = Incident.objects.select_for_update().values_list("status", flat=True).get(pk=incident.pk)
            if incident.status == IncidentStatus.CANVASS_PLANNED:
                transition_incident(incident, to=IncidentStatus.CANVASS_RUNNING, by=by, note=_("eerste deurbezoek"))
            record(
                by,
                AuditAction.CREATE,
                visit,
                summary=f"Deurbezoek {outcome} vastgelegd",
                data={"canvass": canvass.pk, "address": address_id, "client_uuid": str(client_uuid)},
            )
    except IntegrityError:
        # The same UUID arrived twice at once (a retry racing the original): keep the first.
        existing = DoorVisit.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return _same_visit(existing, canvass, by), False
    return visit, True


def _record_safety_pulse(visit: DoorVisit, version: Any, answers: dict[str, Any], *, by: Any) -> None:
    """Pass the optional safety-pulse answers on to the Communitymonitor (shown there apart, as a
    non-random sample). Only the buurt travels with them, never the address or the witness."""
    from buurtonderzoek.monitor.actions import record_pulse
    from buurtonderzoek.places.models import Buurt

    buurt = Buurt.objects.filter(code=visit.address.buurt_code).first() if visit.address_id else None
    if buurt is not None:
        record_pulse(buurt=buurt, version=version, answers=answers, by=by, canvass=visit.canvass)


def _same_visit(existing: DoorVisit, canvass: Canvass, by: Any) -> DoorVisit:
    if existing.canvass_id != canvass.pk or existing.volunteer_id != getattr(by, "pk", None):
        raise ValidationError({"client_uuid": _("Deze client-id hoort bij een ander bezoek.")})
    return existing


def _checked_answers(canvass: Canvass, answers: dict[str, Any], version: Any) -> tuple[Any, dict[str, Any]]:
    from buurtonderzoek.questionnaires import engine
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    if version is None:
        try:
            version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
        except QuestionnaireVersion.DoesNotExist:
            raise ValidationError(_("Er is geen gepubliceerde vragenlijst voor buurtonderzoek.")) from None
    elif not version.is_published:
        raise ValidationError({"questionnaire_version": _("Deze versie van de vragenlijst is niet gepubliceerd.")})
    context = {"incident_type": canvass.incident.incident_type}
    cleaned, errors = engine.check(version.schema, answers, context)
    if errors:
        raise ValidationError({f"answers.{path}": messages for path, messages in errors.items()})
    return version, dict(cleaned)


def review_visit(visit: DoorVisit, *, by: Any, status: str, comment: str = "") -> DoorVisit:
    if status not in ReviewStatus.values:
        raise ValidationError({"status": _("Kies een geldige beoordeling.")})
    if status in (ReviewStatus.HAS_ISSUES, ReviewStatus.REJECTED) and not comment.strip():
        raise ValidationError({"comment": _("Schrijf erbij wat er niet klopt, zodat de loper het kan aanvullen.")})
    with transaction.atomic():
        before = visit.review_status
        visit.review_status = status
        visit.review_comment = comment.strip()[:500]
        visit.reviewed_by = by
        visit.reviewed_at = timezone.now()
        visit.save(update_fields=["review_status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
        record(by, AuditAction.UPDATE, visit, summary=f"Deurbezoek beoordeeld: {before} -> {status}")
    return visit


def choose_counting_visit(visit: DoorVisit, *, by: Any) -> list[DoorVisit]:
    """A door recorded by two volunteers: the coordinator says which visit counts.

    The other visits of that door in this canvass are rejected in review (so consolidation and the
    report leave them out, and the double-visit panel no longer lists the door), with a comment that
    tells their walker which visit counts. Nothing is deleted: both stay on record. A chosen visit
    that was rejected before goes back to review. Returns the visits set aside.
    """
    with transaction.atomic():
        visit = DoorVisit.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=visit.pk)
        others = list(
            DoorVisit.objects.select_for_update()
            .filter(canvass_id=visit.canvass_id, address_id=visit.address_id)
            .exclude(pk=visit.pk)
            .exclude(review_status=ReviewStatus.REJECTED)
        )
        if not others:
            raise ValidationError(_("Dit adres heeft geen ander bezoek meer om tegen af te wegen."))
        now = timezone.now()
        when = timezone.localtime(visit.visited_at).strftime("%d-%m %H:%M")
        comment = _("Dubbel vastgelegd: het bezoek van %(walker)s (%(when)s) telt voor dit adres.") % {
            "walker": visit.volunteer or _("onbekende loper"),
            "when": when,
        }
        for other in others:
            other.review_status = ReviewStatus.REJECTED
            other.review_comment = comment[:500]
            other.reviewed_by = by
            other.reviewed_at = now
            other.save(update_fields=["review_status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
            record(by, AuditAction.UPDATE, other, summary=f"Dubbel bezoek: telt niet, bezoek {visit.pk} telt")
        if visit.review_status == ReviewStatus.REJECTED:
            visit.review_status = ReviewStatus.RECEIVED
            visit.save(update_fields=["review_status", "updated_at"])
        record(by, AuditAction.UPDATE, visit, summary=f"Dubbel bezoek: dit bezoek telt ({len(others)} andere opzij)")
    return others


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address: enough to count a sender's tips, useless to find them."""
    return hmac.new(settings.SECRET_KEY.encode(), f"tip-ip:{ip}".encode(), hashlib.sha256).hexdigest()[:32]


def submit_tip(
    incident: Incident,
    *,
    text: str,
    contact_consent: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "",
    sender_ip_hash: str = "",
) -> Tip:
    """Store a resident's tip. Contact details are dropped unless the resident consented."""
    if incident.is_final:
        raise ValidationError(_("Dit buurtonderzoek is afgesloten; tips zijn niet meer nodig. Bedankt!"))
    if not contact_consent:
        contact_name = contact_phone = contact_email = ""
    with transaction.atomic():
        tip = Tip.objects.create(
            incident=incident,
            canvass=incident.canvasses.order_by("-id").first(),
            text=text.strip(),
            contact_consent=contact_consent,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            language=language[:8],
            ip_hash=sender_ip_hash,
        )
        # No request passed on purpose: the audit log must not keep the resident's IP address.
        record(None, AuditAction.CREATE, tip, summary=f"Tip ontvangen bij incident {incident.pk}")
    return tip


def mark_tips_seen(incident: Incident, *, by: Any) -> int:
    with transaction.atomic():
        count = Tip.objects.filter(incident=incident, seen_at__isnull=True).update(seen_at=timezone.now(), seen_by=by)
        if count:
            record(by, AuditAction.UPDATE, incident, summary=f"{count} tip(s) gelezen")
    return count


def sync_canvass_status(incident: Incident, to_status: str) -> None:
    """Keep the canvass status in step with the incident's workflow (called from a signal)."""
    mapping = {
        IncidentStatus.CANVASS_PLANNED: CanvassStatus.PLANNED,
        IncidentStatus.CANVASS_RUNNING: CanvassStatus.RUNNING,
        IncidentStatus.CANVASS_DONE: CanvassStatus.DONE,
        IncidentStatus.CANCELLED: CanvassStatus.CANCELLED,
        # Plan withdrawn: the canvass is off until it is planned again.
        IncidentStatus.REGISTERED: CanvassStatus.CANCELLED,
    }
    status = mapping.get(IncidentStatus(to_status))
    if status is not None:
        Canvass.objects.filter(incident=incident).exclude(status=status).update(status=status)
