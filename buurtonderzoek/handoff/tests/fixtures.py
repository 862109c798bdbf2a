"""A canvass with door visits, built through the canvass app's own actions, for hand-off and spreading tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from buurtonderzoek.accounts.models import User
from buurtonderzoek.canvass.actions import plan_canvass, record_visit
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome, ReviewStatus, RouteStop
from buurtonderzoek.handoff.review import review_visit
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.models import Buurt
from buurtonderzoek.privacy.statement import current_version as current_privacy_version

WITNESS_NAME = "Johanna Verbeek"
WITNESS_PHONE = "06-12345678"
WITNESS_EMAIL = "johanna.verbeek@example.nl"


def person(**extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "behaviour": "Trok aan de deurklinken van geparkeerde auto's",
        "gender": "man",
        "age_range": {"min": 20, "max": 30},
        "height": {"min": 170, "max": 175},
        "build": "slank",
        "top_type": "hoodie",
        "top_colour": "zwart",
        "trousers": "grijze trainingsbroek",
        "shoes": "witte sneakers",
        "first_seen": "22:40",
        "transport": "te_voet",
        "person_direction": "richting het park",
        "provenance": "eigen_waarneming",
        "certainty": "zeker",
    }
    block.update(extra)
    return block


def vehicle(**extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "vehicle_type": "auto",
        "plate": "XJ-..-4",
        "make_model": "Volkswagen Golf",
        "vehicle_colour": "grijs",
        "vehicle_time": "22:50",
        "vehicle_direction": "richting de snelweg",
        "vehicle_provenance": "eigen_waarneming",
        "vehicle_certainty": "redelijk_zeker",
    }
    block.update(extra)
    return block


def answers(
    *,
    persons: list[dict[str, Any]] | None = None,
    vehicles: list[dict[str, Any]] | None = None,
    camera: dict[str, Any] | None = None,
    contact: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    seen = bool(persons or vehicles)
    data: dict[str, Any] = {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "ja",
        "privacy_notice_version": current_privacy_version(),
        "present": "ja",
        "seen_anything": "ja" if seen else "nee",
        "has_camera": "nee",
        "contact_consent": "nee",
    }
    if seen:
        data.update(
            {"what": "Zag iemand bij de auto's rondlopen", "what_time": "22:45", "persons_count": len(persons or [])}
        )
        if persons:
            data["persons"] = persons
        data["vehicles_seen"] = "ja" if vehicles else "nee"
        if vehicles:
            data["vehicles"] = vehicles
    if camera is not None:
        data.update({"has_camera": "ja", **camera})
    if contact:
        data.update(
            {
                "contact_consent": "ja",
                "contact_name": WITNESS_NAME,
                "contact_method": "telefoon",
                "contact_phone": WITNESS_PHONE,
                "wants_outcome": "ja",
            }
        )
    data.update(extra)
    return data


@dataclass
class CanvassSetup:
    incident: Incident
    canvass: Canvass
    stops: list[RouteStop]
    visits: list[DoorVisit] = field(default_factory=list)

    def visit(
        self,
        volunteer: User,
        *,
        outcome: str = Outcome.GESPROKEN,
        data: dict[str, Any] | None = None,
        index: int | None = None,
        minutes: int = 0,
    ) -> DoorVisit:
        stop = self.stops[index if index is not None else len(self.visits)]
        visit, _created = record_visit(
            self.canvass,
            by=volunteer,
            client_uuid=uuid.uuid4(),
            address_id=stop.address_id,
            outcome=outcome,
            visited_at=timezone.now() - timedelta(hours=2) + timedelta(minutes=minutes),
            answers=data if outcome == Outcome.GESPROKEN else None,
        )
        self.visits.append(visit)
        return visit


def setup_canvass(incident: Incident, *, by: User, radius_m: int = 60) -> CanvassSetup:
    canvass = plan_canvass(incident, by=by, route_count=1, radius_m=radius_m)
    stops = list(RouteStop.objects.filter(canvass=canvass).select_related("address").order_by("order"))
    return CanvassSetup(incident=incident, canvass=canvass, stops=stops)


def approve(visits: list[DoorVisit], *, by: User) -> None:
    for visit in visits:
        review_visit(visit, by=by, status=ReviewStatus.APPROVED)


def standard_canvass(incident: Incident, *, coordinator: User, volunteer: User) -> CanvassSetup:
    """Three witnesses who describe one man (one of them differs on his length), a car with a partial and a full
    kenteken, two cameras, a witness who consented to contact, and a door where nobody was home."""
    setup = setup_canvass(incident, by=coordinator)
    setup.visit(volunteer, data=answers(persons=[person()], vehicles=[vehicle()], contact=True))
    setup.visit(
        volunteer,
        data=answers(
            persons=[person(height={"min": 180, "max": 180})],
            camera={
                "camera_view": ["straat"],
                "camera_direction": "naar het noorden",
                "camera_retention_days": 3,
                "camera_share": "ja",
            },
        ),
        minutes=5,
    )
    setup.visit(
        volunteer,
        data=answers(
            persons=[person(height={"min": 172, "max": 175}, first_seen="22:45")],
            vehicles=[vehicle(plate="XJ-123-4", vehicle_colour="donkergrijs")],
            camera={"camera_view": ["oprit"], "camera_retention_days": 30, "camera_share": "weet_niet"},
        ),
        minutes=10,
    )
    setup.visit(volunteer, outcome=Outcome.NIET_THUIS, minutes=15)
    approve([v for v in setup.visits if v.outcome == Outcome.GESPROKEN], by=coordinator)
    return setup


def buurt_of(incident: Incident) -> Buurt:
    buurt = incident.team.buurten.first()
    assert buurt is not None
    return buurt
