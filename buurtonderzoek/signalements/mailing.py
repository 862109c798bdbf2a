"""E-mails to residents: the confirmation link (double opt-in), the alert and its afloopbericht.

Each alert e-mail goes to every confirmed subscription of the alert's buurt and gemeente, once
(`AlertDelivery` is unique per alert, subscription and kind, and a retry skips what was sent). The
afloopbericht goes to the subscriptions that received the alert and are still there. Every message
carries a one-click unsubscribe link, also as List-Unsubscribe headers (RFC 8058).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from buurtonderzoek.signalements.actions import public_url
from buurtonderzoek.signalements.models import Alert, AlertDelivery, AlertStatus, Subscription


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(subscription: Subscription) -> str:
    return _site(reverse("subscription_unsubscribe", args=[subscription.pk, subscription.token]))


def confirm_url(subscription: Subscription) -> str:
    return _site(reverse("subscription_confirm", args=[subscription.pk, subscription.token]))


def _message(subscription: Subscription, subject: str, body: str) -> EmailMessage:
    url = unsubscribe_url(subscription)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_confirmation(subscription_id: int) -> bool:
    subscription = Subscription.objects.select_related("buurt", "gemeente").filter(pk=subscription_id).first()
    if subscription is None or subscription.confirmed_at is not None:
        return False
    with translation.override(subscription.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            "signalements/email/confirm.txt",
            {
                "subscription": subscription,
                "confirm_url": confirm_url(subscription),
                "days": settings.SUBSCRIPTION_CONFIRM_DAYS,
            },
        )
        subject = render_to_string("signalements/email/confirm_subject.txt", {"subscription": subscription})
    _message(subscription, subject, body).send()
    return True


def send_alert_emails(alert_id: int, kind: str) -> int:
    alert = Alert.objects.select_related("buurt", "gemeente", "incident").get(pk=alert_id)
    if kind == AlertDelivery.ALERT:
        if alert.status != AlertStatus.PUBLISHED:
            return 0
        recipients = Subscription.objects.for_area(buurt=alert.buurt, gemeente=alert.gemeente)
    else:
        if not alert.has_ended:
            return 0
        recipients = Subscription.objects.confirmed().filter(
            deliveries__alert=alert, deliveries__kind=AlertDelivery.ALERT, deliveries__sent_at__isnull=False
        )
    done = set(
        AlertDelivery.objects.filter(alert=alert, kind=kind, sent_at__isnull=False).values_list(
            "subscription_id", flat=True
        )
    )
    sent = 0
    template = "signalements/email/alert.txt" if kind == AlertDelivery.ALERT else "signalements/email/outcome.txt"
    with get_connection() as connection:
        for subscription in (
            recipients.exclude(pk__in=done).select_related("buurt", "gemeente").distinct().order_by("pk")
        ):
            delivery, _created = AlertDelivery.objects.get_or_create(alert=alert, subscription=subscription, kind=kind)
            if delivery.sent_at is not None:
                continue
            with translation.override(subscription.language or settings.LANGUAGE_CODE):
                context = {
                    "alert": alert,
                    "subscription": subscription,
                    "public_url": public_url(alert),
                    "unsubscribe_url": unsubscribe_url(subscription),
                }
                body = render_to_string(template, context)
                subject = render_to_string("signalements/email/subject.txt", {**context, "kind": kind})
            message = _message(subscription, subject, body)
            message.connection = connection
            message.send()
            AlertDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
            sent += 1
    return sent
