"""In-app notifications with an e-mail copy: the recognition loop of DOMAIN.md section 7.

`notify` stores one `Notification` per user (in the caller's transaction) and, after the commit,
queues a background task that e-mails them. E-mails name no witnesses and carry no report content
beyond the title and the police's words to the team; the link leads to the page behind a login.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.canvass.models import DoorVisit, Route
from buurtonderzoek.handoff.models import Notification, PoliceReport


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    report: PoliceReport | None = None,
    email: bool = True,
) -> list[Notification]:
    unique = {u.pk: u for u in users if u is not None and getattr(u, "pk", None)}
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, title=title[:200], body=body[:2000], url=url[:300], report=report)
            for pk in sorted(unique)
        ]
    )
    if email and rows:
        # SQLite (3.35+) and PostgreSQL return the new ids from bulk_create.
        ids = [n.pk for n in rows]

        def enqueue() -> None:
            from buurtonderzoek.handoff.tasks import send_notification_emails

            send_notification_emails.enqueue(ids)

        transaction.on_commit(enqueue)
    return rows


def email_notifications(ids: list[int]) -> int:
    """Send the e-mail copy of these notifications (each at most once); returns the number sent."""
    pending = list(Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"))
    if not pending:
        return 0
    site = settings.SITE_URL.rstrip("/")
    sent = 0
    with get_connection() as connection:
        for note in pending:
            link = f"{site}{note.url}" if note.url else site
            body = "\n\n".join(
                part
                for part in (
                    note.body,
                    _("Bekijk het in Open Buurtonderzoek: %(link)s") % {"link": link},
                    _("U krijgt dit bericht omdat u meedeed aan dit buurtonderzoek of het verslag ontving."),
                )
                if part
            )
            send_mail(note.title, body, None, [note.user.email], connection=connection)
            # One by one: when the server fails halfway, the retry sends only the rest.
            Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def participants(report: PoliceReport) -> list[User]:
    """Everyone who took part: whoever recorded a visit or walked a route, the sender and the team's coordinators."""
    canvass = report.canvass
    ids: set[int] = set(
        DoorVisit.objects.filter(canvass=canvass, volunteer__isnull=False).values_list("volunteer_id", flat=True)
    )
    ids |= set(Route.objects.filter(canvass=canvass).values_list("members", flat=True).exclude(members=None))
    ids |= set(
        Membership.objects.filter(team=report.incident.team, role=Role.COORDINATOR).values_list("user_id", flat=True)
    )
    if report.submitted_by_id:
        ids.add(report.submitted_by_id)
    # Only people still in the team hear about it: someone who left no longer sees the report.
    members = set(
        Membership.objects.filter(
            team=report.incident.team, role__in=(Role.VOLUNTEER, Role.COORDINATOR), user_id__in=ids
        ).values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("pk"))


def police_of(report: PoliceReport) -> list[User]:
    return list(
        User.objects.filter(
            memberships__police_unit=report.unit_id, memberships__role=Role.POLICE, is_active=True
        ).distinct()
    )
