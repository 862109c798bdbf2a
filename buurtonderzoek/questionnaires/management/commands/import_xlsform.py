from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from buurtonderzoek.questionnaires import actions
from buurtonderzoek.questionnaires.models import Purpose, Questionnaire
from buurtonderzoek.questionnaires.xlsform import XLSFormError, import_xlsform


class Command(BaseCommand):
    help = _(
        "Leest een XLSForm in als nieuwe conceptversie (form_id is de code van de vragenlijst). "
        "Publiceren gaat daarna via het beheer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("het .xls- of .xlsx-bestand"))
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help=_("lees het formulier ook in als er onderdelen niet worden overgenomen (zie de waarschuwingen)"),
        )
        parser.add_argument(
            "--purpose",
            choices=Purpose.values,
            default=Purpose.CANVASS,
            help=_("doel als de vragenlijst nog niet bestaat (standaard: canvass)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            result = import_xlsform(path)
        except XLSFormError as exc:
            raise CommandError(_("Het XLSForm kan niet worden ingelezen:") + "\n- " + "\n- ".join(exc.errors)) from None
        except OSError as exc:
            raise CommandError(
                _("%(path)s kan niet worden gelezen (%(error)s).") % {"path": path, "error": exc}
            ) from None
        except Exception as exc:  # openpyxl and zipfile raise many kinds; none deserves a traceback
            raise CommandError(
                _(
                    "%(path)s is geen leesbaar XLSForm-werkboek (%(error)s). Sla het op als Excel-werkmap (.xlsx; "
                    "het oude .xls-formaat wordt niet gelezen) en probeer het opnieuw."
                )
                % {"path": path, "error": str(exc) or type(exc).__name__}
            ) from None
        if result.warnings:
            self.stdout.write(_("Niet alles wordt overgenomen:") + "\n- " + "\n- ".join(result.warnings))
            if not options["accept_warnings"]:
                raise CommandError(
                    _(
                        "Niets ingelezen. Lees de waarschuwingen en draai opnieuw met --accept-warnings "
                        "als u akkoord bent."
                    )
                )
        if not re.fullmatch(r"[-a-zA-Z0-9_]+", result.form_id):
            raise CommandError(
                _("form_id '%(id)s' is geen geldige code: gebruik alleen letters, cijfers, - en _.")
                % {"id": result.form_id}
            )
        questionnaire = Questionnaire.objects.filter(slug=result.form_id).first()
        if questionnaire is None:
            questionnaire = actions.create_questionnaire(
                by=None, slug=result.form_id, title=result.title, purpose=options["purpose"]
            )
        version = actions.create_draft_version(
            questionnaire,
            by=None,
            schema=result.schema,
            source=f"XLSForm {path.name}" + (f" ({result.version})" if result.version else ""),
            notes="Ingelezen met import_xlsform.",
        )
        self.stdout.write(_("%(version)s aangemaakt als concept; publiceer hem in het beheer.") % {"version": version})
