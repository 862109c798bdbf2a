"""Every write to alerts and subscriptions: atomic, audited, following `ALERT_TRANSITIONS`.

The spreading flow (DOMAIN.md sections 3.7 and 5):

1. `compose_alert`: the coordinator picks a consolidated signalement; the anti-profiling block check
   runs on the merged description and the system drafts the text (`drafting.draft_text`).
2. `update_alert` / `submit_alert`: every save and the submission check the text again
   (`drafting.check_text`): no house numbers, names, contact data, images, small figures or origin
   labels.
3. `approve_alert` (police of a unit covering the gemeente) publishes it for ALERT_DAYS and, after the
   commit, e-mails the confirmed subscribers of the buurt and the gemeente; `return_alert` sends it
   back with a reason.
4. `withdraw_alert` (with an afloopbericht) or `expire_alert` (daily, `manage.py expire_alerts`) end
   it; the afloopbericht replaces the alert on the page and in the feeds and is e-mailed to everyone
   who received the alert and is still subscribed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.handoff.models import Notification
from buurtonderzoek.handoff.notifications import notify
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.places.models import Address, Buurt, Gemeente
from buurtonderzoek.questionnaires.profiling import check_person_block
from buurtonderzoek.signalements import drafting, loader
from buurtonderzoek.signalements.consolidation import PERSON
from buurtonderzoek.signalements.models import (
    ALERT_TRANSITIONS,
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertStatus,
    Subscription,
)

NEARBY_M = 200


def tip_url(incident: Incident) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tip_form", args=[incident.public_token])


def public_url(alert: Alert) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("alert_public", args=[alert.public_token])


def default_buurt(incident: Incident) -> Buurt | None:
    """The buurt of the incident's address, else of the nearest address, else the team's first buurt."""
    code = incident.address.buurt_code if incident.address is not None else ""
    if not code:
        nearby = (
            Address.objects.within_radius(incident.x, incident.y, NEARBY_M)
            .exclude(buurt_code="")
            .order_by("distance_sq")
            .values_list("buurt_code", flat=True)
            .first()
        )
        code = nearby or ""
    buurt = Buurt.objects.filter(code=code).first() if code else None
    return buurt or incident.team.buurten.order_by("code").first()


def place_for(incident: Incident, buurt: Buurt | None) -> drafting.Place:
    address = incident.address
    return drafting.Place(
        street=address.street if address is not None else "",
        buurt=buurt.name if buurt is not None else "",
        woonplaats=address.woonplaats if address is not None else incident.team.gemeente.name,
    )


def witness_names(incident: Incident) -> list[str]:
    """Names witnesses gave (with consent) and names on tips: the alert may mention none of them."""
    names = [
        str(answers.get("contact_name"))
        for answers in DoorVisit.objects.filter(canvass__incident=incident).values_list("answers", flat=True)
        if isinstance(answers, dict) and answers.get("contact_name")
    ]
    names += [n for n in incident.tips.exclude(contact_name="").values_list("contact_name", flat=True)]
    return names


def canvass_streets(incident: Incident) -> list[str]:
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    if canvass is None:
        return [incident.address.street] if incident.address is not None else []
    return sorted(set(canvass.stops.values_list("street", flat=True)))


def text_errors(incident: Incident, text: str) -> list[str]:
    return drafting.check_text(
        text, tip_url=tip_url(incident), witness_names=witness_names(incident), streets=canvass_streets(incident)
    )


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _transition(alert: Alert, *, to: str, by: Any, note: str = "", **fields: Any) -> AlertEvent:
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    if to not in ALERT_TRANSITIONS.get(current.status, frozenset()):
        raise ValidationError(
            _("Een oproep met status '%(from)s' kan niet naar '%(to)s'.")
            % {"from": current.get_status_display(), "to": AlertStatus(to).label}
        )
    event = AlertEvent.objects.create(
        alert=current,
        from_status=current.status,
        to_status=to,
        by=_user(by),
        by_label=(str(by) if _user(by) else "systeem")[:254],
        note=note[:500],
    )
    fields["status"] = to
    for key, value in fields.items():
        setattr(alert, key, value)
    alert.save(update_fields=[*fields, "updated_at"])
    record(
        by,
        AuditAction.UPDATE,
        alert,
        summary=f"Oproep {alert.pk}: {event.from_status} -> {to}",
        data={"from": event.from_status, "to": to, "note": note[:200]},
    )
    return event


def compose_alert(incident: Incident, *, by: Any, signalement_ref: str, buurt: Buurt | None = None) -> Alert:
    """A draft alert for one consolidated signalement, with the system's text."""
    if incident.status == IncidentStatus.CANCELLED:
        raise ValidationError(_("Bij een geannuleerd incident hoort geen oproep."))
    canvass = Canvass.objects.filter(incident=incident).order_by("-id").first()
    if canvass is None:
        raise ValidationError(_("Er is nog geen buurtonderzoek, dus ook geen signalement."))
    consolidation = loader.load(incident, canvass)
    signalement = consolidation.signalement(signalement_ref)
    if signalement is None:
        raise ValidationError(_("Dit signalement bestaat niet (meer). Kies er een uit de lijst."))
    problems = drafting.check_signalement(signalement)
    if problems:
        raise ValidationError(problems)
    buurt = buurt or default_buurt(incident)
    place = place_for(incident, buurt)
    label = incident.get_incident_type_display()
    with transaction.atomic():
        alert = Alert.objects.create(
            incident=incident,
            signalement_ref=signalement.ref,
            kind=signalement.kind,
            description=signalement.merged(),
            title=drafting.draft_title(incident_type_label=label, place=place)[:160],
            text=drafting.draft_text(
                signalement,
                incident_type_label=label,
                occurred_from=incident.occurred_from,
                occurred_until=incident.occurred_until,
                place=place,
                tip_url=tip_url(incident),
            ),
            buurt=buurt,
            gemeente=incident.team.gemeente,
            created_by=_user(by),
        )
        AlertEvent.objects.create(
            alert=alert, from_status="", to_status=AlertStatus.DRAFT, by=_user(by), by_label=str(by)[:254]
        )
        record(
            by, AuditAction.CREATE, alert, summary=f"Oproep opgesteld voor {signalement.ref} (incident {incident.pk})"
        )
    return alert


def update_alert(alert: Alert, *, by: Any, title: str, text: str, buurt: Buurt | None) -> Alert:
    if not alert.is_editable:
        raise ValidationError(_("Deze oproep kan niet meer worden aangepast."))
    errors = text_errors(alert.incident, text)
    if not title.strip():
        errors.insert(0, _("Geef de oproep een titel."))
    if errors:
        raise ValidationError(errors)
    if buurt is not None and buurt.gemeente_id != alert.gemeente_id:
        raise ValidationError(_("Deze buurt ligt niet in de gemeente van het team."))
    with transaction.atomic():
        alert.title = title.strip()[:160]
        alert.text = text.strip()
        alert.buurt = buurt
        alert.save(update_fields=["title", "text", "buurt", "updated_at"])
        record(by, AuditAction.UPDATE, alert, summary=f"Oproep {alert.pk} aangepast")
    return alert


def _police_for(gemeente: Gemeente) -> list[User]:
    return list(
        User.objects.filter(
            memberships__role=Role.POLICE, memberships__police_unit__gemeenten=gemeente, is_active=True
        ).distinct()
    )


def submit_alert(alert: Alert, *, by: Any) -> Alert:
    errors = text_errors(alert.incident, alert.text)
    if alert.kind == PERSON:
        errors += check_person_block(alert.description)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _transition(alert, to=AlertStatus.SUBMITTED, by=by, submitted_at=timezone.now(), return_reason="")
        notify(
            _police_for(alert.gemeente),
            kind=Notification.ALERT,
            title=_("Oproep wacht op uw goedkeuring: %(title)s") % {"title": alert.title},
            body=alert.text,
            url=reverse("alert_manage", args=[alert.pk]),
        )
    return alert


def _require_police(alert: Alert, by: Any) -> None:
    if getattr(by, "is_superuser", False):
        return
    if not Membership.objects.filter(user=by, role=Role.POLICE, police_unit__gemeenten=alert.gemeente_id).exists():
        raise ValidationError(_("Alleen de politie in dit gebied beoordeelt oproepen."))


def _coordinators(alert: Alert) -> list[User]:
    return list(
        User.objects.filter(
            memberships__team=alert.incident.team_id, memberships__role=Role.COORDINATOR, is_active=True
        )
    )


def approve_alert(alert: Alert, *, by: Any, now: datetime | None = None) -> Alert:
    _require_police(alert, by)
    # The checks again: what the police approve is exactly what goes out.
    errors = text_errors(alert.incident, alert.text)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        _transition(
            alert,
            to=AlertStatus.PUBLISHED,
            by=by,
            decided_by=_user(by),
            decided_at=now,
            published_at=now,
            expires_at=now + timedelta(days=settings.ALERT_DAYS),
        )
        notify(
            _coordinators(alert),
            kind=Notification.ALERT,
            title=_("Oproep goedgekeurd en gepubliceerd: %(title)s") % {"title": alert.title},
            url=reverse("alert_manage", args=[alert.pk]),
        )
        alert_id = alert.pk
        transaction.on_commit(lambda: _queue_emails(alert_id, AlertDelivery.ALERT))
    return alert


def return_alert(alert: Alert, *, by: Any, reason: str) -> Alert:
    _require_police(alert, by)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Schrijf erbij waarom de oproep terug moet, zodat het team hem kan verbeteren.")}
        )
    with transaction.atomic():
        _transition(
            alert,
            to=AlertStatus.RETURNED,
            by=by,
            note=reason,
            return_reason=reason.strip()[:500],
            decided_by=_user(by),
            decided_at=timezone.now(),
        )
        notify(
            _coordinators(alert),
            kind=Notification.ALERT,
            title=_("Oproep teruggestuurd door de politie: %(title)s") % {"title": alert.title},
            body=reason,
            url=reverse("alert_manage", args=[alert.pk]),
        )
    return alert


def discard_alert(alert: Alert, *, by: Any) -> Alert:
    with transaction.atomic():
        _transition(alert, to=AlertStatus.DISCARDED, by=by)
    return alert


def default_outcome_text(alert: Alert) -> str:
    return _(
        "Deze oproep is afgelopen. Dank aan iedereen die heeft meegekeken en tips heeft gegeven. "
        "Weet u nog iets over deze zaak? Bel de politie op 0900-8844."
    )


def withdraw_alert(alert: Alert, *, by: Any, outcome_text: str) -> Alert:
    if not outcome_text.strip():
        raise ValidationError({"outcome_text": _("Schrijf een afloopbericht: wat is er van de oproep gekomen?")})
    problems = drafting.check_text(
        outcome_text + " " + tip_url(alert.incident),
        tip_url=tip_url(alert.incident),
        witness_names=witness_names(alert.incident),
        streets=canvass_streets(alert.incident),
    )
    if problems:
        raise ValidationError(problems)
    return _end(alert, to=AlertStatus.WITHDRAWN, by=by, outcome_text=outcome_text.strip())


def expire_alert(alert: Alert, *, by: Any = None, outcome_text: str = "") -> Alert:
    return _end(alert, to=AlertStatus.EXPIRED, by=by, outcome_text=outcome_text.strip() or default_outcome_text(alert))


def _end(alert: Alert, *, to: str, by: Any, outcome_text: str) -> Alert:
    with transaction.atomic():
        _transition(alert, to=to, by=by, ended_at=timezone.now(), ended_by=_user(by), outcome_text=outcome_text[:1000])
        alert_id = alert.pk
        transaction.on_commit(lambda: _queue_emails(alert_id, AlertDelivery.OUTCOME))
    return alert


def expire_due_alerts(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for alert in Alert.objects.filter(status=AlertStatus.PUBLISHED, expires_at__lte=now).select_related("incident"):
        try:
            expire_alert(alert)
        except ValidationError:
            # Ended by hand (withdrawn) between the query and its lock: that ending stands, and the other
            # alerts of this run still expire.
            continue
        count += 1
    return count


def _queue_emails(alert_id: int, kind: str) -> None:
    from buurtonderzoek.signalements.tasks import send_alert_emails

    send_alert_emails.enqueue(alert_id, kind)


# --- subscriptions ---------------------------------------------------------------------------------


def subscribe(
    email: str, *, buurt: Buurt | None = None, gemeente: Gemeente | None = None, language: str = ""
) -> Subscription | None:
    """Register an address for one area and send the confirmation link; None when nothing had to be sent.

    The caller shows the same answer either way, so the form does not reveal who subscribed already.
    """
    if (buurt is None) == (gemeente is None):
        raise ValidationError(_("Kies één buurt of één gemeente."))
    email = email.strip().lower()
    area: dict[str, Any] = {"buurt": buurt} if buurt is not None else {"gemeente": gemeente}
    with transaction.atomic():
        existing = Subscription.objects.filter(email=email, **area).first()
        if existing is not None and existing.confirmed_at is not None:
            return None
        if existing is None:
            try:
                with transaction.atomic():
                    existing = Subscription.objects.create(email=email, language=language[:8], **area)
            except IntegrityError:
                return None
            record(None, AuditAction.CREATE, existing, summary=f"Aanmelding voor oproepen in {existing.area_label}")
        subscription_id = existing.pk
        transaction.on_commit(lambda: _queue_confirmation(subscription_id))
    return existing


def _queue_confirmation(subscription_id: int) -> None:
    from buurtonderzoek.signalements.tasks import send_confirmation_email

    send_confirmation_email.enqueue(subscription_id)


def confirm_subscription(subscription: Subscription) -> Subscription:
    if subscription.confirmed_at is None:
        with transaction.atomic():
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
            record(None, AuditAction.UPDATE, subscription, summary=f"Aanmelding #{subscription.pk} bevestigd")
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    """Delete the subscription and what was sent to it: nothing of the address stays behind."""
    with transaction.atomic():
        label, pk = subscription.area_label, subscription.pk
        subscription.delete()
        record(
            None,
            AuditAction.DELETE,
            object_type="signalements.Subscription",
            object_id=pk,
            summary=f"Afgemeld voor oproepen in {label}",
        )
