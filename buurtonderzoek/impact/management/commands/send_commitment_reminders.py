"""Remind partners of commitments due within three days (each commitment once). Schedule it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtonderzoek.impact.actions import send_commitment_reminders


class Command(BaseCommand):
    help = "Herinner deelnemers aan toezeggingen die binnen drie dagen klaar moeten zijn (elk één keer)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_commitment_reminders()
        self.stdout.write(f"{sent} herinnering(en) verstuurd")
