"""Private API for municipal systems: actions, their state, the golden-triangle checks and the measured
effect. Same rules as the pages (actions.py): members of the table propose, check and move actions;
the pre-registration is refused once agreed; agreement needs one agreeing representative per partner.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from buurtonderzoek.core.api import ProblemSerializer
from buurtonderzoek.impact import actions, effect
from buurtonderzoek.impact.access import get_action_for_user, get_table_for_user
from buurtonderzoek.impact.actions import CommitmentSpec, EffectSpec
from buurtonderzoek.impact.models import Action, ActionStatus
from buurtonderzoek.impact.serializers import (
    ActionSerializer,
    ActionTransitionSerializer,
    CheckSerializer,
    ProposeSerializer,
    UpdateSerializer,
)
from buurtonderzoek.places.models import Buurt

ERRORS = {
    400: OpenApiResponse(ProblemSerializer, description="Ongeldige invoer, of een stap die de regels niet toestaan."),
    401: OpenApiResponse(ProblemSerializer, description="De API-sleutel is onbekend, verlopen of ingetrokken."),
    403: OpenApiResponse(ProblemSerializer, description="Niet ingelogd, of geen deelnemer aan dit overleg."),
    404: OpenApiResponse(ProblemSerializer, description="Bestaat niet, of is niet zichtbaar voor u."),
}


def _problem(exc: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError({"detail": " ".join(exc.messages)})


@extend_schema_view(
    list=extend_schema(
        summary="Acties van de driehoeksoverleggen die u ziet",
        parameters=[OpenApiParameter("status", str, enum=ActionStatus.values, description="Alleen deze status.")],
        responses={200: ActionSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
    ),
    retrieve=extend_schema(
        summary="Eén actie met verwacht effect en toezeggingen", responses={200: ActionSerializer, **ERRORS}
    ),
)
class ActionViewSet(viewsets.ModelViewSet[Action]):
    serializer_class = ActionSerializer
    # No PUT and no DELETE: an action is never replaced or removed, only moved along its lifecycle.
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        rows = Action.objects.visible_to(self.request.user)
        wanted = self.request.query_params.get("status", "")
        if wanted in ActionStatus.values:
            rows = rows.filter(status=wanted)
        return rows.prefetch_related("buurten", "expected_effects", "commitments").order_by("-created_at", "-id")

    def retrieve(self, request: Request, *args: Any, pk: str = "", **kwargs: Any) -> Response:
        return Response(ActionSerializer(get_action_for_user(request.user, int(pk))).data)

    @extend_schema(
        summary="Een actie voorstellen (deelnemers)",
        request=ProposeSerializer,
        responses={201: ActionSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        table = get_table_for_user(request.user, d["table"], write=True)
        buurten = list(Buurt.objects.filter(code__in=d["buurten"]))
        if len(buurten) != len(set(d["buurten"])):
            raise exceptions.ValidationError({"detail": "Onbekende buurtcode. Gebruik CBS-codes zoals BU09990001."})
        try:
            created = actions.propose_action(
                table,
                by=request.user,
                title=d["title"],
                action_type=d["action_type"],
                buurten=buurten,
                problem=d["problem"],
                problem_indicator=d["problem_indicator"],
                evidence=d["evidence"],
                plan=d["plan"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                comparison=d["comparison"],
                effects=cast(list[EffectSpec], [dict(e) for e in d["expected_effects"]]),
                commitments=cast(list[CommitmentSpec], [dict(c) for c in d["commitments"]]),
            )
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response(ActionSerializer(created).data, status=201)

    @extend_schema(
        summary="Het voorstel wijzigen (alleen vóór de afspraak)",
        request=UpdateSerializer,
        responses={200: ActionSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, *args: Any, pk: str = "", **kwargs: Any) -> Response:
        target = get_action_for_user(request.user, int(pk), write=True)
        data = UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        effects = changes.pop("expected_effects", None)
        try:
            updated = actions.update_action(
                target,
                by=request.user,
                effects=cast(list[EffectSpec], [dict(e) for e in effects]) if effects is not None else None,
                **changes,
            )
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response(ActionSerializer(updated).data)

    @extend_schema(
        summary="Toets gouden driehoek (deelnemers)",
        request=CheckSerializer,
        responses={201: CheckSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str = "") -> Response:
        target = get_action_for_user(request.user, int(pk), write=True)
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row = actions.check_triangle(target, by=request.user, **data.validated_data)
        except ValidationError as exc:
            raise _problem(exc) from exc
        return Response(CheckSerializer(row).data, status=201)

    @extend_schema(
        summary="Status wijzigen (deelnemers)",
        request=ActionTransitionSerializer,
        responses={200: ActionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str = "") -> Response:
        target = get_action_for_user(request.user, int(pk), write=True)
        data = ActionTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.transition_action(
                target, to=data.validated_data["status"], by=request.user, note=data.validated_data["note"]
            )
        except ValidationError as exc:
            raise _problem(exc) from exc
        target.refresh_from_db()
        return Response(ActionSerializer(target).data)

    @extend_schema(
        summary="Het gemeten effect (verschil-in-verschillen met 95%-interval)",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Nulmeting, nameting, per indicator het effect."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def effect(self, request: Request, pk: str = "") -> Response:
        target = get_action_for_user(request.user, int(pk))
        if target.status == ActionStatus.EVALUATED and target.evaluation:
            return Response(target.evaluation)
        return Response(effect.measure(target).as_dict())
