from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.xlsform import export_xlsform


class Command(BaseCommand):
    help = _("Exporteert een vragenlijst als XLSForm (voor ODK Collect en KoboCollect).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help=_("code van de vragenlijst, bijvoorbeeld buurtonderzoek"))
        parser.add_argument("file", help=_("het .xlsx-bestand om te schrijven"))
        parser.add_argument("--number", type=int, help=_("versienummer (standaard: de nieuwste gepubliceerde)"))

    def handle(self, *args: Any, **options: Any) -> None:
        versions = QuestionnaireVersion.objects.filter(questionnaire__slug=options["slug"]).select_related(
            "questionnaire"
        )
        try:
            if options["number"]:
                version = versions.get(number=options["number"])
            else:
                version = QuestionnaireVersion.objects.latest_published(options["slug"])
        except QuestionnaireVersion.DoesNotExist:
            raise CommandError(
                _("Geen (gepubliceerde) versie gevonden van vragenlijst '%(slug)s'.") % {"slug": options["slug"]}
            ) from None
        export_xlsform(version, options["file"])
        self.stdout.write(_("%(version)s geschreven naar %(file)s") % {"version": version, "file": options["file"]})
