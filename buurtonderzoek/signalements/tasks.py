"""Background work for spreading: alert and afloop e-mails, confirmation e-mails, expiry."""

from __future__ import annotations

from django_tasks import task

from buurtonderzoek.core.mail import retrying_mail


@task()
@retrying_mail("oproep of afloopbericht aan abonnees")
def send_alert_emails(alert_id: int, kind: str) -> int:
    from buurtonderzoek.signalements.mailing import send_alert_emails as send

    return send(alert_id, kind)


@task()
@retrying_mail("bevestiging van een aanmelding")
def send_confirmation_email(subscription_id: int) -> bool:
    from buurtonderzoek.signalements.mailing import send_confirmation

    return send_confirmation(subscription_id)


@task()
def expire_alerts_task() -> int:
    from buurtonderzoek.signalements.actions import expire_due_alerts

    return expire_due_alerts()
