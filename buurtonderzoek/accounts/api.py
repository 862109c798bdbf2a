"""Private API for organisations: only what the caller's memberships allow.

Lists come from the `visible_*` querysets, so an outsider gets an empty list and 404 on a detail; the
member list of a team is for its coordinators (and admins) only, and reading it is audited.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from buurtonderzoek.accounts.access import get_team_for_user, visible_police_units, visible_teams
from buurtonderzoek.accounts.models import Membership, PoliceUnit, Team
from buurtonderzoek.accounts.serializers import (
    MembershipSerializer,
    PoliceUnitSerializer,
    TeamMemberSerializer,
    TeamSerializer,
)
from buurtonderzoek.core.api import PROBLEM_CONTENT_TYPE, ProblemSerializer
from buurtonderzoek.core.audit import record_personal_read

FORBIDDEN = (403, PROBLEM_CONTENT_TYPE)
NOT_FOUND = (404, PROBLEM_CONTENT_TYPE)
ERRORS = {
    FORBIDDEN: OpenApiResponse(ProblemSerializer, description=_("Niet ingelogd, of geen recht op dit onderdeel.")),
    NOT_FOUND: OpenApiResponse(ProblemSerializer, description=_("Bestaat niet, of is niet zichtbaar voor u.")),
}


@extend_schema_view(
    list=extend_schema(
        summary=_("Teams die u mag zien"), responses={200: TeamSerializer(many=True), FORBIDDEN: ERRORS[FORBIDDEN]}
    ),
    retrieve=extend_schema(summary=_("Eén team"), responses={200: TeamSerializer, **ERRORS}),
)
class TeamViewSet(viewsets.ReadOnlyModelViewSet[Team]):
    serializer_class = TeamSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return visible_teams(self.request.user).select_related("gemeente").prefetch_related("buurten").order_by("name")

    @extend_schema(
        summary=_("Leden van een team (alleen voor coördinatoren)"),
        responses={200: TeamMemberSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request: Request, pk: str, format: str | None = None) -> Response:
        # Names and e-mail addresses: for whoever manages the team, and every read is logged.
        team = get_team_for_user(request.user, int(pk), write=True)
        members = team.memberships.select_related("user").order_by("user__email")
        record_personal_read(request.user, team, what=f"Ledenlijst van team {team} via de API", request=request)
        return Response(TeamMemberSerializer(members, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Politie-eenheden die u mag zien"),
        responses={200: PoliceUnitSerializer(many=True), FORBIDDEN: ERRORS[FORBIDDEN]},
    ),
    retrieve=extend_schema(summary=_("Eén politie-eenheid"), responses={200: PoliceUnitSerializer, **ERRORS}),
)
class PoliceUnitViewSet(viewsets.ReadOnlyModelViewSet[PoliceUnit]):
    serializer_class = PoliceUnitSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return visible_police_units(self.request.user).prefetch_related("gemeenten").order_by("name")


@extend_schema(
    summary=_("Mijn lidmaatschappen"), responses={200: MembershipSerializer(many=True), FORBIDDEN: ERRORS[FORBIDDEN]}
)
@api_view(["GET"])
def my_memberships(request: Request) -> Response:
    memberships = Membership.objects.filter(user=request.user.pk).select_related("team", "police_unit", "gemeente")
    return Response(MembershipSerializer(memberships, many=True).data)
