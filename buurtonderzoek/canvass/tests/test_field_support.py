"""Shared set-up for the field app tests (no tests here): a planned canvass with two walking routes.

Route 1 is walked by bob, route 2 by vera (another volunteer of the team); alice coordinates the
team. The standard canvass questionnaire is the published one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from django.utils import timezone

from buurtonderzoek.accounts.models import Role, User
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE, assign_route_members, plan_canvass
from buurtonderzoek.canvass.models import Canvass, Route, RouteStop
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World

# The shortest answer set the standard questionnaire accepts for a spoken visit.
SPOKEN_NOTHING_SEEN = {
    "respondent_type": "bewoner",
    "privacy_notice_shown": "nee",
    "present": "ja",
    "seen_anything": "nee",
    "has_camera": "nee",
    "contact_consent": "nee",
}
# A person block that passes the anti-profiling rules: behaviour first, two concrete details.
PERSON = {
    "behaviour": "Trok aan de deurklinken van geparkeerde auto's",
    "gender": "man",
    "top_type": "hoodie",
    "top_colour": "grijs",
    "shoes": "witte sneakers",
    "provenance": "eigen_waarneming",
    "certainty": "redelijk_zeker",
}
SPOKEN_WITH_PERSON = {
    **SPOKEN_NOTHING_SEEN,
    "seen_anything": "ja",
    "what": "Iemand liep langs de auto's en voelde aan de portieren",
    "persons_count": 1,
    "persons": [PERSON],
    "vehicles_seen": "nee",
}


@dataclass
class Field:
    world: World
    incident: Incident
    canvass: Canvass
    route: Route  # bob's
    other_route: Route  # vera's
    vera: User
    version: QuestionnaireVersion

    @property
    def stops(self) -> list[RouteStop]:
        return list(self.route.stops.order_by("order"))

    def visit(self, stop: RouteStop | None = None, **extra: Any) -> dict[str, Any]:
        """One visit as the phone sends it."""
        stop = stop or self.stops[0]
        visited_at: datetime = extra.pop("visited_at", timezone.now() - timedelta(minutes=5))
        data: dict[str, Any] = {
            "client_uuid": str(uuid4()),
            "canvass": self.canvass.pk,
            "address": stop.address_id,
            "stop": stop.pk,
            "outcome": "niet_thuis",
            "visited_at": visited_at.isoformat(),
        }
        data.update(extra)
        if data["outcome"] == "gesproken":
            data.setdefault("answers", SPOKEN_NOTHING_SEEN)
            data.setdefault("questionnaire_version", self.version.pk)
        return data


def make_field(world: World, incident: Incident) -> Field:
    canvass = plan_canvass(incident, by=world.alice, route_count=2, radius_m=60)
    route, other = list(canvass.routes.order_by("number"))
    vera = MembershipFactory.create(user__email="vera@example.nl", role=Role.VOLUNTEER, team=world.team).user
    assign_route_members(route, by=world.alice, members=[world.bob])
    assign_route_members(other, by=world.alice, members=[vera])
    # Browser tests run on a flushed database, without what the data migrations loaded.
    load_standard_questionnaires()
    version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    return Field(world, incident, canvass, route, other, vera, version)
