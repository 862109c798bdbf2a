"""Demo data for the hand-off: a finished canvass with its report in the police inbox, the police's
feedback, outcome and thanks, and a published alert on the buurt page.

`seed_demo_handoff(team, by=coordinator)` is meant for the lead's `manage.py demo`, after the town,
the teams and the police unit exist. It goes through the same actions as the pages (register, plan,
record visits, review, submit, the police's steps, compose and approve an alert), so the demo shows
what real use leaves behind. The PDFs are made right away (the demo runs without a task worker).
Idempotent: a team that already has the demo incident keeps it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from buurtonderzoek.accounts.models import Membership, Role, Team, User
from buurtonderzoek.canvass.actions import plan_canvass, record_visit
from buurtonderzoek.canvass.models import Outcome, ReviewStatus, RouteStop
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus
from buurtonderzoek.handoff.review import review_visit
from buurtonderzoek.handoff.tasks import generate_report_pdf
from buurtonderzoek.incidents.actions import register_incident
from buurtonderzoek.incidents.models import Incident, IncidentType
from buurtonderzoek.places.models import Address
from buurtonderzoek.privacy.statement import current_version as current_privacy_version
from buurtonderzoek.signalements import actions as alert_actions

DEMO_DESCRIPTION = "Drie auto's opengebroken in één nacht; navigatie en een laptoptas weg. (demo overdracht)"
RADIUS_M = 80


def _person(**extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "behaviour": "Liep langs de auto's en keek met een zaklamp naar binnen",
        "gender": "man",
        "age_range": {"min": 18, "max": 25},
        "height": {"min": 175, "max": 180},
        "build": "slank",
        "top_type": "trainingsjack",
        "top_colour": "donkerblauw",
        "top_print": "witte strepen op de mouwen",
        "trousers": "zwarte trainingsbroek",
        "shoes": "witte sneakers",
        "bag": "zwarte rugzak",
        "first_seen": "03:10",
        "transport": "scooter",
        "person_direction": "richting de rondweg",
        "provenance": "eigen_waarneming",
        "certainty": "redelijk_zeker",
    }
    block.update(extra)
    return block


def _answers(
    *, person: dict[str, Any] | None = None, plate: str = "", camera_days: int | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "ja",
        "privacy_notice_version": current_privacy_version(),
        "present": "ja",
        "seen_anything": "ja" if person or plate else "nee",
        "has_camera": "nee",
        "contact_consent": "nee",
    }
    if person or plate:
        data.update(
            {
                "what": "Hoorde een ruit breken en zag iemand weglopen",
                "what_time": "03:15",
                "persons_count": 1 if person else 0,
            }
        )
        if person:
            data["persons"] = [person]
        data["vehicles_seen"] = "ja" if plate else "nee"
        if plate:
            data["vehicles"] = [
                {
                    "vehicle_type": "scooter",
                    "plate": plate,
                    "make_model": "Piaggio Zip",
                    "vehicle_colour": "zwart",
                    "vehicle_time": "03:20",
                    "vehicle_direction": "richting de rondweg",
                    "vehicle_provenance": "eigen_waarneming",
                    "vehicle_certainty": "redelijk_zeker",
                }
            ]
    if camera_days is not None:
        data.update(
            {"has_camera": "ja", "camera_view": ["straat"], "camera_retention_days": camera_days, "camera_share": "ja"}
        )
    return data


def _police(team: Team) -> User | None:
    return (
        User.objects.filter(
            memberships__role=Role.POLICE, memberships__police_unit__gemeenten=team.gemeente_id, is_active=True
        )
        .order_by("pk")
        .first()
    )


def seed_demo_handoff(team: Team, *, by: Any) -> PoliceReport | None:
    """A reported canvass of `team` with the police's response and a published alert; None without police."""
    existing = PoliceReport.objects.filter(incident__team=team, incident__description=DEMO_DESCRIPTION).first()
    if existing is not None:
        return existing
    police = _police(team)
    if police is None:
        return None
    volunteer = (
        User.objects.filter(memberships__team=team, memberships__role=Role.VOLUNTEER).order_by("pk").first() or by
    )
    victim = Address.objects.filter(gemeente_code=team.gemeente.code).order_by("pk")[
        Address.objects.filter(gemeente_code=team.gemeente.code).count() // 3
    ]
    now = timezone.localtime()
    start = (now - timedelta(days=3)).replace(hour=2, minute=30, second=0, microsecond=0)
    incident: Incident = register_incident(
        team,
        by=by,
        incident_type=IncidentType.AUTOKRAAK,
        occurred_from=start,
        occurred_until=start + timedelta(hours=2),
        description=DEMO_DESCRIPTION,
        victim_consent=True,
        address=victim,
    )
    canvass = plan_canvass(incident, by=by, route_count=1, radius_m=RADIUS_M)
    stops = list(RouteStop.objects.filter(canvass=canvass).order_by("order")[:12])
    plans: list[tuple[str, dict[str, Any] | None]] = [
        (Outcome.GESPROKEN, _answers(person=_person(), plate="FD-..-K", camera_days=5)),
        (Outcome.GESPROKEN, _answers(person=_person(height={"min": 185, "max": 185}, top_colour="blauw"))),
        (Outcome.GESPROKEN, _answers(person=_person(first_seen="03:20"), plate="FDK-12-K")),
        (Outcome.GESPROKEN, _answers(camera_days=30)),
        (Outcome.GESPROKEN, _answers()),
        (Outcome.NIET_THUIS, None),
        (Outcome.BRIEFJE, None),
        (Outcome.WIL_NIET, None),
    ]
    visited = start + timedelta(hours=20)
    visits = []
    for n, (stop, (outcome, answers)) in enumerate(zip(stops, plans, strict=False)):
        visit, _created = record_visit(
            canvass,
            by=volunteer,
            client_uuid=uuid.uuid4(),
            address_id=stop.address_id,
            outcome=outcome,
            visited_at=visited + timedelta(minutes=6 * n),
            answers=answers,
        )
        visits.append(visit)
    for visit in visits:
        if visit.outcome == Outcome.GESPROKEN:
            review_visit(visit, by=by, status=ReviewStatus.APPROVED)
    report = actions.submit_report(incident, by=by)
    generate_report_pdf.call(report.pk)
    actions.transition_report(report, to=ReportStatus.RECEIVED, by=police)
    actions.transition_report(report, to=ReportStatus.IN_PROGRESS, by=police)
    actions.add_feedback(
        report,
        by=police,
        text="Het gedeeltelijke kenteken en de camera aan de straatkant hebben ons goed geholpen. Dank!",
    )
    actions.set_outcome(
        report,
        by=police,
        outcome="suspect_identified",
        note="De zaak loopt nog.",
        usefulness=4,
        helpful_parts=["signalement", "camera_leads"],
    )
    if volunteer != by:
        actions.thank(report, by=police, message="Sterk gesprek met de buurman die de scooter zag.", to_user=volunteer)
    actions.thank(report, by=police, message="Dank aan het hele team voor het snelle buurtonderzoek.")
    alert = alert_actions.compose_alert(incident, by=by, signalement_ref="P1")
    alert_actions.submit_alert(alert, by=by)
    alert_actions.approve_alert(alert, by=police)
    return report


def coordinator_of(team: Team) -> User | None:
    membership = Membership.objects.filter(team=team, role=Role.COORDINATOR).select_related("user").first()
    return membership.user if membership is not None else None
