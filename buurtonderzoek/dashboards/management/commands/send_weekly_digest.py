"""Send the weekly digest to everyone who asked for it (run weekly, e.g. Monday at 07:00)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtonderzoek.dashboards.digest import due_subscriptions
from buurtonderzoek.dashboards.tasks import send_digest_email


class Command(BaseCommand):
    help = "Queue the weekly digest e-mail for every subscriber not mailed in the last six days."

    def handle(self, *args: Any, **options: Any) -> None:
        users = due_subscriptions()
        for user_id in users:
            send_digest_email.enqueue(user_id)
        self.stdout.write(f"{len(users)} samenvattingen in de wachtrij gezet")
