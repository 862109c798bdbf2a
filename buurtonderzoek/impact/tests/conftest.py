"""Impact fixtures on top of the shared personas: a table in Demodorp with gert (gemeente), petra
(politie) and alice (buurtpreventie) seated, six buurten, and a helper that writes a wave's stored
aggregates (ResultCell) from generated per-respondent values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from buurtonderzoek.accounts.tests.factories import BuurtFactory, WijkFactory
from buurtonderzoek.impact import actions
from buurtonderzoek.impact.models import Action, EffectKind, PartnerTable
from buurtonderzoek.monitor.models import ResultCell, Source, Wave, WaveBuurt
from buurtonderzoek.monitor.tests.conftest import give_totp
from buurtonderzoek.places.models import Buurt
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World


@dataclass
class ImpactWorld:
    world: World
    buurten: list[Buurt]
    table: PartnerTable


@pytest.fixture
def iworld(world: World) -> ImpactWorld:
    wijk = WijkFactory.create(gemeente=world.gemeente, name="Wijk Noord")
    # Not "Buurt N": the World's own buurten are named so by a factory sequence, and two buurten with
    # one name in a gemeente made the journey test check the wrong box.
    buurten = [BuurtFactory.create(wijk=wijk, name=f"Noordbuurt {i}") for i in range(1, 7)]
    for user in (world.gert, world.petra):
        give_totp(user)
    table = actions.create_table(world.gemeente, by=world.gert, name="Driehoek Noord")
    actions.add_member(table, by=world.gert, user=world.petra, role="wijkagent")
    actions.add_member(table, by=world.gert, user=world.alice, role="coördinator")
    return ImpactWorld(world, buurten, table)


def propose(iw: ImpactWorld, *, size: float = 5.0, key: str = "unsafe_buurt", **extra: object) -> Action:
    today = timezone.localdate()
    values: dict[str, object] = {
        "title": "Samen de buurt rond",
        "buurten": iw.buurten[:2],
        "problem": "Veel mensen voelen zich onveilig in de buurt.",
        "plan": "Elke week een avondronde met de wijkagent.",
        "starts_on": today - timedelta(days=200),
        "ends_on": today - timedelta(days=60),
        "effects": [{"kind": EffectKind.INDICATOR, "key": key, "direction": "down", "size": size}],
    }
    values.update(extra)
    return actions.propose_action(iw.table, by=iw.world.gert, **values)  # type: ignore[arg-type]


def agree_all(iw: ImpactWorld, action: Action) -> None:
    for user in (iw.world.gert, iw.world.petra, iw.world.alice):
        actions.check_triangle(
            action,
            by=user,
            worth="Grip op onveiligheid",
            shows_how="Monitorcijfer",
            value_score=4,
            quality_score=4,
            binding_score=4,
            agrees=True,
        )
    actions.transition_action(action, to="in_overleg", by=iw.world.gert)
    actions.transition_action(action, to="afgesproken", by=iw.world.gert)


@pytest.fixture
def version(db: None) -> QuestionnaireVersion:
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug="communitymonitor").exists():
        load_standard_questionnaires()
    return QuestionnaireVersion.objects.latest_published("communitymonitor")


StoreWave = Callable[..., Wave]


@pytest.fixture
def store_wave(version: QuestionnaireVersion) -> StoreWave:
    """A closed wave whose invited cells hold the moments of the given values per buurt."""

    def store(
        gemeente_id: int,
        name: str,
        starts_on: date,
        ends_on: date,
        values: dict[int, dict[str, Sequence[float]]],
        *,
        households: int = 0,
    ) -> Wave:
        wave = Wave.objects.create(
            gemeente_id=gemeente_id, name=name, starts_on=starts_on, ends_on=ends_on, version=version
        )
        for buurt_id, per_key in values.items():
            WaveBuurt.objects.create(wave=wave, buurt_id=buurt_id, households=households)
            respondents = max(len(v) for v in per_key.values())
            moments = {k: [len(v), float(sum(v)), float(sum(x * x for x in v))] for k, v in per_key.items()}
            ResultCell.objects.create(
                wave=wave, buurt_id=buurt_id, source=Source.INVITED, respondents=respondents, moments=moments
            )
        return wave

    return store


@pytest.fixture
def iw(iworld: ImpactWorld) -> ImpactWorld:
    return iworld
