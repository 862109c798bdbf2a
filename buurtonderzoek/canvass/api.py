"""Private API for the field app (the installable "Mijn route" web app).

The phone reads its routes as JSON and keeps them in IndexedDB so the route page renders without
network; it writes by posting its queue of visits to `sync/` (see sync.py for the flow). Session
authentication with CSRF, like the pages: the field app is the same site. An expired session
answers 401 (not 403) so the phone can tell "log in again" apart from "not allowed"; the phone
keeps its queue either way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from buurtonderzoek.canvass.access import get_canvass_for_user
from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE
from buurtonderzoek.canvass.coverage import OPEN, door_states
from buurtonderzoek.canvass.models import CanvassStatus, DoorVisit, ReviewStatus, Route
from buurtonderzoek.canvass.sync import MAX_BATCH, conflicts_for, sync_visits
from buurtonderzoek.core.api import ProblemSerializer
from buurtonderzoek.incidents.access import is_coordinator
from buurtonderzoek.incidents.models import FINAL_STATUSES
from buurtonderzoek.privacy.statement import current_version as current_privacy_version
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

ACTIVE_STATUSES = (CanvassStatus.PLANNED, CanvassStatus.RUNNING)
# After the report went out the doors still unvisited may be walked: late visits reach the police as a
# supplement (handoff.actions.submit_supplement). Only a cancelled canvass or a final incident ends it.
WALKABLE_STATUSES = (*ACTIVE_STATUSES, CanvassStatus.DONE)


class FieldSessionAuthentication(SessionAuthentication):
    """Session auth that answers 401 when nobody is logged in, so the phone knows to ask for a login."""

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="buurtonderzoek"'


class FieldSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents FieldSessionAuthentication as what it is: the site's session cookie."""

    target_class = FieldSessionAuthentication
    name = "fieldCookieAuth"  # its own name: drf-spectacular refuses two classes under one

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


ERRORS = {
    401: OpenApiResponse(ProblemSerializer, description="Niet (meer) ingelogd."),
    403: OpenApiResponse(ProblemSerializer, description="Geen recht op dit onderdeel."),
    404: OpenApiResponse(ProblemSerializer, description="Bestaat niet, of is niet zichtbaar voor u."),
}


# Access ---------------------------------------------------------------------------------------


def can_walk(user: Any, route: Route) -> bool:
    """Whoever walks the route, and the team's coordinators, record visits on it."""
    if route.members.filter(pk=user.pk).exists():
        return True
    return is_coordinator(user, route.canvass.incident.team)


def get_walkable_route(user: Any, route_pk: int) -> Route:
    """The route if `user` may record visits on it; 404 when invisible, 403 when only readable."""
    route = (
        Route.objects.visible_to(user)
        .select_related("canvass__incident__team", "canvass__incident__address")
        .filter(pk=route_pk)
        .first()
    )
    if route is None:
        raise Http404(_("Route niet gevonden."))
    if not can_walk(user, route):
        raise PermissionDenied(
            _("Alleen de lopers van deze route en de coördinatoren van het team kunnen dit gebruiken.")
        )
    return route


def my_routes(user: Any) -> list[Route]:
    """The routes this user walks in canvasses that are still open, newest canvass first."""
    return list(
        Route.objects.filter(members=user, canvass__status__in=WALKABLE_STATUSES)
        .exclude(canvass__incident__status__in=FINAL_STATUSES)
        .select_related("canvass__incident")
        .order_by("-canvass__planned_at", "-canvass_id", "number")
    )


# Payloads -------------------------------------------------------------------------------------


def route_summary(route: Route) -> dict[str, Any]:
    incident = route.canvass.incident
    return {
        "id": route.pk,
        "number": route.number,
        "name": route.name,
        "doors": route.door_count,
        "length_m": route.length_m,
        "incident": {
            "id": incident.pk,
            "type": incident.incident_type,
            "type_label": incident.get_incident_type_display(),
            "location": incident.location_label,
        },
    }


def route_payload(route: Route, user: Any) -> dict[str, Any]:
    """Everything the route page needs offline: stops in walking order, their state, the questionnaire."""
    canvass = route.canvass
    incident = canvass.incident
    stops = list(route.stops.select_related("address").order_by("order"))
    address_ids = [s.address_id for s in stops]
    visits = list(
        DoorVisit.objects.filter(canvass=canvass, address_id__in=address_ids)
        .select_related("volunteer")
        .order_by("visited_at", "id")
    )
    states = door_states((v.address_id, v.outcome) for v in visits)
    per_address: dict[int, list[dict[str, Any]]] = {}
    for v in visits:
        mine = v.volunteer_id == user.pk
        item: dict[str, Any] = {
            "outcome": v.outcome,
            "visited_at": v.visited_at.isoformat(),
            "mine": mine,
            "by": "" if mine else str(v.volunteer or ""),
        }
        if mine and v.review_status == ReviewStatus.HAS_ISSUES:
            # The coordinator asked this volunteer to add or correct something (handoff's review).
            item["question"] = v.review_comment
            item["correct_url"] = reverse("visit_correct", args=[incident.pk, v.pk])
        per_address.setdefault(v.address_id, []).append(item)
    version = (
        QuestionnaireVersion.objects.published()
        .filter(questionnaire__slug=CANVASS_QUESTIONNAIRE)
        .order_by("-number")
        .first()
    )
    members = list(route.members.all())
    payload = route_summary(route)
    payload.update(
        {
            "canvass": canvass.pk,
            "open": canvass.status in WALKABLE_STATUSES and not incident.is_final,
            "incident": {
                **payload["incident"],
                "occurred_from": incident.occurred_from.isoformat(),
                "occurred_until": incident.occurred_until.isoformat(),
                "description": incident.description,
            },
            "members": [str(m) for m in members],
            "user": {"id": user.pk, "name": str(user)},
            "centre": [round(canvass.centre_lat, 6), round(canvass.centre_lon, 6)],
            "stops": [
                {
                    "id": s.pk,
                    "order": s.order,
                    "address": s.address_id,
                    "label": f"{s.address.street} {s.address.house_number_label}",
                    "postcode": s.address.postcode,
                    "street": s.street,
                    "side": s.side,
                    "lat": round(s.address.lat, 6),
                    "lon": round(s.address.lon, 6),
                    "state": str(states.get(s.address_id, OPEN)),
                    "visits": per_address.get(s.address_id, []),
                }
                for s in stops
            ],
            "questionnaire": None
            if version is None
            else {"id": version.pk, "number": version.number, "schema": version.schema},
            "context": {
                "incident_type": incident.incident_type,
                "privacy_notice_version": current_privacy_version(),
            },
            "fetched_at": timezone.now().isoformat(),
        }
    )
    return payload


# Endpoints ------------------------------------------------------------------------------------

ROUTE_SUMMARY_LIST = inline_serializer(
    name="FieldRouteSummary",
    many=True,
    fields={
        "id": serializers.IntegerField(),
        "number": serializers.IntegerField(),
        "name": serializers.CharField(),
        "doors": serializers.IntegerField(),
        "length_m": serializers.IntegerField(),
        "incident": serializers.JSONField(),
    },
)


@extend_schema(summary="Mijn looproutes", responses={200: ROUTE_SUMMARY_LIST, 401: ERRORS[401]})
@api_view(["GET"])
@authentication_classes([FieldSessionAuthentication])
def routes(request: Request) -> Response:
    return Response([route_summary(r) for r in my_routes(request.user)])


@extend_schema(
    summary="Eén looproute met adressen, stand van zaken en vragenlijst",
    responses={200: OpenApiResponse(description="De route voor de veldapp."), **ERRORS},
)
@api_view(["GET"])
@authentication_classes([FieldSessionAuthentication])
def route_detail(request: Request, pk: int) -> Response:
    route = get_walkable_route(request.user, pk)
    return Response(route_payload(route, request.user))


SYNC_IN = inline_serializer(
    name="FieldSyncIn", fields={"visits": serializers.ListField(child=serializers.JSONField(), max_length=MAX_BATCH)}
)
SYNC_OUT = inline_serializer(
    name="FieldSyncOut",
    fields={
        "accepted": serializers.IntegerField(),
        "duplicate": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
        "results": serializers.JSONField(),
    },
)


class _SyncBody(serializers.Serializer[dict[str, Any]]):
    visits = serializers.ListField(
        child=serializers.JSONField(),
        max_length=MAX_BATCH,
        allow_empty=True,
        error_messages={"max_length": gettext_lazy("Stuur hoogstens {max_length} bezoeken tegelijk.")},
    )


@extend_schema(
    summary="Wachtrij van bezoeken versturen",
    description=(
        "Per bezoek: `accepted` (opgeslagen), `duplicate` (stond er al: zelfde client-id) of `rejected` "
        "(met een probleemdocument: `errors` per veld, in het Nederlands). Verwijder accepted en duplicate "
        "uit de wachtrij; houd rejected vast om te verbeteren."
    ),
    request=SYNC_IN,
    responses={200: SYNC_OUT, 400: OpenApiResponse(ProblemSerializer), 401: ERRORS[401]},
)
@api_view(["POST"])
@authentication_classes([FieldSessionAuthentication])
def sync(request: Request) -> Response:
    body = _SyncBody(data=request.data if isinstance(request.data, dict) else {"visits": None})
    if not body.is_valid():
        raise DRFValidationError(body.errors)
    result = sync_visits(request.user, body.validated_data["visits"])
    return Response(result.as_dict(), status=status.HTTP_200_OK)


@extend_schema(
    summary="Dubbel vastgelegde deuren in een buurtonderzoek (voor de coördinator)",
    responses={200: OpenApiResponse(description="Conflicten per adres."), **ERRORS},
)
@api_view(["GET"])
@authentication_classes([FieldSessionAuthentication])
def conflicts(request: Request, pk: int) -> Response:
    canvass = get_canvass_for_user(request.user, pk, write=True)[1]
    return Response({"canvass": canvass.pk, "conflicts": [c.as_dict() for c in conflicts_for(canvass)]})
