from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandParser

from buurtonderzoek.dashboards.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, build_demo


class Command(BaseCommand):
    help = "Laadt de demodata (gemeente Lindenhoven, teams, politie, gebruikers per rol). Veilig om te herhalen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--totp", action="store_true", help="Toon alleen de huidige 2FA-code van de demo.")

    def handle(self, *args: Any, totp: bool = False, **options: Any) -> None:
        if totp:
            self.stdout.write(current_totp_code())
            return
        gemeente = build_demo(progress=True)
        self.stdout.write(self.style.SUCCESS(f"Demodata geladen: gemeente {gemeente} ({gemeente.code})."))
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000 en log in met een van deze accounts:")
        width = max(len(u.email) for u in DEMO_USERS)
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.email.ljust(width)}  {role_label(demo.role)}")
        self.stdout.write(f"Wachtwoord voor alle demo-accounts: {DEMO_PASSWORD}")
        self.stdout.write(
            "Politie, gemeente en beheerder gebruiken tweestapsverificatie. "
            "Zet deze sleutel in een authenticator-app:\n"
            f"  {DEMO_TOTP_SECRET}\n"
            "of vraag de code van dit moment op met: make demo-code"
        )


def role_label(role: str) -> str:
    return {
        "coordinator": "teamcoördinator",
        "volunteer": "buurtpreventielid",
        "police": "politie (2FA)",
        "municipal": "gemeente (2FA)",
        "admin": "beheerder (2FA)",
    }[role]


def current_totp_code() -> str:
    counter = int(time.time()) // 30  # allauth's default TOTP period
    return str(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
