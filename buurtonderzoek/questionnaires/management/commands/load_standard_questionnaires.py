from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from buurtonderzoek.questionnaires.standard import load_standard_questionnaires


class Command(BaseCommand):
    help = _("Publiceert de standaardvragenlijsten (buurtonderzoek, communitymonitor) als ze nog niet actueel zijn.")

    def handle(self, *args: Any, **options: Any) -> None:
        for result in load_standard_questionnaires():
            state = _("nieuw gepubliceerd") if result.created else _("al actueel")
            self.stdout.write(
                _("%(slug)s: versie %(number)s (%(state)s)")
                % {"slug": result.slug, "number": result.number, "state": state}
            )
