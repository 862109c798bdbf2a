"""Telling witnesses who asked for it what came of the canvass (DOMAIN.md section 4: "would you like
to hear the outcome?").

The message is deliberately general: the type of incident, the street, the outcome the police chose
and thanks. No details of the investigation, no other witnesses. Each report tells its witnesses
once; the addresses used are the ones the witness gave for this purpose.
"""

from __future__ import annotations

from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome


def outcome_addresses(report: PoliceReport) -> list[str]:
    visit_ids = [src["visit"] for src in report.witness_sources.values() if isinstance(src, dict) and src.get("visit")]
    found: list[str] = []
    for answers in DoorVisit.objects.filter(pk__in=visit_ids).values_list("answers", flat=True):
        if not isinstance(answers, dict) or answers.get("wants_outcome") != "ja":
            continue
        email = str(answers.get("outcome_email") or "")
        if not email and answers.get("contact_consent") == "ja":
            email = str(answers.get("contact_email") or "")
        if email and email not in found:
            found.append(email)
    return found


def email_outcome_to_witnesses(report: PoliceReport) -> int:
    if not report.outcome or report.witnesses_told_at is not None:
        return 0
    addresses = outcome_addresses(report)
    place = report.incident.address
    street = place.street if place is not None else ""
    subject = _("Uitkomst van het buurtonderzoek")
    where = _(" aan de %(street)s") % {"street": street} if street else ""
    body = "\n\n".join(
        [
            _("U gaf aan te willen horen wat er uit het buurtonderzoek naar de %(type)s%(where)s is gekomen.")
            % {"type": report.incident.get_incident_type_display(), "where": where},
            _("De politie meldt: %(outcome)s.") % {"outcome": ReportOutcome(report.outcome).label},
            _("Dank voor uw hulp. U krijgt hierover geen berichten meer; uw e-mailadres wordt na afloop verwijderd."),
        ]
    )
    with get_connection() as connection:
        for address in addresses:
            send_mail(subject, body, None, [address], connection=connection)
    with transaction.atomic():
        PoliceReport.objects.filter(pk=report.pk).update(witnesses_told_at=timezone.now())
        if addresses:
            record(
                None,
                AuditAction.UPDATE,
                report,
                summary=f"Uitkomst van verslag {report.number} gemaild aan {len(addresses)} getuige(n)",
            )
    return len(addresses)
