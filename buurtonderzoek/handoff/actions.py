"""Every write to police reports: submit, move along the workflow, feedback, outcome, thanks.

`submit_report` freezes the consolidation into the report's JSON document, moves the incident to
"reported" through `incidents.actions.transition_incident` (finishing the canvass first when it
was still running), and after the commit queues the PDF task and tells the police unit. When the
police close the report the incident closes too, which starts the retention clock (section 8).

Doors can still be walked after the report went out. Visits the coordinator approves later, and tips
that arrive later, go to the police as a supplement ("nagekomen bezoeken", `submit_supplement`): the
same consolidation over only what no earlier report or supplement sent, its own JSON document and PDFs,
new in the police inbox until the police mark it received, and announced to everyone who took part.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role
from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.document import build_document
from buurtonderzoek.handoff.models import (
    REPORT_TRANSITIONS,
    USEFULNESS_LABELS,
    HelpfulPart,
    Notification,
    PdfStatus,
    PoliceReport,
    ReportFeedback,
    ReportOutcome,
    ReportStatus,
    ReportSupplement,
    ReportTransition,
    Thanks,
)
from buurtonderzoek.handoff.notifications import notify, participants, police_of
from buurtonderzoek.incidents.actions import transition_incident
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.signalements import loader, quality
from buurtonderzoek.signalements.consolidation import Consolidation

SUBMITTABLE = (IncidentStatus.CANVASS_RUNNING, IncidentStatus.CANVASS_DONE)


class InvalidReportTransition(ValidationError):
    pass


def _label(user: Any) -> str:
    return (str(user) if getattr(user, "is_authenticated", False) else "systeem")[:254]


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def covering_units(incident: Incident) -> list[PoliceUnit]:
    return list(PoliceUnit.objects.filter(gemeenten=incident.team.gemeente_id).order_by("name"))


def submit_report(incident: Incident, *, by: Any, unit: PoliceUnit | None = None) -> PoliceReport:
    """Send the canvass's report to the police unit covering the team's gemeente."""
    if incident.status not in SUBMITTABLE:
        raise ValidationError(
            _("Een verslag kan pas worden verstuurd als het buurtonderzoek loopt of klaar is (nu: %(status)s).")
            % {"status": incident.get_status_display()}
        )
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    if canvass is None:
        raise ValidationError(_("Er is geen buurtonderzoek om over te rapporteren."))
    if PoliceReport.objects.filter(canvass=canvass).exists():
        raise ValidationError(_("Het verslag van dit buurtonderzoek is al verstuurd."))
    units = covering_units(incident)
    if not units:
        raise ValidationError(_("Geen politie-eenheid werkt in deze gemeente; vraag de beheerder er een te koppelen."))
    if unit is None:
        unit = units[0]
    elif unit.pk not in {u.pk for u in units}:
        raise ValidationError({"unit": _("Deze politie-eenheid werkt niet in de gemeente van het team.")})
    consolidation = loader.load(incident, canvass)
    if consolidation.coverage.doors_visited == 0:
        raise ValidationError(_("Er is nog geen enkele deur bezocht; er valt nog niets te rapporteren."))
    scored = quality.score(consolidation)
    cov = consolidation.coverage
    now = timezone.now()

    with transaction.atomic():
        if incident.status == IncidentStatus.CANVASS_RUNNING:
            transition_incident(
                incident, to=IncidentStatus.CANVASS_DONE, by=by, note=_("afgerond bij het versturen van het verslag")
            )
        report = PoliceReport.objects.create(
            incident=incident,
            canvass=canvass,
            unit=unit,
            quality_score=scored.score,
            doors_planned=cov.doors_planned,
            doors_visited=cov.doors_visited,
            doors_spoken=cov.doors_spoken,
            signalement_count=len(consolidation.signalements),
            camera_lead_count=len(consolidation.camera_leads),
            first_door_at=DoorVisit.objects.filter(canvass=canvass).aggregate(first=Min("visited_at"))["first"],
            submitted_by=_user(by),
            witness_sources=loader.witness_sources(consolidation),
        )
        report.number = f"BO-{timezone.localtime(now):%Y}-{report.pk:06d}"
        report.freeze_hours()
        report.document = build_document(
            incident=incident,
            consolidation=consolidation,
            quality=scored,
            number=report.number,
            submitted_at=report.submitted_at,
            submitted_by=by,
            unit_name=unit.name,
        )
        report.save(update_fields=["number", "document", "hours_to_first_door", "hours_to_report"])
        ReportTransition.objects.create(
            report=report, from_status="", to_status=ReportStatus.SUBMITTED, by=_user(by), by_label=_label(by)
        )
        transition_incident(incident, to=IncidentStatus.REPORTED, by=by, note=report.number)
        record(
            by,
            AuditAction.CREATE,
            report,
            summary=f"Verslag {report.number} verstuurd naar {unit}",
            data={"incident": incident.pk, "canvass": canvass.pk, "quality": scored.score},
        )
        url = reverse("report_detail", args=[report.pk])
        notify(
            police_of(report),
            kind=Notification.REPORT_SUBMITTED,
            title=_("Nieuw verslag van een buurtonderzoek: %(number)s") % {"number": report.number},
            body=_("%(team)s stuurde een verslag over een %(type)s (%(doors)d deuren, kwaliteit %(score)d/100).")
            % {
                "team": incident.team.name,
                "type": incident.get_incident_type_display(),
                "doors": cov.doors_visited,
                "score": scored.score,
            },
            url=url,
            report=report,
        )
        report_id = report.pk
        transaction.on_commit(lambda: queue_report_pdf(report_id))
    return report


def queue_report_pdf(report_id: int) -> None:
    from buurtonderzoek.handoff.tasks import generate_report_pdf

    PoliceReport.objects.filter(pk=report_id).update(pdf_status=PdfStatus.PENDING, pdf_progress=0, pdf_error="")
    generate_report_pdf.enqueue(report_id)


def report_pdf_file(report: PoliceReport, *, police: bool) -> Any:
    """The stored PDF to hand out, or None while it is being made.

    A PDF that is done but missing on disk (media restored from an older backup, moved storage) is made
    again instead of failing the download.
    """
    file = report.pdf_police if police else report.pdf_team
    if report.pdf_status != PdfStatus.DONE or not file:
        return None
    if not file.storage.exists(file.name):
        queue_report_pdf(report.pk)
        report.pdf_status, report.pdf_progress = PdfStatus.PENDING, 0
        return None
    return file


def transition_report(report: PoliceReport, *, to: str, by: Any, note: str = "") -> ReportTransition:
    """Move the report along the workflow; closing it closes the incident."""
    with transaction.atomic():
        current = PoliceReport.objects.select_for_update().get(pk=report.pk)
        if to not in REPORT_TRANSITIONS.get(current.status, frozenset()):
            raise InvalidReportTransition(
                _("Een verslag met status '%(from)s' kan niet naar '%(to)s'.")
                % {
                    "from": current.get_status_display(),
                    "to": ReportStatus(to).label if to in ReportStatus.values else to,
                }
            )
        row = ReportTransition.objects.create(
            report=current, from_status=current.status, to_status=to, by=_user(by), by_label=_label(by), note=note[:500]
        )
        now = timezone.now()
        PoliceReport.objects.filter(pk=current.pk).update(status=to, status_changed_at=now)
        report.status, report.status_changed_at = to, now
        if to == ReportStatus.CLOSED:
            incident = report.incident
            incident.refresh_from_db(fields=["status"])
            if incident.status == IncidentStatus.REPORTED:
                transition_incident(
                    incident, to=IncidentStatus.CLOSED, by=by, note=_("verslag afgesloten door de politie")
                )
        record(
            by,
            AuditAction.UPDATE,
            report,
            summary=f"Verslag {report.number}: {row.from_status} -> {to}",
            data={"from": row.from_status, "to": to, "note": note[:200]},
        )
        notify(
            participants(report),
            kind=Notification.REPORT_STATUS,
            title=_("Verslag %(number)s: %(status)s") % {"number": report.number, "status": ReportStatus(to).label},
            body=note,
            url=reverse("report_detail", args=[report.pk]),
            report=report,
            # Every step by e-mail would be noise; the app shows them, e-mail brings feedback and outcomes.
            email=to == ReportStatus.CLOSED,
        )
    return row


def _require_police(report: PoliceReport, by: Any) -> None:
    if not Membership.objects.filter(user=by, role=Role.POLICE, police_unit=report.unit_id).exists():
        raise ValidationError(_("Alleen de politie-eenheid die het verslag ontving, kan dit doen."))


def add_feedback(report: PoliceReport, *, by: Any, text: str) -> ReportFeedback:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Schrijf uw terugkoppeling aan het team.")})
    _require_police(report, by)
    with transaction.atomic():
        feedback = ReportFeedback.objects.create(
            report=report, author=_user(by), author_label=_label(by), text=text[:2000]
        )
        record(by, AuditAction.CREATE, feedback, summary=f"Terugkoppeling op verslag {report.number}")
        notify(
            participants(report),
            kind=Notification.FEEDBACK,
            title=_("De politie reageerde op verslag %(number)s") % {"number": report.number},
            body=text,
            url=reverse("report_detail", args=[report.pk]),
            report=report,
        )
    return feedback


def set_outcome(
    report: PoliceReport,
    *,
    by: Any,
    outcome: str,
    note: str = "",
    usefulness: int | None = None,
    helpful_parts: list[str] | None = None,
) -> PoliceReport:
    """The outcome, and how useful the report was (1-5) and which parts helped; the team sees all three."""
    if outcome not in ReportOutcome.values:
        raise ValidationError({"outcome": _("Kies een uitkomst.")})
    if usefulness is not None and usefulness not in USEFULNESS_LABELS:
        raise ValidationError({"usefulness": _("Geef een cijfer voor de bruikbaarheid van 1 tot en met 5.")})
    parts = list(dict.fromkeys(helpful_parts or []))
    if any(part not in HelpfulPart.values for part in parts):
        raise ValidationError({"helpful_parts": _("Kies alleen onderdelen uit de lijst.")})
    _require_police(report, by)
    with transaction.atomic():
        report.outcome = outcome
        report.outcome_note = note.strip()[:2000]
        report.outcome_by = _user(by)
        report.outcome_at = timezone.now()
        report.usefulness = usefulness
        report.helpful_parts = [p for p in HelpfulPart.values if p in parts]
        report.save(
            update_fields=["outcome", "outcome_note", "outcome_by", "outcome_at", "usefulness", "helpful_parts"]
        )
        record(
            by,
            AuditAction.UPDATE,
            report,
            summary=f"Uitkomst van verslag {report.number}: {outcome}",
            data={"usefulness": usefulness, "helpful_parts": report.helpful_parts},
        )
        label = ReportOutcome(outcome).label
        notify(
            participants(report),
            kind=Notification.OUTCOME,
            title=_("Uitkomst van verslag %(number)s: %(outcome)s") % {"number": report.number, "outcome": label},
            body=report.outcome_note,
            url=reverse("report_detail", args=[report.pk]),
            report=report,
        )
        report_id = report.pk

        def tell_witnesses() -> None:
            from buurtonderzoek.handoff.tasks import send_witness_outcome

            send_witness_outcome.enqueue(report_id)

        transaction.on_commit(tell_witnesses)
    return report


def thank(report: PoliceReport, *, by: Any, message: str, to_user: Any = None) -> Thanks:
    """Thank one volunteer who took part, or (to_user None) the whole team."""
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Schrijf een kort bedankje.")})
    _require_police(report, by)
    people = participants(report)
    if to_user is not None and to_user.pk not in {p.pk for p in people}:
        raise ValidationError({"to_user": _("Deze persoon deed niet mee aan dit buurtonderzoek.")})
    with transaction.atomic():
        thanks = Thanks.objects.create(
            report=report, from_user=_user(by), from_label=_label(by), to_user=to_user, message=message[:500]
        )
        record(
            by,
            AuditAction.CREATE,
            thanks,
            summary=f"Bedankje bij verslag {report.number}",
            data={"to_user": getattr(to_user, "pk", None)},
        )
        notify(
            [to_user] if to_user is not None else people,
            kind=Notification.THANKS,
            title=_("Bedankt namens de politie (%(number)s)") % {"number": report.number},
            body=message,
            url=reverse("report_detail", args=[report.pk]),
            report=report,
        )
    return thanks


def mark_notifications_read(user: Any, *, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def already_sent(report: PoliceReport) -> dict[str, set[int]]:
    """The visits and tips the report and its supplements sent: {"visit": ids, "tip": ids}."""
    sent: dict[str, set[int]] = {"visit": set(), "tip": set()}
    for sources in [report.witness_sources, *report.supplements.values_list("witness_sources", flat=True)]:
        for source in (sources or {}).values():
            for kind in ("visit", "tip"):
                if kind in source:
                    sent[kind].add(int(source[kind]))
    return sent


def pending_supplement(report: PoliceReport) -> Consolidation:
    """What a supplement would send now: approved visits and tips no earlier report or supplement sent."""
    return loader.load(report.incident, report.canvass, exclude=already_sent(report))


def submit_supplement(report: PoliceReport, *, by: Any) -> ReportSupplement:
    """Send the late statements (nagekomen bezoeken) to the police as an addition to the report."""
    if report.incident.is_final or report.status == ReportStatus.CLOSED:
        raise ValidationError(_("Deze zaak is afgesloten; er kan geen aanvulling meer bij."))
    consolidation = pending_supplement(report)
    if not consolidation.statements and not consolidation.tips:
        raise ValidationError(
            _("Er zijn geen nieuwe goedgekeurde bezoeken of tips. Beoordeel eerst de nagekomen bezoeken.")
        )
    scored = quality.score(consolidation)
    with transaction.atomic():
        # Lock the report so two coordinators clicking at once do not send the same visits twice.
        locked = PoliceReport.objects.select_for_update().get(pk=report.pk)
        number = (locked.supplements.aggregate(n=models.Max("number"))["n"] or 0) + 1
        supplement = ReportSupplement.objects.create(
            report=locked,
            number=number,
            submitted_by=_user(by),
            statement_count=len(consolidation.statements),
            witness_sources=loader.witness_sources(consolidation),
        )
        document = build_document(
            incident=report.incident,
            consolidation=consolidation,
            quality=scored,
            number=supplement.label,
            submitted_at=supplement.submitted_at,
            submitted_by=by,
            unit_name=report.unit.name,
        )
        document["supplement"] = {
            "number": number,
            "label": supplement.label,
            "report_number": report.number,
            "report_submitted_at": report.submitted_at.isoformat(),
        }
        supplement.document = document
        supplement.save(update_fields=["document"])
        record(
            by,
            AuditAction.CREATE,
            supplement,
            summary=f"Aanvulling {supplement.label} verstuurd naar {report.unit}",
            data={"report": report.pk, "statements": len(consolidation.statements), "tips": len(consolidation.tips)},
        )
        url = reverse("supplement_detail", args=[report.pk, number])
        title = _("Aanvulling op verslag %(number)s: nagekomen bezoeken") % {"number": report.number}
        body = _("%(team)s stuurde %(n)d nagekomen verklaring(en) en %(tips)d tip(s).") % {
            "team": report.incident.team.name,
            "n": len(consolidation.statements),
            "tips": len(consolidation.tips),
        }
        notify(police_of(report), kind=Notification.REPORT_SUBMITTED, title=title, body=body, url=url, report=report)
        notify(
            participants(report),
            kind=Notification.REPORT_STATUS,
            title=title,
            body=body,
            url=reverse("report_detail", args=[report.pk]),
            report=report,
        )
        supplement_id = supplement.pk
        transaction.on_commit(lambda: queue_supplement_pdf(supplement_id))
    return supplement


def queue_supplement_pdf(supplement_id: int) -> None:
    from buurtonderzoek.handoff.tasks import generate_supplement_pdf

    ReportSupplement.objects.filter(pk=supplement_id).update(pdf_status=PdfStatus.PENDING, pdf_progress=0, pdf_error="")
    generate_supplement_pdf.enqueue(supplement_id)


def receive_supplement(supplement: ReportSupplement, *, by: Any) -> ReportSupplement:
    """The police mark a supplement received; the inbox stops showing it as new."""
    if supplement.received_at is not None:
        return supplement
    with transaction.atomic():
        supplement.received_at = timezone.now()
        supplement.save(update_fields=["received_at"])
        record(by, AuditAction.UPDATE, supplement, summary=f"Aanvulling {supplement.label} ontvangen")
    return supplement
