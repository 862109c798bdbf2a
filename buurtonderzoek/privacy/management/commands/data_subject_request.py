"""A data-subject request (AVG) from the command line: search, export to a file, or erase.

    manage.py data_subject_request search --reference ZAAK-12 --email iemand@example.nl
    manage.py data_subject_request export --reference ZAAK-12 --phone "06 1234 5678" --output verzoek.json
    manage.py data_subject_request erase  --reference ZAAK-12 --email iemand@example.nl [--no-input]

The same actions as the page /beheer/privacy/, recorded in the audit log under the reference.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import User
from buurtonderzoek.privacy.actions import erase_subject_data, export_subject_data, search_subject
from buurtonderzoek.privacy.matching import Subject
from buurtonderzoek.privacy.search import REMOVED_LABELS, describe, find


class Command(BaseCommand):
    help = (
        "Verzoek van een betrokkene (AVG): gegevens van een persoon opzoeken, exporteren naar een JSON-bestand of "
        "verwijderen, op e-mailadres en/of telefoonnummer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["search", "export", "erase"], help="zoeken, exporteren of verwijderen")
        parser.add_argument(
            "--reference", required=True, help="referentie van het verzoek, bijvoorbeeld het zaaknummer"
        )
        parser.add_argument("--email", default="", help="e-mailadres van de betrokkene")
        parser.add_argument("--phone", default="", help="telefoonnummer van de betrokkene")
        parser.add_argument("--name", default="", help="naam (alleen om mogelijke treffers te tonen)")
        parser.add_argument("--output", help="bestand voor de export (wordt niet overschreven)")
        parser.add_argument(
            "--operator", help="e-mailadres van de beheerder die het verzoek uitvoert (voor het auditlog)"
        )
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="verwijderen zonder om bevestiging te vragen"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subject = Subject.from_input(email=options["email"], phone=options["phone"], name=options["name"])
        if options["phone"] and not subject.phone:
            raise CommandError(
                _("Het telefoonnummer is ongeldig: gebruik cijfers, spaties, streepjes en een + vooraan.")
            )
        if options["email"] and not subject.email:
            raise CommandError(_("Het e-mailadres is ongeldig."))
        if not subject.is_searchable:
            raise CommandError(_("Geef --email of --phone op (of beide): daarop wordt gezocht."))
        by = self._operator(options.get("operator"))
        reference = options["reference"]
        try:
            if options["action"] == "search":
                self._search(subject, by=by, reference=reference)
            elif options["action"] == "export":
                self._export(subject, by=by, reference=reference, output=options.get("output"))
            else:
                self._erase(subject, by=by, reference=reference, interactive=options["interactive"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _operator(self, email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email.strip(), is_superuser=True, is_active=True).first()
        if user is None:
            raise CommandError(_("Geen actieve platformbeheerder met het e-mailadres %(email)s.") % {"email": email})
        return user

    def _search(self, subject: Subject, *, by: User | None, reference: str) -> None:
        kinds = describe(search_subject(subject, by=by, reference=reference))
        if not kinds:
            self.stdout.write(_("Niets gevonden op dit e-mailadres of telefoonnummer."))
        treatments = {"erase": _("wordt verwijderd"), "keep": _("blijft bewaard"), "check": _("zelf controleren")}
        for kind in kinds:
            self.stdout.write(f"{kind.label}: {kind.count} ({treatments[kind.treatment]})")
            if kind.note:
                self.stdout.write(f"  {kind.note}")
            for line in kind.descriptions:
                self.stdout.write(f"  - {line}")

    def _export(self, subject: Subject, *, by: User | None, reference: str, output: str | None) -> None:
        if not output:
            raise CommandError(_("Geef met --output het bestand op waarin de export komt."))
        path = Path(output)
        if path.exists():
            raise CommandError(_("%(path)s bestaat al; kies een nieuw bestand.") % {"path": path})
        document = export_subject_data(subject, by=by, reference=reference)
        # Only the operator may read the file: it holds personal data.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
        self.stdout.write(_("Export geschreven naar %(path)s.") % {"path": path})

    def _erase(self, subject: Subject, *, by: User | None, reference: str, interactive: bool) -> None:
        if interactive:
            kinds = [kind for kind in describe(find(subject)) if kind.treatment == "erase"]
            for kind in kinds:
                self.stdout.write(f"{kind.label}: {kind.count}")
            answer = input(_("Dit kan niet ongedaan worden gemaakt. Typ de referentie ter bevestiging: "))
            if " ".join(answer.split()) != " ".join(reference.split()):
                raise CommandError(_("De referentie komt niet overeen; er is niets verwijderd."))
        result = erase_subject_data(subject, by=by, reference=reference)
        if not result.anything:
            self.stdout.write(_("Er was niets (meer) te verwijderen."))
            return
        for key, count in result.removed.items():
            if count:
                self.stdout.write(f"{REMOVED_LABELS[key]}: {count}")
        self.stdout.write(_("Verzoek %(reference)s uitgevoerd.") % {"reference": result.reference})
