"""Incident pages: list, registration (address search or map click), detail with history, editing, status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.canvass.access import is_team_member, sees_all_routes, visible_routes
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.incidents.access import get_incident_for_user, is_coordinator, may_edit_incident, registrable_teams
from buurtonderzoek.incidents.actions import EDITABLE_FIELDS, register_incident, transition_incident, update_incident
from buurtonderzoek.incidents.forms import IncidentDetailsForm, IncidentEditForm, IncidentForm, TransitionForm
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
    return _address_in(form.selected_team(), request.POST.get("address", ""))


def _address_in(team: Team | None, raw: str) -> Address | None:
    if team is None or not raw.isdigit():
        return None
    return Address.objects.filter(pk=int(raw), gemeente_code=team.gemeente.code).first()


def _new_context(form: IncidentForm, results: list[Address], searched: bool, *, validate: bool) -> dict[str, object]:
    team = form.selected_team()
    return {
        "centre": _gemeente_centre(team),
        "form": form,
        "results": results,
        "searched": searched,
        "show_errors": validate,
        "marker": (form.data.get("lat", ""), form.data.get("lon", "")) if form.is_bound else ("", ""),
        "selected_address": form.data.get("address", "") if form.is_bound else "",
        "team": team,
    }


def _gemeente_centre(team: Team | None) -> tuple[str, str] | None:
    if team is None:
        return None
    avg = Address.objects.filter(gemeente_code=team.gemeente.code).aggregate(lat=Avg("lat"), lon=Avg("lon"))
    if avg["lat"] is None:
        return None
    return (f"{avg['lat']:.6f}", f"{avg['lon']:.6f}")


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
    return _detail_page(request, incident)


def _detail_page(
    request: AuthedHttpRequest, incident: Incident, status_error: str = "", note: str = ""
) -> HttpResponse:
    """The incident page; with `status_error`, the status change that was refused, its error at the select."""
    can_write = is_coordinator(request.user, incident.team)
    canvass = incident.canvasses.order_by("-id").first()
    # Offer only the canvass pages this person may open: a volunteer without a route in this canvass
    # would get a 404 from the overview, the police a 403 from "Mijn bezoeken".
    sees_overview = canvass is not None and (
        sees_all_routes(request.user, incident) or visible_routes(request.user, canvass).exists()
    )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "history": incident.transitions.select_related("by").all(),
            "edits": _edits(incident),
            "can_edit": not incident.is_final and may_edit_incident(request.user, incident),
            "can_write": can_write,
            "transitions": [s for s in incident.allowed_transitions() if s not in AUTOMATIC] if can_write else [],
            "canvass": canvass,
            "sees_overview": sees_overview,
            "walks_for_team": is_team_member(request.user, incident),
            "status_error": status_error,
            "status_note": note,
        },
        status=400 if status_error else 200,
    )


@login_required
@require_POST
def incident_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    form = TransitionForm(request.POST)
    note = request.POST.get("note", "")
    # A refusal comes back on the page with the error at the status select, not as a message at the top.
    if not form.is_valid():
        return _detail_page(request, incident, _("Kies een geldige nieuwe status."), note)
    if form.cleaned_data["to"] in AUTOMATIC:
        message = _("Een buurtonderzoek plant u via 'Buurtonderzoek plannen'; de status volgt vanzelf.")
        return _detail_page(request, incident, message, note)
    try:
        transition_incident(incident, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        return _detail_page(request, incident, " ".join(error.messages), note)
    messages.success(request, _("De status is bijgewerkt."))
    return redirect("incident_detail", pk=incident.pk)


# What the history calls each field that update_incident records.
EDITED_FIELD_LABELS = {
    "incident_type": _lazy("soort incident"),
    "occurred_from": _lazy("begin van de tijdsperiode"),
    "occurred_until": _lazy("einde van de tijdsperiode"),
    "location": _lazy("locatie"),
    "police_registration_number": _lazy("registratienummer politie"),
    "description": _lazy("omschrijving"),
    "victim_consent": _lazy("instemming slachtoffer"),
}


def _edits(incident: Incident) -> list[dict[str, object]]:
    """The incident's corrections from the audit log (update_incident's events), oldest first."""
    events = (
        AuditEvent.objects.filter(
            object_type=Incident._meta.label, object_id=str(incident.pk), action=AuditAction.UPDATE
        )
        .filter(data__has_key="fields")
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        {
            "at": event.at,
            "by": event.actor or event.actor_label,
            "fields": [str(EDITED_FIELD_LABELS.get(name, name)) for name in event.data.get("fields", [])],
        }
        for event in events
    ]


@login_required
def incident_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Correct an incident's details: prefilled form; saving goes through update_incident."""
    incident = get_incident_for_user(request.user, pk)
    if not may_edit_incident(request.user, incident):
        raise PermissionDenied(_("Alleen de coördinator van dit team of de politie mag de gegevens wijzigen."))
    if incident.is_final:
        messages.error(
            request,
            _("Dit incident is %(status)s; de gegevens kunnen niet meer worden gewijzigd.")
            % {"status": incident.get_status_display()},
        )
        return redirect("incident_detail", pk=incident.pk)
    if request.method == "POST" and "search" in request.POST:
        # Without JavaScript the search button re-renders the form with the matches as choices.
        # Searching is not saving: the typed values come back unchecked, without error messages.
        form = IncidentEditForm(initial=request.POST.dict(), incident=incident)
        results = search_addresses(incident.team.gemeente.code, request.POST.get("address_query", ""))
        return render(request, "incidents/edit.html", _edit_context(form, results, searched=True, selected=""))
    form = IncidentEditForm(request.POST or None, incident=incident)
    if request.method == "POST" and form.is_valid():
        changes: dict[str, object] = {
            name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.changed_data
        }
        # The location as chosen (the page leaves it out once it is locked): the action decides
        # whether the incident actually moves, and refuses a move it does not allow.
        point = form.chosen_point()
        if form.address_obj is not None:
            changes["address"] = form.address_obj
        elif point is not None:
            changes["point"] = point
        try:
            changed = update_incident(incident, by=request.user, **changes)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("De gegevens van het incident zijn gewijzigd."))
            else:
                messages.info(request, _("Er was niets veranderd; er is niets opgeslagen."))
            return redirect("incident_detail", pk=incident.pk)
    selected = str(form.data.get("address", "")) if form.is_bound else str(incident.address_id or "")
    address = form.address_obj or _address_in(incident.team, selected)
    context = _edit_context(form, [address] if address else [], searched=False, selected=selected)
    return render(request, "incidents/edit.html", context)


def _add_errors(form: IncidentDetailsForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        if field in {"address", "point", "lat", "lon", "location_label", "x", "y"}:
            field = "address_query"
        form.add_error(field if field in form.fields else None, messages_)


def _edit_context(
    form: IncidentEditForm, results: list[Address], *, searched: bool, selected: str
) -> dict[str, object]:
    incident = form.incident
    lat, lon = form["lat"].value(), form["lon"].value()
    return {
        "incident": incident,
        "form": form,
        "results": results,
        "searched": searched,
        "selected_address": selected,
        # Where the map's marker starts: the chosen point, else the incident's place.
        "marker": (lat, lon) if lat and lon else (f"{incident.lat:.6f}", f"{incident.lon:.6f}"),
        "centre": _gemeente_centre(incident.team),
        "team": incident.team,
    }
