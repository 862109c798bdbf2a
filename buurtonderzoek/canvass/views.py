"""Coordinator pages for the canvass (plan, routes, coverage, tips, printouts) and the public tip form."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.canvass import optimise
from buurtonderzoek.canvass.access import (
    get_canvass_for_user,
    get_incident_and_canvass,
    get_route_for_user,
    require_team_member,
    sees_all_routes,
    visible_routes,
)
from buurtonderzoek.canvass.actions import (
    assign_route_members,
    choose_counting_visit,
    ip_hash,
    mark_tips_seen,
    plan_canvass,
    request_route_improvement,
    submit_tip,
    suggested_route_count,
)
from buurtonderzoek.canvass.coverage import STATE_COLOURS, coverage_for, coverage_payload
from buurtonderzoek.canvass.forms import LeafletForm, PlanForm, TipForm
from buurtonderzoek.canvass.models import DEFAULT_RADIUS_M, DoorVisit, Outcome, Tip
from buurtonderzoek.canvass.pdf import tip_url
from buurtonderzoek.canvass.planning import parse_polygon, preview_payload, preview_plan
from buurtonderzoek.canvass.sync import conflicts_for
from buurtonderzoek.core import ratelimit
from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.core.clientip import client_ip
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.incidents.access import is_coordinator
from buurtonderzoek.incidents.models import PLANNABLE_STATUSES, Incident
from buurtonderzoek.jobs.access import recent_jobs
from buurtonderzoek.jobs.actions import request_job
from buurtonderzoek.monitor.pulse import canvass_pulse

TIP_RATE_LIMIT_PER_HOUR = 5
PRINT_JOBS = ("canvass.walking_lists", "canvass.leaflet")


# Plan ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def canvass_plan(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident, canvass = get_incident_and_canvass(request.user, pk, write=True)
    initial: dict[str, Any] = {"radius_m": DEFAULT_RADIUS_M}
    if canvass is not None:
        initial = {
            "radius_m": canvass.radius_m,
            "polygon": "" if canvass.polygon is None else _json(canvass.polygon),
            "excluded": ",".join(str(i) for i in canvass.excluded_address_ids if i != incident.address_id),
            "route_count": canvass.routes.count() or None,
        }
    form = PlanForm(request.POST or None, initial=initial)
    error = ""
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preview = preview_plan(
                incident, radius_m=data["radius_m"], polygon=data["polygon"], excluded_ids=data["excluded"]
            )
            canvass = plan_canvass(
                incident,
                by=request.user,
                route_count=data["route_count"] or suggested_route_count(preview.door_count),
                radius_m=None if data["polygon"] else data["radius_m"],
                polygon=data["polygon"],
                excluded_ids=data["excluded"],
                improve=True,  # OR-Tools looks for shorter routes in the background
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Het buurtonderzoek is gepland: %(doors)d adressen in %(routes)d routes. Wijs nu de lopers toe.")
                % {"doors": canvass.door_count, "routes": canvass.routes.count()},
            )
            return redirect("canvass_overview", pk=incident.pk)
    if preview is None and not error:
        try:
            radius = initial.get("radius_m") or DEFAULT_RADIUS_M
            preview = preview_plan(
                incident,
                radius_m=None if canvass and canvass.polygon else radius,
                polygon=canvass.polygon if canvass else None,
                excluded_ids=canvass.excluded_address_ids if canvass else (),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    blocked = ""
    if not incident.victim_consent:
        blocked = _("Het slachtoffer heeft niet ingestemd met een buurtonderzoek; plannen kan pas daarna.")
    elif incident.status not in PLANNABLE_STATUSES:
        blocked = _("Bij status '%(status)s' kan het plan niet meer worden gewijzigd.") % {
            "status": incident.get_status_display()
        }
    elif canvass is not None and canvass.visits.exists():
        blocked = _("Er zijn al deurbezoeken vastgelegd; het plan kan niet meer worden gewijzigd.")
    return render(
        request,
        "canvass/plan.html",
        {
            "incident": incident,
            "canvass": canvass,
            "form": form,
            "error": error,
            "blocked": blocked,
            "preview": preview,
            "preview_json": preview_payload(preview, victim_address_id=incident.address_id) if preview else None,
            "suggested_routes": suggested_route_count(preview.door_count) if preview else 1,
        },
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@login_required
@require_GET
def canvass_plan_preview(request: AuthedHttpRequest, pk: int) -> JsonResponse:
    """The addresses of a radius or polygon around the incident, for the plan map (JSON)."""
    incident = get_incident_and_canvass(request.user, pk, write=True)[0]
    try:
        polygon = parse_polygon(request.GET.get("polygon") or None)
        radius = None
        if polygon is None:
            radius = int(request.GET.get("radius") or DEFAULT_RADIUS_M)
        excluded = [int(i) for i in request.GET.get("excluded", "").split(",") if i.strip()]
        preview = preview_plan(incident, radius_m=radius, polygon=polygon, excluded_ids=excluded)
    except (ValueError, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("Ongeldige straal.")
        return JsonResponse({"error": message}, status=400)
    payload = preview_payload(preview, victim_address_id=incident.address_id)
    payload["suggested_routes"] = suggested_route_count(preview.door_count)
    return JsonResponse(payload)


# Routes, assignment, coverage -----------------------------------------------------------------


@login_required
@require_GET
def canvass_overview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _overview_page(request, pk)


def _overview_page(request: AuthedHttpRequest, pk: int, leaflet_form: LeafletForm | None = None) -> HttpResponse:
    """The canvass overview; with `leaflet_form`, the leaflet order that was refused, its errors at its fields."""
    incident, canvass = get_canvass_for_user(request.user, pk)
    all_routes = sees_all_routes(request.user, incident)
    routes = list(visible_routes(request.user, canvass).prefetch_related("members"))
    if not routes and not all_routes:
        raise Http404(_("U loopt geen route in dit buurtonderzoek."))
    coverage = coverage_for(canvass, routes)
    can_write = _is_coordinator(request.user, incident)
    members = _team_members(incident) if can_write else []
    tips_unseen = Tip.objects.filter(incident=incident, seen_at__isnull=True).count() if can_write else 0
    return render(
        request,
        "canvass/overview.html",
        {
            "incident": incident,
            "canvass": canvass,
            "coverage": coverage,
            "totals": coverage.totals,
            "revisit": coverage.revisit_stops() if all_routes else [],
            "can_write": can_write,
            "all_routes": all_routes,
            "members": members,
            "tips_unseen": tips_unseen,
            "optimiser": optimise.is_available(),
            "is_member": _is_team_member(request.user, incident),
            "leaflet_form": leaflet_form or LeafletForm(initial={"size": "A6", "copies": canvass.door_count}),
            "jobs": recent_jobs(request.user, PRINT_JOBS, incident=incident.pk),
            "colours": [(state, colour, _state_label(state)) for state, colour in STATE_COLOURS.items()],
            "can_replan": can_write and incident.status in PLANNABLE_STATUSES,
            # Doors recorded by two volunteers: both visits are kept, the coordinator decides.
            "conflicts": conflicts_for(canvass) if can_write else None,
            # Pulse answers of this canvass (coordinator): released per 10, not a random sample.
            "pulse": canvass_pulse(canvass) if can_write else None,
        },
        status=400 if leaflet_form is not None else 200,
    )


def _is_coordinator(user: Any, incident: Incident) -> bool:
    return is_coordinator(user, incident.team)


def _is_team_member(user: Any, incident: Incident) -> bool:
    try:
        require_team_member(user, incident)
    except PermissionDenied:
        return False
    return True


def _team_members(incident: Incident) -> list[User]:
    ids = Membership.objects.filter(team=incident.team, role__in=(Role.VOLUNTEER, Role.COORDINATOR)).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "email"))


def _state_label(state: str) -> str:
    return str(Outcome(state).label) if state in Outcome.values else _("nog niet bezocht")


@login_required
@require_GET
def canvass_coverage(request: AuthedHttpRequest, pk: int) -> JsonResponse:
    """The live map's data: every visible door with its state, and progress per route."""
    incident, canvass = get_canvass_for_user(request.user, pk)
    routes = list(visible_routes(request.user, canvass))
    if not routes and not sees_all_routes(request.user, incident):
        raise Http404
    return JsonResponse(coverage_payload(coverage_for(canvass, routes)))


@login_required
@require_POST
def canvass_assign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident, canvass = get_canvass_for_user(request.user, pk, write=True)
    members = {str(u.pk): u for u in _team_members(incident)}
    changed = 0
    try:
        for route in canvass.routes.prefetch_related("members"):
            chosen_ids = [v for v in request.POST.getlist(f"route_{route.pk}") if v]
            unknown = [v for v in chosen_ids if v not in members]
            if unknown:
                raise ValidationError(_("Alleen leden van het team kunnen een route lopen."))
            chosen = [members[v] for v in dict.fromkeys(chosen_ids)]
            if {u.pk for u in chosen} != {u.pk for u in route.members.all()}:
                assign_route_members(route, by=request.user, members=chosen)
                changed += 1
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("De lopers zijn opgeslagen (%(n)d routes gewijzigd).") % {"n": changed})
    return redirect("canvass_overview", pk=incident.pk)


@login_required
@require_POST
def canvass_choose_visit(request: AuthedHttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    """The coordinator settles a door recorded by two volunteers: this visit counts."""
    incident, canvass = get_canvass_for_user(request.user, pk, write=True)
    visit = get_object_or_404(DoorVisit.objects.select_related("address", "volunteer"), pk=visit_pk, canvass=canvass)
    try:
        set_aside = choose_counting_visit(visit, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Voor %(address)s telt nu het bezoek van %(walker)s; %(n)d ander bezoek telt niet mee.")
            % {
                "address": f"{visit.address.street} {visit.address.house_number_label}",
                "walker": visit.volunteer or _("onbekende loper"),
                "n": len(set_aside),
            },
        )
    return redirect(reverse("canvass_overview", kwargs={"pk": incident.pk}) + "#conflicts")


@login_required
@require_POST
def canvass_optimise(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Queue a search for shorter routes (OR-Tools, a few seconds in the worker); the page says it runs."""
    incident, canvass = get_canvass_for_user(request.user, pk, write=True)
    try:
        request_route_improvement(canvass, by=request.user)
    except optimise.OptimiserUnavailable:
        messages.warning(
            request,
            _(
                "Optimaliseren kan niet: OR-Tools is niet geïnstalleerd op deze server. "
                "De beheerder kan het installeren met het extra pakket 'optimise'. De huidige routes blijven staan."
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("canvass_overview", kwargs={"pk": incident.pk}) + "#routes-title")


@login_required
@require_GET
def canvass_improve_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The "routes worden verbeterd" notice, polled by the overview; when the run is over the page reloads
    (HX-Refresh) to show the new routes."""
    incident, canvass = get_canvass_for_user(request.user, pk)
    response = render(request, "canvass/_improving.html", {"incident": incident, "canvass": canvass})
    if not canvass.improving and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


# Printouts (background jobs: jobs app, producers in canvass/pdf.py) ---------------------------


@login_required
@require_POST
def canvass_walking_lists(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Queue the walking list of one route (`route`) or of every route the user may see."""
    incident, canvass = get_canvass_for_user(request.user, pk)
    route_pk = request.POST.get("route", "")
    if route_pk:
        route = get_route_for_user(request.user, canvass, int(route_pk) if route_pk.isdigit() else 0)
        routes, title = [route.pk], _("Looplijst %(route)s") % {"route": route.name}
    elif visible_routes(request.user, canvass).exists():
        routes, title = [], _("Alle looplijsten")
    else:
        raise Http404(_("U loopt geen route in dit buurtonderzoek."))
    job = request_job(
        "canvass.walking_lists",
        by=request.user,
        params={"incident": incident.pk, "routes": routes},
        title=f"{title} · {incident.location_label}",
        back_url=reverse("canvass_overview", kwargs={"pk": incident.pk}),
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def canvass_leaflet(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Queue leaflets with the tip QR code: A5 or A6, one per page, as many as the team needs."""
    incident = get_canvass_for_user(request.user, pk)[0]
    require_team_member(request.user, incident)
    form = LeafletForm(request.POST)
    if not form.is_valid():
        # The overview again with the errors at the leaflet form's fields, not as messages at the top.
        return _overview_page(request, incident.pk, leaflet_form=form)
    size, copies = form.cleaned_data["size"], form.cleaned_data["copies"]
    job = request_job(
        "canvass.leaflet",
        by=request.user,
        params={"incident": incident.pk, "size": size, "copies": copies},
        title=_("%(n)d briefjes %(size)s · %(place)s") % {"n": copies, "size": size, "place": incident.location_label},
        back_url=reverse("canvass_overview", kwargs={"pk": incident.pk}),
    )
    return redirect("jobs:detail", pk=job.pk)


# Tips -----------------------------------------------------------------------------------------


@login_required
@require_GET
def canvass_tips(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_and_canvass(request.user, pk, write=True)[0]
    tips = list(Tip.objects.filter(incident=incident).order_by("-created_at"))
    if any(t.contact_consent for t in tips):
        record_personal_read(request.user, incident, what="Contactgegevens bij tips ingezien", request=request)
    mark_tips_seen(incident, by=request.user)
    return render(request, "canvass/tips.html", {"incident": incident, "tips": tips, "tip_url": tip_url(incident)})


@require_http_methods(["GET", "POST"])
def tip_form(request: HttpRequest, token: str) -> HttpResponse:
    """The public tip form behind the leaflet's QR code: no login, anonymous unless the resident opts in."""
    incident = get_object_or_404(Incident.objects.select_related("team"), public_token=token)
    closed = incident.is_final
    # Bound on every POST, also an empty one: an empty form must say what is missing.
    form = TipForm(request.POST if request.method == "POST" else None, incident_id=incident.pk)
    limited = False
    if request.method == "POST" and not closed:
        sender = ip_hash(client_ip(request))
        bucket = f"tip:{sender}"
        limit = getattr(settings, "TIP_RATE_LIMIT_PER_HOUR", TIP_RATE_LIMIT_PER_HOUR)
        if ratelimit.exhausted(bucket, limit=limit):
            limited = True
        elif form.is_spam:
            # Say thank you and store nothing: a robot learns nothing from the answer.
            ratelimit.consume(bucket, limit=limit, window=3600)
            return redirect("tip_thanks", token=token)
        elif form.is_valid():
            # Counted before storing, atomically: concurrent posts cannot pass the limit together.
            if not ratelimit.consume(bucket, limit=limit, window=3600):
                limited = True
            else:
                data = form.cleaned_data
                try:
                    submit_tip(
                        incident,
                        text=data["text"],
                        contact_consent=data["contact_consent"],
                        contact_name=data["contact_name"],
                        contact_phone=data["contact_phone"],
                        contact_email=data["contact_email"],
                        language=get_language() or "",
                        sender_ip_hash=sender,
                        privacy_version=data["privacy_version"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                else:
                    return redirect("tip_thanks", token=token)
    status = 429 if limited else 200
    return render(
        request,
        "canvass/tip_form.html",
        {"incident": incident, "form": form, "closed": closed, "limited": limited},
        status=status,
    )


@require_GET
def tip_thanks(request: HttpRequest, token: str) -> HttpResponse:
    incident = get_object_or_404(Incident, public_token=token)
    return render(request, "canvass/tip_thanks.html", {"incident": incident})
