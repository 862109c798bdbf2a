"""Consolidation page and alert management (logged in): coordinators compose, police decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.handoff.document import build_document
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.incidents.access import is_coordinator
from buurtonderzoek.places.models import Buurt
from buurtonderzoek.signalements import actions, drafting, loader, quality
from buurtonderzoek.signalements.access import get_alert_for_user, get_consolidation_target
from buurtonderzoek.signalements.forms import AlertForm, ReturnForm, WithdrawForm
from buurtonderzoek.signalements.models import Alert, AlertStatus


@login_required
@require_GET
def consolidation(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident, canvass = get_consolidation_target(request.user, pk)
    result = loader.load(incident, canvass)
    record_personal_read(
        request.user, incident, what="Verklaringen en adressen van getuigen ingezien (signalementen)", request=request
    )
    # The page shows exactly what the report would hold: the same document, not yet sent.
    doc = build_document(
        incident=incident,
        consolidation=result,
        quality=quality.score(result),
        number=_("concept"),
        submitted_at=result.now,
        submitted_by=request.user,
        unit_name="",
    )
    return render(
        request,
        "signalements/consolidation.html",
        {
            "incident": incident,
            "canvass": canvass,
            "doc": doc,
            "alerts": Alert.objects.filter(incident=incident).order_by("-created_at"),
            "report": PoliceReport.objects.filter(canvass=canvass).only("id", "number", "status").first(),
            "can_write": is_coordinator(request.user, incident.team),
            "now": result.now,
        },
    )


@login_required
@require_POST
def alert_compose(request: AuthedHttpRequest, pk: int, ref: str) -> HttpResponse:
    incident, _canvass = get_consolidation_target(request.user, pk, write=True)
    try:
        alert = actions.compose_alert(incident, by=request.user, signalement_ref=ref)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("consolidation", pk=incident.pk)
    messages.success(request, _("Concept-oproep gemaakt. Lees de tekst na en pas hem aan waar nodig."))
    return redirect("alert_manage", pk=alert.pk)


ACTIONS = ("save", "submit", "discard", "approve", "return", "withdraw")


@login_required
@require_http_methods(["GET", "POST"])
def alert_manage(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    alert, coordinator, police = get_alert_for_user(request.user, pk)
    buurten = Buurt.objects.filter(gemeente=alert.gemeente_id).order_by("name")
    form = AlertForm(initial={"title": alert.title, "text": alert.text, "buurt": alert.buurt_id}, buurten=buurten)
    return_form, withdraw_form = ReturnForm(), WithdrawForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse(_("Onbekende actie."), status=400)
        coordinator_only = action in ("save", "submit", "discard")
        police_only = action in ("approve", "return")
        if (coordinator_only and not coordinator) or (police_only and not police):
            raise PermissionDenied(_("Deze stap is niet voor uw rol."))
        try:
            if action in ("save", "submit"):
                form = AlertForm(request.POST, buurten=buurten)
                if not form.is_valid():
                    raise ValidationError(_("Controleer de gemarkeerde velden."))
                actions.update_alert(
                    alert,
                    by=request.user,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    buurt=form.cleaned_data["buurt"],
                )
                if action == "submit":
                    actions.submit_alert(alert, by=request.user)
                    messages.success(request, _("De oproep is naar de politie gestuurd voor goedkeuring."))
                else:
                    messages.success(request, _("De oproep is opgeslagen."))
            elif action == "discard":
                actions.discard_alert(alert, by=request.user)
                messages.success(request, _("De oproep is vervallen."))
            elif action == "approve":
                actions.approve_alert(alert, by=request.user)
                messages.success(request, _("De oproep is goedgekeurd en gepubliceerd."))
            elif action == "return":
                return_form = ReturnForm(request.POST)
                if not return_form.is_valid():
                    raise ValidationError(_("Schrijf erbij waarom de oproep terug moet."))
                actions.return_alert(alert, by=request.user, reason=return_form.cleaned_data["reason"])
                messages.success(request, _("De oproep is teruggestuurd naar het team."))
            else:
                withdraw_form = WithdrawForm(request.POST)
                if not withdraw_form.is_valid():
                    raise ValidationError(_("Schrijf een afloopbericht."))
                actions.withdraw_alert(alert, by=request.user, outcome_text=withdraw_form.cleaned_data["outcome_text"])
                messages.success(request, _("De oproep is ingetrokken; het afloopbericht gaat naar de ontvangers."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        else:
            return redirect("alert_manage", pk=alert.pk)
    return render(
        request,
        "signalements/alert_manage.html",
        _manage_context(
            alert,
            coordinator=coordinator,
            police=police,
            form=form,
            return_form=return_form,
            withdraw_form=withdraw_form,
        ),
        status=status,
    )


def _manage_context(alert: Alert, *, coordinator: bool, police: bool, **forms: Any) -> dict[str, Any]:
    published = alert.status == AlertStatus.PUBLISHED
    return {
        "alert": alert,
        "incident": alert.incident,
        "coordinator": coordinator,
        "police": police,
        "events": alert.events.select_related("by"),
        "problems": actions.text_errors(alert.incident, alert.text) if alert.is_editable else [],
        "public_url": actions.public_url(alert) if alert.is_public else "",
        "whatsapp_url": drafting.whatsapp_url(f"{alert.title}\n\n{alert.text}") if published else "",
        **forms,
    }
