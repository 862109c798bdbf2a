"""Migration 0007 places the pulse answers that existed before it exactly where the read-time rule had them.

Before 0007 the groups (canvass x buurt x wave) and blocks were derived when reading: the first
floor(n/10)*10 answers of a group in id order, and per indicator the first floor(m/10)*10 of those
with a value. The migration freezes that state, so no figure changes on the day it runs.
"""

from __future__ import annotations

import importlib
import random
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import F

from buurtonderzoek.monitor.actions import record_pulse
from buurtonderzoek.monitor.models import PulseGroup, Response, Source
from buurtonderzoek.monitor.pulse_blocks import has_value, released_scores
from buurtonderzoek.monitor.statistics import MIN_CELL
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import canvass as canvass_standard
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

migration = importlib.import_module("buurtonderzoek.monitor.migrations.0007_pulse_frozen_places")


def _read_time_release(rows: list[tuple[int, Any, dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """The rule before 0007: (id, group, scores) -> released scores, derived when reading."""
    groups: dict[Any, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for pk, group, scores in sorted(rows, key=lambda row: row[0]):
        groups[group].append((pk, scores))
    released: dict[int, dict[str, Any]] = {}
    for own in groups.values():
        kept = own[: len(own) - len(own) % MIN_CELL]
        released.update({pk: {} for pk, _s in kept})
        for key in {k for _pk, scores in kept for k, v in scores.items() if has_value(v)}:
            having = [(pk, scores[key]) for pk, scores in kept if has_value(scores.get(key))]
            for pk, value in having[: len(having) - len(having) % MIN_CELL]:
                released[pk][key] = value
    return released


def _pulse_version() -> QuestionnaireVersion:
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug=canvass_standard.SLUG).exists():
        load_standard_questionnaires()
    return QuestionnaireVersion.objects.latest_published(canvass_standard.SLUG)


def _rows() -> list[Any]:
    pulse = Response.objects.filter(source=Source.PULSE).order_by("pk")
    return list(pulse.values_list("pk", "pulse_group_id", "pulse_position", "pulse_positions", "scores"))


def test_existing_pulse_answers_are_placed_as_the_read_time_rule_released_them(mworld: MonitorWorld) -> None:
    version, rng = _pulse_version(), random.Random(5)
    for step in range(64):
        if step == 40:
            close_wave(mworld.wave)  # later answers join no wave
        answers: dict[str, Any] = {"pulse_ok": "ja", "unsafe_buurt": rng.choice(["ja", "nee"])}
        if rng.random() < 0.7:
            answers["mark_safety"] = rng.randint(2, 9)
        record_pulse(buurt=mworld.buurten[rng.choice([0, 0, 1])], version=version, answers=answers)
    # Before 0007 an erased answer simply was not there: its group's blocks were derived without it.
    Response.objects.filter(pk__in=[r[0] for r in _rows()[::9]]).delete()
    state = list(
        Response.objects.filter(source=Source.PULSE).values_list("pk", "canvass_id", "buurt_id", "wave_id", "scores")
    )
    old = _read_time_release([(pk, (c, b, w), scores) for pk, c, b, w, scores in state])
    assert sum(len(s) for s in old.values()) > 0
    # The rows as 0007 finds them: no groups (the FK is checked at commit, and this test never commits).
    Response.objects.filter(source=Source.PULSE).update(pulse_position=F("pk") + 1000, pulse_positions={})
    PulseGroup.objects.all()._raw_delete(PulseGroup.objects.db)

    migration.place_existing(apps, None)

    assert released_scores(_rows()) == old
    groups = {g.pk: g for g in PulseGroup.objects.all()}
    for group in groups.values():
        own = sorted((pk, position) for pk, g, position, _p, _s in _rows() if g == group.pk)
        assert [position for _pk, position in own] == list(range(1, len(own) + 1))  # id order, no gaps
        assert group.given == len(own)
    # New answers continue after the migrated ones.
    later = record_pulse(buurt=mworld.buurten[1], version=version, answers={"pulse_ok": "ja", "mark_safety": 6})
    assert later is not None and later.pulse_group is not None
    migrated = groups.get(later.pulse_group.pk)
    assert later.pulse_position == (migrated.given if migrated else 0) + 1
