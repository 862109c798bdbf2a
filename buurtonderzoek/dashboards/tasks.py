"""Background work for the dashboards (django-tasks): the grip roll-up and the weekly digest. Printable
documents (value report, certificates) are background jobs of the jobs app."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from buurtonderzoek.core.mail import retrying_mail


@task()
def refresh_grip_figures(gemeente_id: int) -> int:
    """Bring a gemeente's roll-ups up to date: the monthly figures per buurt for the grip pages
    (grip.refresh_area_months), the door visits per walker and day for team health
    (walkers.refresh_walker_days) and then, from those, each team's health (health.refresh_team_health).
    Returns the rows written."""
    from buurtonderzoek.dashboards.grip import refresh_area_months
    from buurtonderzoek.dashboards.health import refresh_team_health
    from buurtonderzoek.dashboards.walkers import refresh_walker_days
    from buurtonderzoek.places.models import Gemeente

    gemeente = Gemeente.objects.filter(pk=gemeente_id).first()
    if gemeente is None:
        return 0
    return refresh_area_months(gemeente) + refresh_walker_days(gemeente) + refresh_team_health(gemeente)


@task()
@retrying_mail("wekelijkse samenvatting")
def send_digest_email(user_id: int) -> bool:
    """Build and send one subscriber's weekly digest; mark it sent so a rerun skips them this week."""
    from django.core.mail import send_mail

    from buurtonderzoek.accounts.models import User
    from buurtonderzoek.dashboards.digest import build_digest, render_digest
    from buurtonderzoek.dashboards.models import DigestSubscription

    user = User.objects.filter(pk=user_id, is_active=True).first()
    digest = build_digest(user) if user else None
    if user is None or digest is None:
        return False
    subject, body = render_digest(digest)
    send_mail(subject, body, None, [user.email])
    DigestSubscription.objects.filter(user=user).update(last_sent_at=timezone.now())
    return True
