"""Demo data for the canvass: one burglary with a planned canvass, routes walked in part, a tip.

`seed_demo_canvass(team, by=coordinator)` is what the lead's `manage.py demo` calls after the town
(Lindenhoven) and the teams exist. It goes through the same actions as the pages do (register,
plan, assign, record visits, submit a tip), so the demo shows what real use leaves behind: an
incident with its history, a coverage map in colours, a revisit list and a tip. Idempotent: a team
that already has the demo incident keeps it.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from buurtonderzoek.accounts.models import Membership, Role, Team
from buurtonderzoek.canvass.actions import (
    CANVASS_QUESTIONNAIRE,
    assign_route_members,
    plan_canvass,
    record_visit,
    submit_tip,
    suggested_route_count,
)
from buurtonderzoek.canvass.models import Canvass, Outcome, RouteStop
from buurtonderzoek.incidents.actions import register_incident
from buurtonderzoek.incidents.models import Incident, IncidentType
from buurtonderzoek.places.models import Address
from buurtonderzoek.places.queries import ids_within_radius

DEMO_DESCRIPTION = "Inbraak via de achterdeur tussen 02:00 en 04:30; laptop en sieraden weggenomen. (demo)"
DEMO_RADIUS_M = 150
# How doors answer on a weekday evening, roughly: a third not home.
OUTCOME_WEIGHTS = [
    (Outcome.GESPROKEN, 45),
    (Outcome.NIET_THUIS, 30),
    (Outcome.BRIEFJE, 10),
    (Outcome.LATER_TERUG, 10),
    (Outcome.WIL_NIET, 5),
]


def seed_demo_canvass(team: Team, *, by: Any, seed: int = 1) -> Canvass:
    """One incident of `team` with a planned canvass, assigned routes, some visits and a tip."""
    existing = Incident.objects.filter(team=team, description=DEMO_DESCRIPTION).first()
    if existing is not None:
        canvass = existing.canvasses.order_by("-id").first()
        if canvass is not None:
            return canvass
    rng = random.Random(seed)
    victim = _victim_address(team, rng)
    now = timezone.localtime()
    start = (now - timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
    incident = existing or register_incident(
        team,
        by=by,
        incident_type=IncidentType.WONINGINBRAAK,
        occurred_from=start,
        occurred_until=start + timedelta(hours=2, minutes=30),
        description=DEMO_DESCRIPTION,
        victim_consent=True,
        address=victim,
        police_registration_number=f"PL0900-{now.year}{rng.randint(100000, 999999)}",
    )
    walkers = list(
        Membership.objects.filter(team=team, role__in=(Role.VOLUNTEER, Role.COORDINATOR))
        .select_related("user")
        .order_by("role", "user__email")
    )
    doors = len(ids_within_radius(victim.x, victim.y, DEMO_RADIUS_M)) - 1
    routes = max(2, min(suggested_route_count(doors), max(1, len(walkers) // 2)))
    canvass = plan_canvass(incident, by=by, route_count=routes, radius_m=DEMO_RADIUS_M)

    users = [m.user for m in walkers]
    route_list = list(canvass.routes.order_by("number"))
    for index, route in enumerate(route_list):
        if users:
            pair = [users[(2 * index) % len(users)], users[(2 * index + 1) % len(users)]]
            assign_route_members(route, by=by, members=pair)

    # The first two routes are under way: most of route 1, half of route 2.
    version = _questionnaire()
    visited_at = now - timedelta(hours=3)
    for route, share in zip(route_list[:2], (0.8, 0.5), strict=False):
        walkers_here = list(route.members.all()) or [by]
        stops = list(RouteStop.objects.filter(route=route).order_by("order"))
        for stop in stops[: int(len(stops) * share)]:
            visited_at += timedelta(minutes=rng.randint(2, 6))
            outcome = rng.choices([o for o, _w in OUTCOME_WEIGHTS], weights=[w for _o, w in OUTCOME_WEIGHTS])[0]
            _visit(canvass, stop, walkers_here[0], outcome, min(visited_at, timezone.now()), version, rng)
    submit_tip(
        incident,
        text="Rond kwart over drie zag ik een man met een zwarte capuchon en een grote sporttas richting het park "
        "lopen. Hij keek steeds om zich heen. (demo)",
    )
    return canvass


def _victim_address(team: Team, rng: random.Random) -> Address:
    """An address in the team's area with plenty of neighbours: a canvass worth walking."""
    codes = list(team.buurten.values_list("code", flat=True))
    candidates = Address.objects.filter(gemeente_code=team.gemeente.code)
    ids = list(candidates.filter(buurt_code__in=codes).order_by("pk").values_list("pk", flat=True)) if codes else []
    if not ids:
        ids = list(candidates.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ValidationError(
            f"Gemeente {team.gemeente} heeft nog geen adressen; importeer of genereer ze eerst (demo)."
        )
    sample = [Address.objects.get(pk=pk) for pk in rng.sample(ids, min(25, len(ids)))]
    return max(sample, key=lambda a: (len(ids_within_radius(a.x, a.y, DEMO_RADIUS_M)), -a.pk))


def _questionnaire() -> Any:
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    try:
        return QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    except QuestionnaireVersion.DoesNotExist:
        return None


def _visit(
    canvass: Canvass, stop: RouteStop, walker: Any, outcome: str, at: Any, version: Any, rng: random.Random
) -> None:
    answers: dict[str, Any] | None = {}
    if outcome == Outcome.GESPROKEN:
        answers = (
            demo_answers(version.schema, {"incident_type": canvass.incident.incident_type}, rng) if version else {}
        )
        if version is None or answers is None:
            # Without a questionnaire to answer the demo records a revisit instead.
            outcome, answers = Outcome.LATER_TERUG, {}
    record_visit(
        canvass,
        by=walker,
        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        address_id=stop.address_id,
        outcome=outcome,
        visited_at=at,
        answers=answers or None,
        questionnaire_version=version if outcome == Outcome.GESPROKEN else None,
    )


def demo_answers(schema: dict[str, Any], context: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    """A short, valid answer set: fill what the engine asks for, mostly "nee" so skip logic stays short.

    Works from the engine's own errors rather than from question ids, so it keeps working when the
    standard questionnaire gains or renames questions. None when no valid set was found.
    """
    from buurtonderzoek.questionnaires import engine

    parsed = engine.parse(schema)
    answers: dict[str, Any] = {}
    saw_something = rng.random() < 0.25
    for _round in range(30):
        _cleaned, errors = engine.check(parsed, answers, context)
        missing = [path for path in errors if "." not in path and path not in answers and path in parsed.questions]
        if not errors:
            return answers
        if not missing:
            return None
        for qid in missing:
            answers[qid] = _default(parsed.questions[qid], saw_something, context)
    return None


def _default(question: Any, saw_something: bool, context: dict[str, Any]) -> Any:
    kind = question.type
    values = list(question.choice_values)
    if kind == "single":
        if "nee" in values and "ja" in values:
            return "ja" if saw_something and question.id == "seen_anything" else "nee"
        return "weet_niet" if "weet_niet" in values else values[0]
    if kind == "multiple":
        return values[:1]
    if kind == "number":
        return question.min if question.min is not None else 0
    if kind == "range":
        low = question.min if question.min is not None else 0
        return {"min": low, "max": low}
    if kind == "scale":
        return int(question.min) if question.min is not None else 1
    if kind == "time":
        return "03:15"
    if kind == "date":
        return timezone.localdate().isoformat()
    if kind == "point":
        return {"lat": context.get("lat", 52.1), "lon": context.get("lon", 5.1)}
    if kind == "repeat":
        return []
    return "Een man met een zwarte capuchon en een sporttas liep snel richting het park. (demo)"
