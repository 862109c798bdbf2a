"""Review of visits, the volunteer's corrections, sending the report, the police inbox and the report page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.canvass.access import require_team_member
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.core.dbrouter import reads_from_replica
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.handoff import actions, review
from buurtonderzoek.handoff.access import (
    Viewer,
    get_report_for_user,
    log_pdf_read,
    read_document,
    read_supplement,
)
from buurtonderzoek.handoff.correction import CorrectionForm
from buurtonderzoek.handoff.forms import (
    FeedbackForm,
    OutcomeForm,
    ReviewForm,
    SubmitReportForm,
    ThanksForm,
    TransitionForm,
)
from buurtonderzoek.handoff.models import Notification, PdfStatus, PoliceReport, ReportStatus, ReportSupplement
from buurtonderzoek.handoff.notifications import participants
from buurtonderzoek.incidents.access import get_incident_for_user
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements import loader, quality
from buurtonderzoek.signalements.models import Alert

INBOX_PAGE_SIZE = 50
CONTACT_KEYS = ("contact_name", "contact_phone", "contact_email", "outcome_email")


def _canvass(incident: Incident) -> Canvass:
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    if canvass is None:
        raise Http404(_("Er is nog geen buurtonderzoek gepland."))
    return canvass


# --- review (coordinator) ----------------------------------------------------------------------


@login_required
@require_GET
def review_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    canvass = _canvass(incident)
    wanted = request.GET.get("status", "")
    visits = (
        DoorVisit.objects.filter(canvass=canvass, outcome=Outcome.GESPROKEN)
        .select_related("address", "volunteer")
        .order_by("visited_at", "id")
    )
    counts = {status: 0 for status in ReviewStatus.values}
    for status in visits.values_list("review_status", flat=True):
        counts[status] += 1
    if wanted in ReviewStatus.values:
        visits = visits.filter(review_status=wanted)
    return render(
        request,
        "handoff/review_list.html",
        {
            "incident": incident,
            "visits": list(visits),
            "counts": [(ReviewStatus(s), n) for s, n in counts.items()],
            "wanted": wanted,
            "report_sent": PoliceReport.objects.filter(canvass=canvass).exists(),
        },
    )


def _visible_answers(schema: Any, answers: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, answer) in questionnaire order, without the contact details (those are for the police)."""
    out: list[tuple[str, Any]] = []
    for q in schema.iter_questions() if schema is not None else []:
        if q.id not in answers or q.id in CONTACT_KEYS or q.type == "repeat":
            continue
        if q.id in {c.id for r in schema.iter_questions() if r.type == "repeat" for c in r.children}:
            continue
        out.append((q.label, _display(q, answers[q.id])))
    return out


def _display(q: Any, value: Any) -> str:
    choices = dict(q.choices) if getattr(q, "choices", None) else {}
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, dict):
        if "min" in value or "max" in value:
            return f"{value.get('min', '')}-{value.get('max', '')}"
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(choices.get(str(value), value))


def _blocks(schema: Any, answers: dict[str, Any]) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    out = []
    for q in schema.iter_questions() if schema is not None else []:
        if q.type != "repeat" or not isinstance(answers.get(q.id), list):
            continue
        children = {c.id: c for c in q.children}
        blocks = [
            [(children[k].label, _display(children[k], v)) for k, v in block.items() if k in children]
            for block in answers[q.id]
            if isinstance(block, dict)
        ]
        out.append((q.label, blocks))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def review_visit(request: AuthedHttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    canvass = _canvass(incident)
    visit = get_object_or_404(
        DoorVisit.objects.select_related("address", "volunteer", "questionnaire_version", "reviewed_by"),
        pk=visit_pk,
        canvass=canvass,
        outcome=Outcome.GESPROKEN,
    )
    form = ReviewForm(request.POST or None, initial={"status": visit.review_status, "comment": visit.review_comment})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review.review_visit(
                    visit, by=request.user, status=form.cleaned_data["status"], comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Beoordeling opgeslagen."))
                following = (
                    DoorVisit.objects.filter(
                        canvass=canvass, outcome=Outcome.GESPROKEN, review_status=ReviewStatus.RECEIVED
                    )
                    .order_by("visited_at", "id")
                    .values_list("pk", flat=True)
                    .first()
                )
                if following is not None:
                    return redirect("review_visit", pk=incident.pk, visit_pk=following)
                return redirect("review_list", pk=incident.pk)
        status = 400
    schema = visit.questionnaire_version.parsed if visit.questionnaire_version is not None else None
    answers = visit.answers if isinstance(visit.answers, dict) else {}
    if request.method == "GET":
        record_personal_read(request.user, visit, what="Verklaring bij een deurbezoek ingezien", request=request)
    return render(
        request,
        "handoff/review_visit.html",
        {
            "incident": incident,
            "visit": visit,
            "form": form,
            "answers": _visible_answers(schema, answers),
            "blocks": _blocks(schema, answers),
            "has_contact": answers.get("contact_consent") == "ja",
        },
        status=status,
    )


# --- the volunteer's own visits ----------------------------------------------------------------


@login_required
@require_GET
def my_visits(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk)
    require_team_member(request.user, incident)
    canvass = _canvass(incident)
    visits = list(
        DoorVisit.objects.filter(canvass=canvass, volunteer=request.user, outcome=Outcome.GESPROKEN)
        .select_related("address")
        .order_by("-visited_at")
    )
    return render(
        request,
        "handoff/my_visits.html",
        {
            "incident": incident,
            "visits": visits,
            "report_sent": PoliceReport.objects.filter(canvass=canvass).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_correct(request: AuthedHttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk)
    require_team_member(request.user, incident)
    canvass = _canvass(incident)
    visit = get_object_or_404(
        DoorVisit.objects.select_related("address", "questionnaire_version", "canvass__incident"),
        pk=visit_pk,
        canvass=canvass,
    )
    if not review.can_correct(visit, request.user):
        raise PermissionDenied(_("Alleen wie het bezoek vastlegde, kan het verbeteren, en alleen vóór het verslag."))
    version = review.version_for(visit)
    answers = visit.answers if isinstance(visit.answers, dict) else {}
    correction = CorrectionForm(
        version.parsed, answers, review.engine_context(visit), request.POST if request.method == "POST" else None
    )
    if request.method == "GET" and any(answers.get(k) for k in CONTACT_KEYS):
        record_personal_read(request.user, visit, what="Contactgegevens in eigen deurbezoek ingezien", request=request)
    status = 200
    if request.method == "POST":
        if correction.is_valid():
            try:
                review.correct_visit(visit, by=request.user, answers=correction.cleaned)
            except ValidationError as exc:
                correction.errors = {"": exc.messages}
            else:
                messages.success(request, _("Dank u. Het bezoek is verbeterd en gaat terug naar de coördinator."))
                return redirect("my_visits", pk=incident.pk)
        status = 200 if correction.adding else 400
    return render(
        request,
        "handoff/visit_correct.html",
        {"incident": incident, "visit": visit, "correction": correction},
        status=status,
    )


# --- sending the report (coordinator) ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    canvass = _canvass(incident)
    existing = PoliceReport.objects.filter(canvass=canvass).first()
    if existing is not None:
        return redirect("report_detail", pk=existing.pk)
    units = actions.covering_units(incident)
    form = SubmitReportForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = actions.submit_report(incident, by=request.user, unit=form.cleaned_data["unit"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Het verslag is verstuurd naar %(unit)s.") % {"unit": report.unit})
                return redirect("report_detail", pk=report.pk)
        status = 400
    result = loader.load(incident, canvass)
    return render(
        request,
        "handoff/report_submit.html",
        {"incident": incident, "form": form, "c": result, "quality": quality.score(result), "units": units},
        status=status,
    )


# --- reports: inbox, page, downloads, police actions -------------------------------------------


@login_required
@require_GET
@reads_from_replica
def report_list(request: AuthedHttpRequest) -> HttpResponse:
    """The police inbox (reports sent to the user's units), or the team's reports for team members."""
    user = request.user
    police = user.is_superuser or Membership.objects.filter(user=user, role=Role.POLICE).exists()
    reports = PoliceReport.objects.inbox(user) if police else PoliceReport.objects.visible_to(user)
    wanted = request.GET.get("status", "")
    if wanted in ReportStatus.values:
        reports = reports.filter(status=wanted)
    reports = (
        reports.annotate(new_supplements=Count("supplements", filter=Q(supplements__received_at__isnull=True)))
        .select_related("incident__team__gemeente", "unit")
        .only(
            "id",
            "number",
            "status",
            "submitted_at",
            "quality_score",
            "doors_visited",
            "camera_lead_count",
            "signalement_count",
            "outcome",
            "unit__name",
            "incident__incident_type",
            "incident__location_label",
            "incident__team__name",
            "incident__team__gemeente__name",
        )
    )
    page = Paginator(reports.order_by("-submitted_at", "-id"), INBOX_PAGE_SIZE).get_page(request.GET.get("pagina"))
    awaiting = list(Alert.objects.awaiting_police(user).select_related("gemeente")[:20]) if police else []
    return render(
        request,
        "handoff/report_list.html",
        {"page": page, "police": police, "wanted": wanted, "statuses": list(ReportStatus), "awaiting": awaiting},
    )


def _document_for(
    request: AuthedHttpRequest, report: PoliceReport, role: Viewer, channel: str = "pagina"
) -> dict[str, Any]:
    return read_document(request.user, report, role, channel=channel, request=request)


@login_required
@require_GET
def report_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk)
    return _report_page(request, report, role)


def _report_page(
    request: AuthedHttpRequest, report: PoliceReport, role: Viewer, refused: Any = None, action: str = ""
) -> HttpResponse:
    """The report page; `refused` is the police form of `action` that was sent with errors, shown again with
    them at its fields (and what was typed), the other forms fresh."""
    document = _document_for(request, report, role) if role != Viewer.VOLUNTEER else {}
    people = participants(report) if role == Viewer.POLICE else []
    thanks = report.thanks.select_related("to_user").order_by("-created_at")
    if role == Viewer.VOLUNTEER:
        thanks = thanks.filter(Q(to_user__isnull=True) | Q(to_user=request.user))
    forms = {
        "status": TransitionForm(allowed=report.allowed_transitions(), prefix="status"),
        "feedback": FeedbackForm(prefix="feedback"),
        "outcome": OutcomeForm(
            initial={
                "outcome": report.outcome,
                "usefulness": report.usefulness,
                "helpful_parts": report.helpful_parts,
            },
            earlier_note=report.outcome_note,
            prefix="outcome",
        ),
        "thanks": ThanksForm(people=people, prefix="thanks"),
    }
    if refused is not None:
        forms[action] = refused
    return render(
        request,
        "handoff/report_detail.html",
        {
            "report": report,
            "incident": report.incident,
            "role": str(role),
            "doc": document,
            "feedback": report.feedback.all(),
            "thanks": thanks,
            "transitions": report.transitions.all(),
            "transition_form": forms["status"],
            "feedback_form": forms["feedback"],
            "outcome_form": forms["outcome"],
            "thanks_form": forms["thanks"],
            "hours_saved": report.hours_saved,
            "minutes_per_door": settings.MINUTES_PER_DOOR,
            "supplements": report.supplements.all(),
            "late": _late_count(report) if role == Viewer.COORDINATOR else 0,
        },
        status=400 if refused is not None else 200,
    )


# --- supplements: nagekomen bezoeken -----------------------------------------------------------


def _late_count(report: PoliceReport) -> int:
    """Approved statements and tips that neither the report nor a supplement sent yet."""
    sent = actions.already_sent(report)
    visits = {v.pk for v in loader.approved_visits(report.canvass)} - sent["visit"]
    tips = {t.pk for t, _note in loader.tips_for(report.incident)} - sent["tip"]
    return len(visits) + len(tips)


def _supplement(report: PoliceReport, number: int) -> ReportSupplement:
    supplement = report.supplements.filter(number=number).first()
    if supplement is None:
        raise Http404(_("Aanvulling niet gevonden."))
    supplement.report = report
    return supplement


@login_required
@require_http_methods(["GET", "POST"])
def supplement_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The coordinator sends the late statements (nagekomen bezoeken) after the same review as before."""
    report, _role = get_report_for_user(request.user, pk, need=(Viewer.COORDINATOR,))
    status = 200
    if request.method == "POST":
        try:
            supplement = actions.submit_supplement(report, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
        else:
            messages.success(
                request,
                _("Aanvulling %(label)s is verstuurd naar %(unit)s.")
                % {"label": supplement.label, "unit": report.unit},
            )
            return redirect("supplement_detail", pk=report.pk, number=supplement.number)
    pending = actions.pending_supplement(report)
    return render(
        request,
        "handoff/supplement_submit.html",
        {"report": report, "incident": report.incident, "c": pending, "quality": quality.score(pending)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplement_detail(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk, need=(Viewer.POLICE, Viewer.COORDINATOR))
    supplement = _supplement(report, number)
    if request.method == "POST":
        if role != Viewer.POLICE:
            raise PermissionDenied(_("Alleen de politie-eenheid die het verslag ontving, kan dit doen."))
        actions.receive_supplement(supplement, by=request.user)
        messages.success(request, _("De aanvulling is gemarkeerd als ontvangen."))
        return redirect("supplement_detail", pk=report.pk, number=number)
    document = read_supplement(request.user, supplement, role, channel="pagina", request=request)
    return render(
        request,
        "handoff/supplement_detail.html",
        {"report": report, "supplement": supplement, "incident": report.incident, "role": str(role), "doc": document},
    )


@login_required
@require_GET
def supplement_pdf(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse | FileResponse:
    report, _role = get_report_for_user(request.user, pk, need=(Viewer.POLICE, Viewer.COORDINATOR))
    supplement = _supplement(report, number)
    if supplement.pdf_status != PdfStatus.DONE or not supplement.pdf:
        return render(request, "handoff/pdf_pending.html", {"report": report}, status=409)
    record_personal_read(
        request.user, supplement, what=f"Aanvulling {supplement.label} ingezien (pdf)", request=request
    )
    response = FileResponse(supplement.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="aanvulling-{supplement.label}.pdf"'
    return response


@login_required
@require_GET
def supplement_json(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk, need=(Viewer.POLICE, Viewer.COORDINATOR))
    supplement = _supplement(report, number)
    document = read_supplement(request.user, supplement, role, channel="json", request=request)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="aanvulling-{supplement.label}.json"'
    return response


@login_required
@require_POST
def report_action(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk)
    action = request.POST.get("action", "")
    if action == "pdf":
        if role not in (Viewer.POLICE, Viewer.COORDINATOR):
            raise PermissionDenied(_("Alleen de politie en de coördinator kunnen de pdf opnieuw laten maken."))
        actions.queue_report_pdf(report.pk)
        return redirect("report_detail", pk=report.pk)
    if role != Viewer.POLICE:
        raise PermissionDenied(_("Alleen de politie-eenheid die het verslag ontving, kan dit doen."))
    forms: dict[str, Any] = {
        "status": lambda: TransitionForm(request.POST, allowed=report.allowed_transitions(), prefix="status"),
        "feedback": lambda: FeedbackForm(request.POST, prefix="feedback"),
        "outcome": lambda: OutcomeForm(request.POST, earlier_note=report.outcome_note, prefix="outcome"),
        "thanks": lambda: ThanksForm(request.POST, people=participants(report), prefix="thanks"),
    }
    if action not in forms:
        return HttpResponse(_("Onbekende actie."), status=400)
    form = forms[action]()
    if not form.is_valid():
        # The page again with the errors at their fields and what was typed kept, not a redirect with a
        # message at the top that a screen reader does not tie to any field.
        return _report_page(request, report, role, refused=form, action=action)
    data = form.cleaned_data
    try:
        if action == "status":
            actions.transition_report(report, to=data["to"], by=request.user, note=data["note"])
            messages.success(request, _("Status gewijzigd."))
        elif action == "feedback":
            actions.add_feedback(report, by=request.user, text=data["text"])
            messages.success(request, _("Uw terugkoppeling is naar het team gestuurd."))
        elif action == "outcome":
            actions.set_outcome(
                report,
                by=request.user,
                outcome=data["outcome"],
                note=data["note"],
                usefulness=data["usefulness"],
                helpful_parts=data["helpful_parts"],
            )
            messages.success(request, _("De uitkomst is vastgelegd en gedeeld met het team."))
        else:
            actions.thank(report, by=request.user, message=data["message"], to_user=form.recipient())
            messages.success(request, _("Uw bedankje is verstuurd."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("report_detail", pk=report.pk)


@login_required
@require_GET
def report_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse | FileResponse:
    report, role = get_report_for_user(request.user, pk, need=(Viewer.POLICE, Viewer.COORDINATOR))
    file = actions.report_pdf_file(report, police=role == Viewer.POLICE)
    if file is None:
        return render(request, "handoff/pdf_pending.html", {"report": report}, status=409)
    log_pdf_read(request.user, report, role, channel="pagina", request=request)
    response = FileResponse(file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="verslag-{report.number}.pdf"'
    return response


@login_required
@require_GET
def report_json(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk, need=(Viewer.POLICE, Viewer.COORDINATOR))
    document = _document_for(request, report, role, "json")
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="verslag-{report.number}.json"'
    return response


@login_required
@require_GET
def report_pdf_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, role = get_report_for_user(request.user, pk)
    return render(request, "handoff/_pdf_status.html", {"report": report, "role": str(role)})


# --- notifications -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.mark_notifications_read(request.user)
        return redirect("notifications")
    items = list(Notification.objects.filter(user=request.user).order_by("-created_at")[:100])
    return render(
        request, "handoff/notifications.html", {"items": items, "unread": sum(1 for n in items if n.read_at is None)}
    )
