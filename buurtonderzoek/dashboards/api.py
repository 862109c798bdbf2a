"""API for municipal BI tools: the grip figures per buurt or wijk, and team health, for one gemeente.

Same rules as the grip pages: gemeente staff (with a personal API key or a session) and beheerders;
another gemeente is 404, other roles 403. Counts only, no personal data.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from buurtonderzoek.accounts.access import roles_of
from buurtonderzoek.accounts.models import Role, Team
from buurtonderzoek.core.api import ProblemSerializer
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.dashboards.access import get_grip_gemeente_for_user
from buurtonderzoek.dashboards.forms import GripForm
from buurtonderzoek.dashboards.grip import AreaFigures, request_refresh, rolled_up_figures
from buurtonderzoek.dashboards.health import counted_team_health
from buurtonderzoek.dashboards.serializers import GripSerializer, TeamHealthSerializer
from buurtonderzoek.places.models import Buurt, Gemeente

ERRORS = {
    400: OpenApiResponse(ProblemSerializer, description="Ongeldige periode."),
    401: OpenApiResponse(ProblemSerializer, description="De API-sleutel is onbekend, verlopen of ingetrokken."),
    403: OpenApiResponse(
        ProblemSerializer, description="Niet ingelogd, geen tweestapsverificatie, of niet voor uw rol."
    ),
    404: OpenApiResponse(ProblemSerializer, description="Geen gemeente waarvoor u werkt."),
}


def _gemeente(request: Request, gemeente_id: int) -> Gemeente:
    if not roles_of(request.user) & {Role.MUNICIPAL, "admin"}:
        raise exceptions.PermissionDenied(_("Deze gegevens zijn alleen voor de gemeente."))
    try:
        return get_grip_gemeente_for_user(request.user, gemeente_id)
    except Http404 as exc:
        raise exceptions.NotFound(_("Geen gemeente waarvoor u werkt.")) from exc


def _area(code: str, name: str, level: str, wijk_code: str | None, f: AreaFigures) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "level": level,
        "wijk_code": wijk_code,
        "addresses": f.addresses,
        "incidents": f.incidents,
        "incidents_per_1000_addresses": f.incidents_per_1000_addresses,
        "canvasses": f.canvasses,
        "doors_visited": f.doors_visited,
        "reports_used": f.reports_used,
        "hours_saved": f.hours_saved,
    }


@extend_schema(
    summary="Grip-cijfers per buurt of wijk",
    description=(
        "Per buurt (of per wijk met `niveau=wijk`) en voor de gemeente als geheel: incidenten, incidenten per "
        "1.000 adressen, buurtonderzoeken, bezochte deuren, verslagen die de politie gebruikte en uren politie "
        "bespaard (geschat), over hele maanden. Zonder `van` en `tot` de laatste 12 maanden tot en met deze maand. "
        "Alleen aantallen; de maandcijfers worden op de achtergrond bijgewerkt (`refreshed_at`)."
    ),
    parameters=[
        OpenApiParameter("van", OpenApiTypes.STR, description="Eerste maand (JJJJ-MM)."),
        OpenApiParameter("tot", OpenApiTypes.STR, description="Laatste maand, inclusief (JJJJ-MM)."),
        OpenApiParameter("niveau", OpenApiTypes.STR, enum=["buurt", "wijk"], description="Standaard buurt."),
    ],
    responses={200: GripSerializer, **ERRORS},
)
@api_view(["GET"])
@reads_from_replica
def grip_figures(request: Request, gemeente_id: int) -> Response:
    gemeente = _gemeente(request, gemeente_id)
    form = GripForm({k: request.query_params.get(k, "") for k in ("van", "tot")}, gemeente=gemeente)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {"detail": " ".join(str(e) for errors in form.errors.values() for e in errors)}
        )
    first, last = form.cleaned_data["van"], form.cleaned_data["tot"]
    level = request.query_params.get("niveau", "buurt")
    if level not in ("buurt", "wijk"):
        raise exceptions.ValidationError({"detail": _("Kies niveau=buurt of niveau=wijk.")})
    refresh = request_refresh(gemeente)
    buurten = list(Buurt.objects.filter(gemeente=gemeente).select_related("wijk").order_by("code"))
    figures = rolled_up_figures([b.pk for b in buurten], first=first, last=last)
    if level == "buurt":
        areas = [_area(b.code, b.name, "buurt", b.wijk.code, figures[b.pk]) for b in buurten]
    else:
        wijken: dict[str, tuple[str, AreaFigures]] = {}
        for b in buurten:
            name, total = wijken.get(b.wijk.code, (b.wijk.name, AreaFigures()))
            wijken[b.wijk.code] = (name, total + figures[b.pk])
        areas = [_area(code, name, "wijk", None, f) for code, (name, f) in wijken.items()]
    total = sum(figures.values(), AreaFigures())
    data = {
        "gemeente": gemeente.code,
        "first_month": f"{first:%Y-%m}",
        "last_month": f"{last:%Y-%m}",
        "refreshed_at": refresh.refreshed_at,
        "areas": areas,
        "total": _area(gemeente.code, gemeente.name, "gemeente", None, total),
    }
    return Response(GripSerializer(data).data)


@extend_schema(
    summary="Gezondheid van de teams",
    description=(
        "Per team van de gemeente het niveau (in_orde, let_op, risico: het ernstigste signaal), de gemeten feiten "
        "en elk signaal met de reden en een voorgestelde actie, in gewone taal. Drempels: de HEALTH_*-instellingen. "
        "De cijfers worden op de achtergrond geteld (counted_at: wanneer); een nieuw team wordt meteen geteld."
    ),
    responses={200: TeamHealthSerializer(many=True), **ERRORS},
)
@api_view(["GET"])
@reads_from_replica
def team_health_list(request: Request, gemeente_id: int) -> Response:
    gemeente = _gemeente(request, gemeente_id)
    request_refresh(gemeente)  # keeps the stored health close to now, as the team-health page does
    teams = list(Team.objects.filter(gemeente=gemeente).order_by("name"))
    rows = [
        {
            "team_id": h.team.pk,
            "team": h.team.name,
            "level": h.level,
            "members": h.facts.members,
            "active_30": h.facts.active_30,
            "active_90": h.facts.active_90,
            "doors_90": h.facts.doors_90,
            "bus_factor": h.facts.bus_factor,
            "median_hours_to_first_door": h.facts.median_hours_to_first_door,
            "counted_at": h.counted_at,
            "signals": [vars(s) for s in h.signals],
        }
        for h in counted_team_health(teams)
    ]
    return Response(TeamHealthSerializer(rows, many=True).data)
