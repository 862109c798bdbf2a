"""From the database to a `Consolidation`: the visits, tips and coverage of one canvass.

Four queries whatever the size of the canvass: the planned doors (a count), every visit's
(address, outcome, review status, time) as plain tuples for the coverage, the approved spoken visits
with their addresses for the statements, and the tips. The questionnaire schema (for labels) is the
newest version any statement answered.

Witnesses are numbered G1, G2, ... in the order they were spoken to; tips T1, T2, ... in the order
they arrived.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from buurtonderzoek.canvass.coverage import door_states
from buurtonderzoek.canvass.models import REVISIT_OUTCOMES, Canvass, DoorVisit, Outcome, ReviewStatus, RouteStop, Tip
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.questionnaires.engine import Schema
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.signalements.consolidation import (
    Consolidation,
    CoverageFigures,
    Statement,
    TipNote,
    consolidate,
)

PENDING_REVIEW = (ReviewStatus.RECEIVED, ReviewStatus.HAS_ISSUES)


def coverage_figures(canvass: Canvass) -> CoverageFigures:
    planned = RouteStop.objects.filter(canvass=canvass).count() or canvass.door_count
    rows = list(
        DoorVisit.objects.filter(canvass=canvass)
        .order_by("visited_at", "id")
        .values_list("address_id", "outcome", "review_status", "visited_at")
    )
    states = door_states((address_id, outcome) for address_id, outcome, _review, _at in rows)
    spoken_reviews = [review for _a, outcome, review, _at in rows if outcome == Outcome.GESPROKEN]
    return CoverageFigures(
        doors_planned=planned,
        doors_visited=len(states),
        doors_spoken=sum(1 for s in states.values() if s == Outcome.GESPROKEN),
        doors_revisit=sum(1 for s in states.values() if s in REVISIT_OUTCOMES),
        visits=len(rows),
        statements_approved=sum(1 for r in spoken_reviews if r == ReviewStatus.APPROVED),
        statements_pending=sum(1 for r in spoken_reviews if r in PENDING_REVIEW),
        statements_rejected=sum(1 for r in spoken_reviews if r == ReviewStatus.REJECTED),
        first_visit_at=rows[0][3] if rows else None,
    )


def approved_visits(canvass: Canvass) -> list[DoorVisit]:
    return list(
        DoorVisit.objects.filter(canvass=canvass, outcome=Outcome.GESPROKEN, review_status=ReviewStatus.APPROVED)
        .select_related("address")
        .only(
            "id",
            "visited_at",
            "answers",
            "questionnaire_version_id",
            "address__id",
            "address__street",
            "address__huisnummer",
            "address__huisletter",
            "address__toevoeging",
            "address__x",
            "address__y",
        )
        .order_by("visited_at", "id")
    )


def statements_for(visits: list[DoorVisit]) -> list[Statement]:
    return [
        Statement(
            ref=f"G{n}",
            answers=visit.answers if isinstance(visit.answers, dict) else {},
            visit_id=visit.pk,
            address_id=visit.address_id,
            address_label=f"{visit.address.street} {visit.address.house_number_label}",
            street=visit.address.street,
            x=visit.address.x,
            y=visit.address.y,
            visited_at=visit.visited_at,
        )
        for n, visit in enumerate(visits, start=1)
    ]


def tips_for(incident: Incident) -> list[tuple[Tip, TipNote]]:
    tips = list(Tip.objects.filter(incident=incident).only("id", "text", "created_at").order_by("created_at", "id"))
    return [
        (tip, TipNote(ref=f"T{n}", text=tip.text, received_at=tip.created_at, tip_id=tip.pk))
        for n, tip in enumerate(tips, start=1)
    ]


def schema_for(visits: list[DoorVisit]) -> Schema | None:
    version_ids = {v.questionnaire_version_id for v in visits if v.questionnaire_version_id}
    if not version_ids:
        return None
    version = QuestionnaireVersion.objects.filter(pk__in=version_ids).order_by("-number").first()
    return version.parsed if version is not None else None


def load(
    incident: Incident,
    canvass: Canvass,
    *,
    now: datetime | None = None,
    exclude: dict[str, set[int]] | None = None,
) -> Consolidation:
    """The consolidation of the approved visits and the tips.

    `exclude` ({"visit": ids, "tip": ids}) leaves out what an earlier report already sent: a supplement
    consolidates only what came in later. Coverage is always that of the whole canvass.
    """
    skip = exclude or {}
    visits = [v for v in approved_visits(canvass) if v.pk not in skip.get("visit", set())]
    tips = [note for tip, note in tips_for(incident) if tip.pk not in skip.get("tip", set())]
    return consolidate(
        statements_for(visits),
        occurred_from=incident.occurred_from,
        occurred_until=incident.occurred_until,
        now=now or timezone.now(),
        schema=schema_for(visits),
        tips=tips,
        coverage=coverage_figures(canvass),
    )


def witness_sources(consolidation: Consolidation) -> dict[str, Any]:
    """{ref: {"visit": id}} and {ref: {"tip": id}}: how a report finds contact details later."""
    sources: dict[str, Any] = {st.ref: {"visit": st.visit_id} for st in consolidation.statements}
    sources.update({tip.ref: {"tip": tip.tip_id} for tip in consolidation.tips})
    return sources
