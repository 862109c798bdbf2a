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
from dataclasses import dataclass
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
from buurtonderzoek.canvass.optimise import MAX_DOORS as MAX_OPTIMISE_DOORS
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
    improve: bool = False,
) -> Canvass:
    """Plan (or re-plan) the incident's canvass and split it into `route_count` walking routes.

    The routes are stored at once from the fast heuristic (routing.split_routes, well under a second
    for 5,000 doors). With `improve` (the plan page) and OR-Tools installed, a background task then
    looks for shorter routes for a few seconds (`improve_routes`); the page shows "routes worden
    verbeterd". Only while no walker is assigned: the improvement never silently drops assignments."""
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
        canvass.improving_since = None
        canvass.improvement_note = ""
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
            },
        )
        if improve:
            _queue_improvement(canvass, replace_members=False)
    return canvass


def optimise_seconds() -> float:
    """The optimiser's time budget: long enough to beat the heuristic on a few hundred doors, short
    enough that the coordinator waits for it (docs/performance.md, "Routes"). ROUTE_OPTIMISE_SECONDS."""
    return float(settings.ROUTE_OPTIMISE_SECONDS)


def request_route_improvement(canvass: Canvass, *, by: Any) -> Canvass:
    """The coordinator asks OR-Tools for shorter routes (a background task); assigned walkers lapse
    when it finds them, as the button says."""
    from buurtonderzoek.canvass.optimise import OptimiserUnavailable, is_available

    if not is_available():
        raise OptimiserUnavailable("OR-Tools is not installed")
    with transaction.atomic():
        canvass = Canvass.objects.select_for_update().get(pk=canvass.pk)
        if canvass.visits.exists():
            raise ValidationError(_("Er zijn al deurbezoeken vastgelegd; de routes kunnen niet meer veranderen."))
        if canvass.improving:
            return canvass  # already running: a second click changes nothing
        if canvass.door_count > MAX_OPTIMISE_DOORS:
            raise ValidationError(_too_large())
        record(by, AuditAction.UPDATE, canvass, summary="Routeverbetering met OR-Tools aangevraagd")
        _queue_improvement(canvass, replace_members=True)
    return canvass


def _too_large() -> str:
    return _(
        "Dit buurtonderzoek telt meer dan %(max)d deuren: te veel om met OR-Tools te verbeteren. "
        "De routes van de snelle indeling blijven staan."
    ) % {"max": MAX_OPTIMISE_DOORS}


def _queue_improvement(canvass: Canvass, *, replace_members: bool) -> None:
    from buurtonderzoek.canvass.optimise import is_available

    if not is_available():
        return
    if canvass.door_count > MAX_OPTIMISE_DOORS:
        canvass.improvement_note = _too_large()
        Canvass.objects.filter(pk=canvass.pk).update(improvement_note=canvass.improvement_note)
        return
    canvass.improving_since = timezone.now()
    canvass.improvement_note = ""
    Canvass.objects.filter(pk=canvass.pk).update(improving_since=canvass.improving_since, improvement_note="")
    canvass_id, planned_at = canvass.pk, canvass.planned_at.isoformat() if canvass.planned_at else ""

    def enqueue() -> None:
        from buurtonderzoek.canvass.tasks import improve_routes

        improve_routes.enqueue(canvass_id, planned_at, replace_members)

    transaction.on_commit(enqueue)


def improve_routes_now(canvass_id: int, planned_at: str, *, replace_members: bool, seconds: float) -> str:
    """Look for shorter routes with OR-Tools and store them if they are shorter and the plan is still
    the one they were computed for; returns the note the page shows. Runs in the worker."""
    from buurtonderzoek.canvass.optimise import OptimiserUnavailable, optimise_routes

    canvass = Canvass.objects.filter(pk=canvass_id).first()
    if canvass is None:
        return ""
    stops = list(RouteStop.objects.filter(canvass=canvass).select_related("address"))
    addresses = {s.address_id: s.address for s in stops}
    doors = doors_for(list(addresses.values()))
    route_count = canvass.routes.count() or 1
    current = sum(canvass.routes.values_list("length_m", flat=True))
    try:
        # A step across the street or into another street costs as much as 30 m of walking, so the
        # optimiser keeps each street side together on the walking list.
        candidate = optimise_routes(doors, route_count, time_limit_s=seconds, side_penalty_m=30.0)
    except OptimiserUnavailable:
        candidate = []
    if sorted(d.id for route in candidate for d in route.doors) != sorted(addresses):
        candidate = []  # every door exactly once, or the answer is not used
    with transaction.atomic():
        locked = Canvass.objects.select_for_update().filter(pk=canvass_id).first()
        if locked is None:
            return ""
        stale = (locked.planned_at.isoformat() if locked.planned_at else "") != planned_at
        if stale or locked.visits.exists():
            note = _("Het plan is intussen veranderd of er is al gelopen; de routes zijn niet aangepast.")
        elif not replace_members and Route.members.through.objects.filter(route__canvass=locked).exists():
            note = _("Er zijn intussen lopers toegewezen; de routes zijn niet aangepast.")
        elif not candidate:
            note = _("OR-Tools vond geen oplossing; de routes zijn dezelfde gebleven.")
        elif round(total_length(candidate)) < current - 1:
            after = round(total_length(candidate))
            locked.routes.all().delete()
            _store_routes(locked, candidate, addresses)
            note = _("De routes zijn verbeterd: %(before)d m → %(after)d m lopen.") % {
                "before": current,
                "after": after,
            }
            if replace_members:
                note += " " + _("Wijs de lopers opnieuw toe.")
            record(None, AuditAction.UPDATE, locked, summary=f"Routes verbeterd met OR-Tools: {current} m → {after} m")
        else:
            note = _("OR-Tools vond geen kortere routes; de indeling is dezelfde gebleven.")
        Canvass.objects.filter(pk=canvass_id).update(improving_since=None, improvement_note=note[:300])
    return note


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


@dataclass(frozen=True)
class KnownForVisit:
    """What sync.py established for one visit while looking up its whole batch in a few queries."""

    stop: RouteStop  # the canvass's stop for the visit's address
    team_member: bool  # the recorder is a volunteer or coordinator of the canvass's team, or a superuser
    # The UUID is not looked up first: the caller looked up its batch, or expects a single visit to be new.
    # A stored one is caught by the unique constraint at the insert and answered as a retry.


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
    known: KnownForVisit | None = None,
) -> tuple[DoorVisit, bool]:
    """Store one door visit; returns (visit, created). Sending the same client UUID again is a no-op.

    `known` is what a caller handling a whole batch (sync.py) already looked up in bulk; without it
    every fact is looked up here, one query each.
    """
    try:
        client_uuid = uuid.UUID(str(client_uuid))
    except ValueError:
        raise ValidationError({"client_uuid": _("Ongeldige client-id.")}) from None
    if known is None:
        existing = DoorVisit.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _same_visit(existing, canvass, by), False
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Kies een geldige uitkomst.")})
    if known is not None:
        member = known.team_member
    else:
        member = (
            getattr(by, "is_superuser", False)
            or Membership.objects.filter(
                user=by, team_id=canvass.incident.team_id, role__in=(Role.VOLUNTEER, Role.COORDINATOR)
            ).exists()
        )
    if not member:
        raise ValidationError(_("Alleen leden van het team kunnen deurbezoeken vastleggen."))
    if canvass.status == CanvassStatus.CANCELLED or canvass.incident.is_final:
        raise ValidationError(_("Dit buurtonderzoek is gesloten; er kunnen geen bezoeken meer bij."))
    stop: RouteStop | None
    if known is not None:
        stop = known.stop
        if known.stop.canvass_id != canvass.pk or known.stop.address_id != address_id:
            raise ValueError("known.stop is not this canvass's stop for this address")  # a caller's bug
    else:
        stop = RouteStop.objects.filter(canvass=canvass, address_id=address_id).first()
    if stop is None:
        raise ValidationError({"address": _("Dit adres hoort niet bij dit buurtonderzoek.")})
    if visited_at > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"visited_at": _("Het tijdstip van het bezoek ligt in de toekomst.")})

    cleaned: dict[str, Any] = {}
    version = None
    if outcome == Outcome.GESPROKEN:
        version, cleaned = _checked_answers(canvass, answers or {}, questionnaire_version, visited_at)

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
            # move the incident to "running" from a stale copy (the second would be refused). Only
            # a copy that still says "planned" can be stale in that way: once a canvass has visits
            # the incident never goes back to "planned" (re-planning is refused), so every later
            # visit skips the lock, which would otherwise serialise all phones of an incident.
            incident = canvass.incident
            if incident.status == IncidentStatus.CANVASS_PLANNED:
                incident.status = (
                    Incident.objects.select_for_update().values_list("status", flat=True).get(pk=incident.pk)
                )
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
    from buurtonderzoek.places.models import Address, Buurt

    buurt = (
        Buurt.objects.filter(code__in=Address.objects.filter(pk=visit.address_id).values("buurt_code"))
        .only("pk", "code", "name")  # not the boundary, which can be a large polygon
        .first()
        if visit.address_id
        else None
    )
    if buurt is not None:
        record_pulse(buurt=buurt, version=version, answers=answers, by=by, canvass=visit.canvass)


def _same_visit(existing: DoorVisit, canvass: Canvass, by: Any) -> DoorVisit:
    if existing.canvass_id != canvass.pk or existing.volunteer_id != getattr(by, "pk", None):
        raise ValidationError({"client_uuid": _("Deze client-id hoort bij een ander bezoek.")})
    return existing


def _checked_answers(
    canvass: Canvass, answers: dict[str, Any], version: Any, visited_at: datetime
) -> tuple[Any, dict[str, Any]]:
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
    # The parsed schema: for a published version parsed once per process, not once per visit.
    cleaned, errors = engine.check(version.parsed, answers, context)
    if errors:
        raise ValidationError({f"answers.{path}": messages for path, messages in errors.items()})
    shown = cleaned.get("privacy_notice_version")
    if cleaned.get("privacy_notice_shown") == "ja" and isinstance(shown, str):
        # The phone fills in the version it fetched; an offline phone may still show the previous one.
        from buurtonderzoek.privacy.statement import shown_version_problem

        problem = shown_version_problem(shown, shown_at=visited_at)
        if problem:
            raise ValidationError({"answers.privacy_notice_version": [problem]})
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
    privacy_version: str = "",
) -> Tip:
    """Store a resident's tip with the privacy statement version the form showed (the current one when
    not given). Contact details are dropped unless the resident consented."""
    from buurtonderzoek.privacy.statement import current_version, shown_version_problem

    if incident.is_final:
        raise ValidationError(_("Dit buurtonderzoek is afgesloten; tips zijn niet meer nodig. Bedankt!"))
    privacy_version = privacy_version.strip() or current_version()
    problem = shown_version_problem(privacy_version)
    if problem:
        raise ValidationError({"privacy_version": problem})
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
            privacy_version=privacy_version,
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
