"""Incident pages: list, registration (address search or map click), detail with history, status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.incidents.access import get_incident_for_user, is_coordinator, registrable_teams
from buurtonderzoek.incidents.actions import register_incident, transition_incident
from buurtonderzoek.incidents.forms import IncidentForm, TransitionForm
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.incidents.search import search_addresses
from buurtonderzoek.places.models import Address

# Set by planning a canvass (plan_canvass), never by hand: a "planned" incident always has routes.
AUTOMATIC = frozenset({IncidentStatus.CANVASS_PLANNED})


@login_required
@require_GET
def incident_list(request: AuthedHttpRequest) -> HttpResponse:
    incidents = Incident.objects.visible_to(request.user).select_related("team").order_by("-occurred_from", "-id")[:200]
    return render(
        request,
        "incidents/list.html",
        {"incidents": incidents, "can_register": registrable_teams(request.user).exists()},
    )


@login_required
def incident_new(request: AuthedHttpRequest) -> HttpResponse:
    teams = registrable_teams(request.user)
    if not teams.exists():
        raise PermissionDenied(_("Alleen coördinatoren en de politie registreren incidenten."))
    form = IncidentForm(request.POST or None, teams=teams)
    results: list[Address] = []
    searched = False
    if request.method == "POST" and "search" in request.POST:
        # Without JavaScript the search button re-renders the form with the matches as choices.
        team = form.selected_team()
        searched = True
        if team is not None:
            results = search_addresses(team.gemeente.code, request.POST.get("address_query", ""))
        return render(request, "incidents/new.html", _new_context(form, results, searched, validate=False))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = None if form.address_obj else (data["lat"], data["lon"])
        try:
            incident = register_incident(
                data["team"],
                by=request.user,
                incident_type=data["incident_type"],
                occurred_from=data["occurred_from"],
                occurred_until=data["occurred_until"],
                description=data["description"],
                victim_consent=data["victim_consent"],
                address=form.address_obj,
                point=point,
                police_registration_number=data["police_registration_number"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else "address_query", errors)
        else:
            messages.success(request, _("Het incident is geregistreerd."))
            return redirect("incident_detail", pk=incident.pk)
    selected = form.address_obj if form.is_bound else None
    if selected is None and request.method == "POST":
        selected = _posted_address(request, form)
    return render(
        request, "incidents/new.html", _new_context(form, [selected] if selected else [], searched, validate=True)
    )


def _posted_address(request: AuthedHttpRequest, form: IncidentForm) -> Address | None:
    team = form.selected_team()
    raw = request.POST.get("address", "")
    if team is None or not raw.isdigit():
        return None
    return Address.objects.filter(pk=int(raw), gemeente_code=team.gemeente.code).first()


def _new_context(form: IncidentForm, results: list[Address], searched: bool, *, validate: bool) -> dict[str, object]:
    team = form.selected_team()
    centre = None
    if team is not None:
        avg = Address.objects.filter(gemeente_code=team.gemeente.code).aggregate(lat=Avg("lat"), lon=Avg("lon"))
        if avg["lat"] is not None:
            centre = (f"{avg['lat']:.6f}", f"{avg['lon']:.6f}")
    return {
        "centre": centre,
        "form": form,
        "results": results,
        "searched": searched,
        "show_errors": validate,
        "selected_address": form.data.get("address", "") if form.is_bound else "",
        "team": team,
    }


@login_required
@require_GET
def address_suggestions(request: AuthedHttpRequest) -> HttpResponse:
    """htmx partial: address matches in the chosen team's gemeente, as radio buttons."""
    team_id = request.GET.get("team", "")
    try:
        team = registrable_teams(request.user).get(pk=int(team_id))
    except (ValueError, Team.DoesNotExist):
        raise Http404(_("Team niet gevonden.")) from None
    query = request.GET.get("address_query", "")
    results = search_addresses(team.gemeente.code, query)
    return render(
        request,
        "incidents/_address_results.html",
        {"results": results, "searched": len(query.strip()) >= 3, "selected_address": ""},
    )


@login_required
@require_GET
def incident_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk)
    can_write = is_coordinator(request.user, incident.team)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "history": incident.transitions.select_related("by").all(),
            "can_write": can_write,
            "transitions": [s for s in incident.allowed_transitions() if s not in AUTOMATIC] if can_write else [],
            "canvass": incident.canvasses.order_by("-id").first(),
        },
    )


@login_required
@require_POST
def incident_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een geldige nieuwe status."))
        return redirect("incident_detail", pk=incident.pk)
    if form.cleaned_data["to"] in AUTOMATIC:
        messages.error(request, _("Een buurtonderzoek plant u via 'Buurtonderzoek plannen'; de status volgt vanzelf."))
        return redirect("incident_detail", pk=incident.pk)
    try:
        transition_incident(incident, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De status is bijgewerkt."))
    return redirect("incident_detail", pk=incident.pk)
