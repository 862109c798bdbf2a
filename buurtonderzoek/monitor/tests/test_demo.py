from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buurtonderzoek.monitor.demo import seed_demo_monitor
from buurtonderzoek.monitor.models import Response, Source, WaveStatus
from buurtonderzoek.monitor.results import load_results
from buurtonderzoek.monitor.tests.conftest import MonitorWorld

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_two_finished_waves_with_figures_for_every_buurt(client: Client, mworld: MonitorWorld) -> None:
    waves = seed_demo_monitor(mworld.world.gemeente, seed=1)
    assert len(waves) == 2
    assert all(w.status() == WaveStatus.FINISHED for w in waves)
    assert waves[0].ends_on < waves[1].starts_on
    data = load_results(mworld.world.gemeente, waves=waves)
    unsafe = data.indicator_by_key["unsafe_buurt"]
    for wave in waves:
        result = data.invited[wave.pk]
        for area in result.areas:
            assert result.figure(area.key, unsafe).visible, (wave, area)
    # The demo town has population totals, so the weighting to them is visible (small test buurten
    # with about ten answers keep the design weights, and the sentence says so).
    for wave in waves:
        assert data.invited[wave.pk].weighting.startswith("Gewogen naar leeftijd en geslacht"), wave
    assert Response.objects.filter(wave=waves[1], source=Source.PUBLIC).exists()
    assert Response.objects.filter(wave=waves[1], source=Source.PULSE).exists()
    # Idempotent: a second run adds nothing.
    count = Response.objects.count()
    assert [w.pk for w in seed_demo_monitor(mworld.world.gemeente, seed=1)] == [w.pk for w in waves]
    assert Response.objects.count() == count
    page = client.get(reverse("monitor:buurt_summary", args=[mworld.buurten[0].code])).content.decode()
    assert waves[1].name in page


def test_the_demo_answers_are_valid_for_the_engine(mworld: MonitorWorld) -> None:
    from buurtonderzoek.questionnaires import engine

    seed_demo_monitor(mworld.world.gemeente, seed=2)
    schema = mworld.version.parsed
    for response in Response.objects.filter(source=Source.INVITED)[:200]:
        assert engine.validate(schema, response.answers) == {}
