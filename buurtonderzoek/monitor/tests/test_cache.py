"""Monitor results in the shared cache: the version changes with every input, so a page never shows
stale figures, and an unchanged gemeente is not recomputed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.monitor import actions
from buurtonderzoek.monitor import cache as results_cache
from buurtonderzoek.monitor.models import Response, WaveBuurt
from buurtonderzoek.monitor.results import load_results
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave, issue_codes
from buurtonderzoek.places.models import BuurtPopulation


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The gemeente pk of every real load_results call behind the cache."""
    calls: list[int] = []

    def counting(gemeente: Any, **options: Any) -> Any:
        calls.append(gemeente.pk)
        return load_results(gemeente, **options)

    monkeypatch.setattr(results_cache, "load_results", counting)
    return calls


def version(mworld: MonitorWorld) -> str:
    return results_cache.results_version(mworld.world.gemeente)


def test_the_version_stays_while_nothing_changes(mworld: MonitorWorld) -> None:
    assert version(mworld) == version(mworld)


def test_a_completed_response_changes_the_version(mworld: MonitorWorld, answer: Callable[..., Response]) -> None:
    [code] = issue_codes(mworld.wave, mworld.buurten[0], 1)
    before = version(mworld)
    answer(code)
    assert version(mworld) != before


def test_a_wave_closing_changes_the_version(mworld: MonitorWorld) -> None:
    before = version(mworld)
    close_wave(mworld.wave)
    assert version(mworld) != before


def test_the_calendar_closes_a_wave_so_the_date_is_part_of_the_version(mworld: MonitorWorld) -> None:
    today = timezone.localdate()
    assert results_cache.results_version(mworld.world.gemeente, today=today) != results_cache.results_version(
        mworld.world.gemeente, today=today + timedelta(days=1)
    )


def test_population_totals_and_households_change_the_version(mworld: MonitorWorld) -> None:
    before = version(mworld)
    BuurtPopulation.objects.create(buurt=mworld.buurten[0], year=2025, inhabitants=1200)
    after_population = version(mworld)
    WaveBuurt.objects.filter(wave=mworld.wave, buurt=mworld.buurten[1]).update(households=999)
    assert len({before, after_population, version(mworld)}) == 3


def test_a_pulse_answer_from_a_canvass_changes_the_version(mworld: MonitorWorld) -> None:
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    canvass = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    before = version(mworld)
    assert actions.record_pulse(buurt=mworld.buurten[0], version=canvass, answers={"mark_safety": 5}) is not None
    assert version(mworld) != before


def test_another_gemeentes_change_leaves_this_version(mworld: MonitorWorld, answer: Callable[..., Response]) -> None:
    before = version(mworld)
    answer(issue_codes(mworld.wave, mworld.buurten[0], 1)[0])
    changed = version(mworld)
    assert changed != before
    elsewhere = BuurtFactory.create(wijk__gemeente=mworld.world.other_gemeente)
    BuurtPopulation.objects.create(buurt=elsewhere, year=2025, inhabitants=10)
    assert version(mworld) == changed


def test_the_results_page_is_computed_once_and_a_new_response_shows_on_the_next_view(
    client: Client, mworld: MonitorWorld, fill: Callable[..., int], loads: list[int]
) -> None:
    client.force_login(mworld.world.gert)
    url = reverse("monitor:results", args=[mworld.world.gemeente.code])
    fill(mworld.wave, {b.pk: 12 for b in mworld.buurten})
    assert ">72<" in client.get(url).content.decode()
    assert ">72<" in client.get(url).content.decode()
    assert len(loads) == 1
    fill(mworld.wave, {mworld.buurten[0].pk: 3}, seed=5)
    page = client.get(url).content.decode()
    assert ">75<" in page and ">72<" not in page
    assert len(loads) == 2


def test_the_public_buurt_summary_is_cached_and_follows_a_closing_wave(
    client: Client, mworld: MonitorWorld, fill: Callable[..., int], loads: list[int]
) -> None:
    fill(mworld.wave, {b.pk: 30 for b in mworld.buurten})
    url = reverse("monitor:buurt_summary", args=[mworld.buurten[0].code])
    running = client.get(url).content.decode()
    assert mworld.wave.name not in running  # no finished wave yet: nothing to show
    assert client.get(url).status_code == 200 and len(loads) == 1
    close_wave(mworld.wave)
    closed = client.get(url).content.decode()
    assert mworld.wave.name in closed
    assert len(loads) == 2


def test_figures_a_page_computed_are_kept_for_the_next_view(mworld: MonitorWorld, fill: Callable[..., int]) -> None:
    fill(mworld.wave, {b.pk: 30 for b in mworld.buurten})
    close_wave(mworld.wave)
    gemeente = mworld.world.gemeente
    data = results_cache.cached_results(gemeente)
    indicator = data.indicators[0]
    figure = data.invited[mworld.wave.pk].figure(data.root, indicator)
    results_cache.remember(data)
    again = results_cache.cached_results(gemeente)
    assert again is not data
    assert again.invited[mworld.wave.pk]._figures[(data.root, indicator.key)].value == figure.value


def test_an_invited_answer_the_weighting_reads_changes_the_version(
    mworld: MonitorWorld, fill: Callable[..., int]
) -> None:
    fill(mworld.wave, {mworld.buurten[0].pk: 3})
    before = version(mworld)
    # Deleted without rebuilding the running totals: the weighting reads the answers themselves.
    Response.objects.filter(wave=mworld.wave).order_by("-pk").first().delete()  # type: ignore[union-attr]
    assert version(mworld) != before


def test_each_language_has_its_own_copy(mworld: MonitorWorld, loads: list[int]) -> None:
    # The weighting line is put into words while loading, in the language of the request.
    gemeente = mworld.world.gemeente
    with translation.override("nl"):
        results_cache.remember(results_cache.cached_results(gemeente))
        results_cache.cached_results(gemeente)
    assert len(loads) == 1
    with translation.override("en"):
        results_cache.cached_results(gemeente)
    assert len(loads) == 2
