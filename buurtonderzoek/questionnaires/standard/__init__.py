"""The standard questionnaires that ship with the product, and their idempotent loader.

`load_standard_questionnaires()` makes sure each standard questionnaire exists and that its
newest published version has exactly the schema in code. If so it does nothing; if the schema in
code changed, it publishes it as the next version (old answers keep their old version). The data
migration calls it with the migration's historical models; the management command
`load_standard_questionnaires` calls it with the real ones (and records audit events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.standard import canvass, monitor


@dataclass(frozen=True)
class Standard:
    slug: str
    title: str
    purpose: str
    description: str
    schema: Callable[[], dict[str, Any]]


STANDARD: tuple[Standard, ...] = (
    Standard(
        canvass.SLUG,
        canvass.TITLE,
        "canvass",
        "De standaardvragenlijst voor een burger buurtonderzoek aan de deur.",
        canvass.schema,
    ),
    Standard(
        monitor.SLUG,
        monitor.TITLE,
        "monitor",
        "Veiligheid en veiligheidsgevoel per buurt, volgens de CBS Veiligheidsmonitor.",
        monitor.schema,
    ),
)


@dataclass(frozen=True)
class LoadResult:
    slug: str
    number: int
    created: bool


def load_standard_questionnaires(apps: Any = None, *, by: Any = None) -> list[LoadResult]:
    """Publish every standard schema that is not yet the newest published version. Idempotent."""
    registry = apps or global_apps
    questionnaire_model = registry.get_model("questionnaires", "Questionnaire")
    version_model = registry.get_model("questionnaires", "QuestionnaireVersion")
    results: list[LoadResult] = []
    with transaction.atomic():
        for standard in STANDARD:
            schema = standard.schema()
            engine.parse(schema)  # never publish a broken standard
            questionnaire, _created = questionnaire_model.objects.get_or_create(
                slug=standard.slug,
                defaults={"title": standard.title, "purpose": standard.purpose, "description": standard.description},
            )
            latest = (
                version_model.objects.filter(questionnaire=questionnaire, status="published")
                .order_by("-number")
                .first()
            )
            if latest is not None and latest.schema == schema:
                results.append(LoadResult(standard.slug, latest.number, created=False))
                continue
            number = (
                version_model.objects.filter(questionnaire=questionnaire).aggregate(n=Max("number"))["n"] or 0
            ) + 1
            version = version_model.objects.create(
                questionnaire=questionnaire,
                number=number,
                schema=schema,
                status="published",
                published_at=timezone.now(),
                source="standaard",
                notes="Standaardvragenlijst, geladen door load_standard_questionnaires.",
            )
            if apps is None:
                from buurtonderzoek.core.audit import record
                from buurtonderzoek.core.models import AuditAction

                record(
                    by,
                    AuditAction.CREATE,
                    version,
                    summary=f"Standaardvragenlijst {standard.slug} versie {number} gepubliceerd",
                )
            results.append(LoadResult(standard.slug, number, created=True))
    return results
