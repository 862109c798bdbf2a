"""Reviewing door visits before they count, and correcting them afterwards.

The coordinator reviews each spoken visit: received -> has issues / approved / rejected, with a
comment when something is wrong. The review fields live on `canvass.DoorVisit`; the write itself is
`canvass.actions.review_visit`, and this module adds what the hand-off needs around it: only spoken
visits are reviewed, and the volunteer who recorded the visit is told when it needs attention.

`correct_visit` is the volunteer's side: they see the comment, fix the answers, and the visit goes
back to "received" for another look. Answers are checked by the questionnaire engine exactly as at
the door.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from buurtonderzoek.canvass import actions as canvass_actions
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.models import Notification, PoliceReport
from buurtonderzoek.handoff.notifications import notify
from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

CANVASS_QUESTIONNAIRE = "buurtonderzoek"
NEEDS_ATTENTION = (ReviewStatus.HAS_ISSUES, ReviewStatus.REJECTED)


def review_visit(visit: DoorVisit, *, by: Any, status: str, comment: str = "") -> DoorVisit:
    if visit.outcome != Outcome.GESPROKEN:
        raise ValidationError(_("Alleen gesprekken worden beoordeeld; bij deze deur is niemand gesproken."))
    with transaction.atomic():
        visit = canvass_actions.review_visit(visit, by=by, status=status, comment=comment)
        if status in NEEDS_ATTENTION and visit.volunteer is not None and visit.volunteer != by:
            incident_id = visit.canvass.incident_id
            notify(
                [visit.volunteer],
                kind=Notification.REVIEW,
                title=_("Uw deurbezoek aan %(address)s heeft aandacht nodig") % {"address": visit.address},
                body=visit.review_comment,
                url=reverse("my_visits", args=[incident_id]),
            )
    return visit


def version_for(visit: DoorVisit) -> QuestionnaireVersion:
    if visit.questionnaire_version_id is not None:
        version = QuestionnaireVersion.objects.get(pk=visit.questionnaire_version_id)
        return version
    return QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)


def engine_context(visit: DoorVisit) -> dict[str, Any]:
    return {
        "incident_type": visit.canvass.incident.incident_type,
        "privacy_notice_version": str(visit.answers.get("privacy_notice_version", "")) if visit.answers else "",
    }


def can_correct(visit: DoorVisit, user: Any) -> bool:
    if visit.outcome != Outcome.GESPROKEN:
        return False
    report = PoliceReport.objects.filter(canvass_id=visit.canvass_id).first()
    if report is not None:
        from buurtonderzoek.handoff.actions import already_sent

        # A late visit can be corrected until a supplement sends it.
        if visit.pk in already_sent(report)["visit"]:
            return False
    return bool(getattr(user, "is_superuser", False)) or visit.volunteer_id == getattr(user, "pk", None)


def correct_visit(visit: DoorVisit, *, by: Any, answers: dict[str, Any]) -> DoorVisit:
    """The volunteer's corrected answers; the visit goes back to 'received' for the coordinator."""
    if not can_correct(visit, by):
        raise ValidationError(
            _("Dit bezoek kan niet meer worden aangepast: het is niet van u, of het verslag is al verstuurd.")
        )
    version = version_for(visit)
    cleaned, errors = engine.check(version.schema, answers, engine_context(visit))
    if errors:
        raise ValidationError({f"answers.{path}": messages for path, messages in errors.items()})
    with transaction.atomic():
        before = visit.review_status
        visit.answers = dict(cleaned)
        visit.questionnaire_version = version
        visit.review_status = ReviewStatus.RECEIVED
        visit.save(update_fields=["answers", "questionnaire_version", "review_status", "updated_at"])
        # Field names, not values: the answers may hold contact details.
        record(
            by,
            AuditAction.UPDATE,
            visit,
            summary=f"Deurbezoek gecorrigeerd na beoordeling ({before})",
            data={"fields": sorted(cleaned)},
        )
    return visit
