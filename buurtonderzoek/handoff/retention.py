"""Retention (AVG, DOMAIN.md section 8): personal data removed on schedule, the removal recorded.

Run daily by `manage.py apply_retention` (cron or a systemd timer, see docs/retention.md) or the
`apply_retention_task` background task. Every step is idempotent: a second run finds nothing left and
records nothing.

1. Witness contact data, RETENTION_CONTACT_DAYS (90) after the case closed (incident closed or
   cancelled): the contact answers of door visits (name, method, phone, e-mail, outcome e-mail) and
   the contact fields of tips are emptied; the police PDF of the report, which printed them, is
   rendered again without them. The JSON documents never held them.
2. Free text, RETENTION_FREE_TEXT_DAYS (365) after the case closed: every free-text answer of a
   visit (including inside person and vehicle blocks), the text of tips and the review comments are
   replaced by a pseudonym "[tekst verwijderd #1a2b3c4d]", a keyed hash of the text: identical texts
   keep identical pseudonyms, the words are gone. The stored report (and supplement) documents get the same
   replacement, and their PDFs are rendered again. Choices, numbers, times and ranges stay: they
   make the aggregates.
3. Subscriptions to alerts never confirmed within SUBSCRIPTION_CONFIRM_DAYS (7) are deleted.

Each step writes one audit event per incident saying what kind of data was removed from which
rows, never the data itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.models import PoliceReport, ReportSupplement, RetentionMark
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentTransition
from buurtonderzoek.questionnaires.engine import Schema, as_schema
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

CLOSING_STATUSES = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
CONTACT_ANSWERS = ("contact_name", "contact_method", "contact_phone", "contact_email", "outcome_email")
TIP_CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
PSEUDONYM = re.compile(r"^\[tekst verwijderd #[0-9a-f]{8}\]$")
MIN_REPLACE_LENGTH = 3


@dataclass
class RetentionResult:
    dry_run: bool = False
    contact_incidents: list[int] = field(default_factory=list)
    contact_visits: int = 0
    contact_tips: int = 0
    free_text_incidents: list[int] = field(default_factory=list)
    free_text_visits: int = 0
    free_text_tips: int = 0
    reports_rerendered: int = 0
    subscriptions_deleted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def anything(self) -> bool:
        return bool(
            self.contact_visits
            or self.contact_tips
            or self.free_text_visits
            or self.free_text_tips
            or self.subscriptions_deleted
        )


def pseudonym(text: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"retention:{text}".encode(), hashlib.sha256).hexdigest()[:8]
    return f"[tekst verwijderd #{digest}]"


def closed_before(cutoff: datetime) -> dict[int, datetime]:
    """Incidents closed or cancelled on or before `cutoff`: {incident id: when it closed}."""
    rows = (
        IncidentTransition.objects.filter(to_status__in=CLOSING_STATUSES, incident__status__in=CLOSING_STATUSES)
        .values("incident")
        .annotate(closed_at=Max("at"))
        .filter(closed_at__lte=cutoff)
    )
    return {row["incident"]: row["closed_at"] for row in rows}


# --- contact data ----------------------------------------------------------------------------------


def _strip_contacts(answers: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    removed = [key for key in CONTACT_ANSWERS if answers.get(key) not in (None, "")]
    return {k: v for k, v in answers.items() if k not in CONTACT_ANSWERS}, removed


# The one write path for removing contact data: retention and data-subject requests both call these.


def strip_visit_contacts(visits: QuerySet[DoorVisit], *, dry_run: bool = False) -> dict[int, list[str]]:
    """Remove the witness contact answers from these door visits; {visit id: answer keys removed}.

    The rows are locked first, so an answer arriving through a sync at the same moment is not lost.
    """
    changed: dict[int, list[str]] = {}
    for visit in visits.select_for_update(of=("self",)).only("id", "answers").order_by("pk"):
        answers = visit.answers if isinstance(visit.answers, dict) else {}
        stripped, removed = _strip_contacts(answers)
        if removed:
            changed[visit.pk] = removed
            if not dry_run:
                DoorVisit.objects.filter(pk=visit.pk).update(answers=stripped)
    return changed


def blank_tip_contacts(tips: QuerySet[Tip], *, dry_run: bool = False) -> list[int]:
    """Blank the contact fields of these tips; the ids of the tips that held any."""
    holding = tips.exclude(**dict.fromkeys(TIP_CONTACT_FIELDS, ""))
    tip_ids = list(holding.order_by("pk").values_list("id", flat=True))
    if tip_ids and not dry_run:
        Tip.objects.filter(pk__in=tip_ids).update(**dict.fromkeys(TIP_CONTACT_FIELDS, ""))
    return tip_ids


def remove_contacts(
    incident: Incident, *, closed_at: datetime, now: datetime, dry_run: bool = False
) -> tuple[int, int]:
    with transaction.atomic():
        stripped = strip_visit_contacts(DoorVisit.objects.filter(canvass__incident=incident), dry_run=dry_run)
        visits_changed = list(stripped)
        fields = {key for keys in stripped.values() for key in keys}
        tip_ids = blank_tip_contacts(Tip.objects.filter(incident=incident), dry_run=dry_run)
        if dry_run:
            return len(visits_changed), len(tip_ids)
        reports = list(PoliceReport.objects.filter(incident=incident).values_list("id", flat=True))
        PoliceReport.objects.filter(pk__in=reports).update(contacts_removed_at=now)
        RetentionMark.objects.update_or_create(incident=incident, defaults={"contacts_removed_at": now})
        if visits_changed or tip_ids:
            record(
                None,
                AuditAction.DELETE,
                incident,
                summary=f"Bewaartermijn: contactgegevens van getuigen verwijderd ({len(visits_changed)} bezoeken, "
                f"{len(tip_ids)} tips)",
                data={
                    "rule": "RETENTION_CONTACT_DAYS",
                    "days": settings.RETENTION_CONTACT_DAYS,
                    "closed_at": closed_at.isoformat(),
                    "visits": visits_changed,
                    "tips": tip_ids,
                    "fields": sorted(fields) + ([f"tip.{name}" for name in TIP_CONTACT_FIELDS] if tip_ids else []),
                    "reports_rerendered": reports,
                },
            )
            rerender_reports(reports)
    return len(visits_changed), len(tip_ids)


# --- free text -------------------------------------------------------------------------------------


class _TextFields:
    """Which answer ids are free text, per questionnaire version (parsed once)."""

    def __init__(self) -> None:
        self._by_version: dict[int | None, frozenset[str]] = {}

    def for_version(self, version_id: int | None) -> frozenset[str]:
        if version_id not in self._by_version:
            schema: Schema | None = None
            if version_id is not None:
                version = QuestionnaireVersion.objects.filter(pk=version_id).first()
                schema = as_schema(version.schema) if version is not None else None
            if schema is None:
                latest = (
                    QuestionnaireVersion.objects.filter(questionnaire__slug="buurtonderzoek")
                    .order_by("-number")
                    .first()
                )
                schema = as_schema(latest.schema) if latest is not None else None
            ids = (
                frozenset(
                    q.id for q in schema.iter_questions() if q.type == "text" and q.meta.get("personal") != "contact"
                )
                if schema is not None
                else frozenset()
            )
            self._by_version[version_id] = ids
        return self._by_version[version_id]


def _pseudonymise_value(value: Any, text_ids: frozenset[str], originals: set[str]) -> tuple[Any, bool]:
    """Answers (or a block) with free-text values replaced; collects the original strings."""
    if isinstance(value, dict):
        changed = False
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if key in text_ids and isinstance(inner, str) and inner.strip() and not PSEUDONYM.match(inner):
                originals.add(inner)
                out[key] = pseudonym(inner)
                changed = True
            elif isinstance(inner, list | dict):
                out[key], inner_changed = _pseudonymise_value(inner, text_ids, originals)
                changed = changed or inner_changed
            else:
                out[key] = inner
        return out, changed
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, item_changed = _pseudonymise_value(item, text_ids, originals)
            items.append(new)
            changed = changed or item_changed
        return items, changed
    return value, False


def _replace_in_document(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for original, token in replacements:
            if original in value:
                value = value.replace(original, token)
        return value
    if isinstance(value, list):
        return [_replace_in_document(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in_document(v, replacements) for k, v in value.items()}
    return value


def pseudonymise_free_text(
    incident: Incident, *, closed_at: datetime, now: datetime, text_fields: _TextFields, dry_run: bool = False
) -> tuple[int, int]:
    originals: set[str] = set()
    visits_changed: list[int] = []
    with transaction.atomic():
        for visit in (
            DoorVisit.objects.select_for_update()
            .filter(canvass__incident=incident)
            .only("id", "answers", "questionnaire_version_id", "review_comment")
        ):
            answers = visit.answers if isinstance(visit.answers, dict) else {}
            new, changed = _pseudonymise_value(
                answers, text_fields.for_version(visit.questionnaire_version_id), originals
            )
            comment = visit.review_comment
            if comment and not PSEUDONYM.match(comment):
                originals.add(comment)
                comment, changed = pseudonym(comment), True
            if changed:
                visits_changed.append(visit.pk)
                if not dry_run:
                    DoorVisit.objects.filter(pk=visit.pk).update(answers=new, review_comment=comment)
        tips = [t for t in Tip.objects.filter(incident=incident).only("id", "text") if not PSEUDONYM.match(t.text)]
        if dry_run:
            return len(visits_changed), len(tips)
        for tip in tips:
            originals.add(tip.text)
            Tip.objects.filter(pk=tip.pk).update(text=pseudonym(tip.text))
        reports = []
        # Longest first, so a text that contains another is replaced whole.
        replacements = sorted(
            ((o, pseudonym(o)) for o in originals if len(o.strip()) >= MIN_REPLACE_LENGTH), key=lambda r: -len(r[0])
        )
        for report in PoliceReport.objects.select_for_update().filter(incident=incident).only("id", "document"):
            document = _replace_in_document(report.document, replacements)
            if document != report.document:
                PoliceReport.objects.filter(pk=report.pk).update(document=document)
                reports.append(report.pk)
        supplements = []
        for supplement in ReportSupplement.objects.select_for_update().filter(report__incident=incident):
            document = _replace_in_document(supplement.document, replacements)
            if document != supplement.document:
                ReportSupplement.objects.filter(pk=supplement.pk).update(document=document)
                supplements.append(supplement.pk)
        RetentionMark.objects.update_or_create(incident=incident, defaults={"free_text_pseudonymised_at": now})
        if visits_changed or tips:
            record(
                None,
                AuditAction.UPDATE,
                incident,
                summary=f"Bewaartermijn: vrije tekst gepseudonimiseerd ({len(visits_changed)} bezoeken, "
                f"{len(tips)} tips)",
                data={
                    "rule": "RETENTION_FREE_TEXT_DAYS",
                    "days": settings.RETENTION_FREE_TEXT_DAYS,
                    "closed_at": closed_at.isoformat(),
                    "visits": visits_changed,
                    "tips": [t.pk for t in tips],
                    "reports": reports,
                },
            )
            rerender_reports(reports)
            for supplement_id in supplements:
                transaction.on_commit(partial(queue_supplement_pdf, supplement_id))
    return len(visits_changed), len(tips)


def queue_supplement_pdf(supplement_id: int) -> None:
    from buurtonderzoek.handoff.actions import queue_supplement_pdf as queue

    queue(supplement_id)


def rerender_reports(report_ids: Iterable[int]) -> None:
    """Make the police PDFs of these reports again (after commit), now without what was removed."""
    from buurtonderzoek.handoff.actions import queue_report_pdf

    for report_id in report_ids:
        transaction.on_commit(partial(queue_report_pdf, report_id))


# --- subscriptions ---------------------------------------------------------------------------------


def delete_unconfirmed_subscriptions(*, now: datetime, dry_run: bool = False) -> int:
    from buurtonderzoek.signalements.models import Subscription

    stale = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lte=now - timedelta(days=settings.SUBSCRIPTION_CONFIRM_DAYS)
    )
    count = stale.count()
    if count and not dry_run:
        with transaction.atomic():
            stale.delete()
            record(
                None,
                AuditAction.DELETE,
                object_type="signalements.Subscription",
                summary=f"Bewaartermijn: {count} onbevestigde aanmelding(en) voor oproepen verwijderd",
                data={"rule": "SUBSCRIPTION_CONFIRM_DAYS", "days": settings.SUBSCRIPTION_CONFIRM_DAYS, "count": count},
            )
    return count


# --- all together ----------------------------------------------------------------------------------


def apply_retention(*, now: datetime | None = None, dry_run: bool = False) -> RetentionResult:
    now = now or timezone.now()
    result = RetentionResult(dry_run=dry_run)
    contact_due = closed_before(now - timedelta(days=settings.RETENTION_CONTACT_DAYS))
    done = set(RetentionMark.objects.filter(contacts_removed_at__isnull=False).values_list("incident_id", flat=True))
    for incident in Incident.objects.filter(pk__in=set(contact_due) - done).order_by("pk"):
        visits, tips = remove_contacts(incident, closed_at=contact_due[incident.pk], now=now, dry_run=dry_run)
        result.contact_visits += visits
        result.contact_tips += tips
        if visits or tips:
            result.contact_incidents.append(incident.pk)
    text_due = closed_before(now - timedelta(days=settings.RETENTION_FREE_TEXT_DAYS))
    done = set(
        RetentionMark.objects.filter(free_text_pseudonymised_at__isnull=False).values_list("incident_id", flat=True)
    )
    text_fields = _TextFields()
    for incident in Incident.objects.filter(pk__in=set(text_due) - done).order_by("pk"):
        visits, tips = pseudonymise_free_text(
            incident, closed_at=text_due[incident.pk], now=now, text_fields=text_fields, dry_run=dry_run
        )
        result.free_text_visits += visits
        result.free_text_tips += tips
        if visits or tips:
            result.free_text_incidents.append(incident.pk)
    result.subscriptions_deleted = delete_unconfirmed_subscriptions(now=now, dry_run=dry_run)
    if not dry_run:
        result.reports_rerendered = PoliceReport.objects.filter(
            incident_id__in=[*result.contact_incidents, *result.free_text_incidents]
        ).count()
    return result
