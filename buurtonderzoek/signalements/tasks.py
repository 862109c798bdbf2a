"""Background work for spreading: alert and afloop e-mails, confirmation e-mails, expiry."""

from __future__ import annotations

from django_tasks import task


@task()
def send_alert_emails(alert_id: int, kind: str) -> int:
    from buurtonderzoek.signalements.mailing import send_alert_emails as send

    return send(alert_id, kind)


@task()
def send_confirmation_email(subscription_id: int) -> bool:
    from buurtonderzoek.signalements.mailing import send_confirmation

    return send_confirmation(subscription_id)


@task()
def expire_alerts_task() -> int:
    from buurtonderzoek.signalements.actions import expire_due_alerts

    return expire_due_alerts()
