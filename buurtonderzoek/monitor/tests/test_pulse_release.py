"""Safety-pulse figures never reveal fewer than 10 people, across groupings and across time.

Pulse answers are shown per canvass, per buurt, per wave (results page, CSV, PDF) and as gemeente
totals. These groupings overlap, so each growing "in blocks of 10" on its own is not enough: buurt
minus canvass, or today's wave figure minus yesterday's buurt figure, could be about one resident.
The rule (pulse.py, pulse_blocks.py): disjoint groups (canvass x buurt x wave) release whole, frozen
blocks of 10 answers, per indicator, and every figure is a sum of released blocks.

Two tests: a property test of the rule itself over generated sequences (every figure a union of
frozen disjoint blocks of >= 10, so every difference of two releases is too), and a walk through the
real pages' data (canvass panel, gemeente pulse page, wave results) checking they show exactly the
sums of those blocks, answer by answer.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.canvass.actions import plan_canvass
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.monitor.actions import record_pulse
from buurtonderzoek.monitor.pulse import canvass_pulse, gemeente_pulse
from buurtonderzoek.monitor.pulse_blocks import released_scores
from buurtonderzoek.monitor.results import load_results
from buurtonderzoek.monitor.statistics import MIN_CELL
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import canvass as canvass_standard
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

KEYS = ("unsafe_buurt", "mark_safety", "victim")
Group = tuple[int | None, int, int | None]  # canvass, buurt, wave

# One answer: its group and which indicators it has a value for (a door answer may skip a question).
# Most answers fall in a few groups, so groups do pass 10, 20, 30 answers within one sequence.
ANSWERS = st.lists(
    st.tuples(
        st.sampled_from([1, 1, 1, None, 2]),
        st.sampled_from([1, 1, 1, 2, 3]),
        st.sampled_from([1, 1, None]),
        st.sets(st.sampled_from(KEYS), min_size=1),
    ),
    min_size=10,
    max_size=120,
)


def _figures(
    answers: dict[int, tuple[Group, dict[str, Any]]], released: dict[int, dict[str, Any]]
) -> dict[tuple[Hashable, str], frozenset[int]]:
    """Every figure the pages show, as the set of answers behind it per indicator.

    Per canvass, per buurt, per wave and buurt, per wave, the gemeente total, and canvass x buurt
    (the buurten a canvass panel lists): any grouping the pages make is a union of groups.
    """
    selectors: dict[Hashable, Any] = {("total",): lambda g: True}
    for canvass in (None, 1, 2):
        selectors[("canvass", canvass)] = lambda g, c=canvass: g[0] == c
        for buurt in (1, 2, 3):
            selectors[("canvass-buurt", canvass, buurt)] = lambda g, c=canvass, b=buurt: g[0] == c and g[1] == b
    for buurt in (1, 2, 3):
        selectors[("buurt", buurt)] = lambda g, b=buurt: g[1] == b
    for wave in (None, 1):
        selectors[("wave", wave)] = lambda g, w=wave: g[2] == w
        for buurt in (1, 2, 3):
            selectors[("wave-buurt", wave, buurt)] = lambda g, w=wave, b=buurt: g[2] == w and g[1] == b
    figures = {}
    for name, chosen in selectors.items():
        mine = [pk for pk in released if chosen(answers[pk][0])]
        figures[(name, "respondents")] = frozenset(mine)
        for key in KEYS:
            figures[(name, key)] = frozenset(pk for pk in mine if key in released[pk])
    return figures


@settings(max_examples=150, deadline=None)
@given(ANSWERS)
def test_every_pulse_figure_is_a_union_of_frozen_blocks_of_ten(generated: list[Any]) -> None:
    answers: dict[int, tuple[Group, dict[str, Any]]] = {}
    # The blocks released so far per (group, indicator), in order; once released, never changed.
    blocks: dict[tuple[Group, str], list[frozenset[int]]] = defaultdict(list)
    seen: dict[str, set[frozenset[int]]] = defaultdict(lambda: {frozenset()})  # every set a figure was about
    for pk, (canvass, buurt, wave, keys) in enumerate(generated, start=1):
        answers[pk] = ((canvass, buurt, wave), {key: (pk % 7) + 1 for key in keys})
        released = released_scores((pk_, group, scores) for pk_, (group, scores) in answers.items())
        for group in {g for g, _s in answers.values()}:
            in_group = [pk_ for pk_, (g, _s) in answers.items() if g == group]
            own = sorted(pk_ for pk_ in in_group if pk_ in released)
            # A group releases its first floor(n/10)*10 answers, in id order.
            assert own == sorted(in_group)[: len(in_group) - len(in_group) % MIN_CELL]
            for key in ("respondents", *KEYS):
                mine = own if key == "respondents" else [pk_ for pk_ in own if key in released[pk_]]
                with_value = [pk_ for pk_ in own if key == "respondents" or key in answers[pk_][1]]
                assert mine == with_value[: len(with_value) - len(with_value) % MIN_CELL]
                old = blocks[(group, key)]
                # The blocks released earlier are still released, unchanged; new ones are whole.
                assert mine[: MIN_CELL * len(old)] == sorted(itertools.chain.from_iterable(old))
                for start in range(MIN_CELL * len(old), len(mine), MIN_CELL):
                    old.append(frozenset(mine[start : start + MIN_CELL]))
        by_key: dict[str, list[frozenset[int]]] = defaultdict(list)
        for (_group, key), per in blocks.items():
            by_key[key].extend(per)
        for per in by_key.values():
            # The blocks of one indicator are disjoint and hold 10 answers each.
            assert all(len(b) == MIN_CELL for b in per)
            assert len(frozenset().union(*per)) == MIN_CELL * len(per)
        for (_name, key), members in _figures(answers, released).items():
            # Every figure is exactly a union of whole blocks of its indicator.
            inside = [b for b in by_key.get(key, []) if b <= members]
            assert members == frozenset().union(*inside)
            seen[key].add(members)
    # Hence no two releases, of any groupings at any two moments, differ by fewer than 10 people.
    for sets in seen.values():
        for first, second in itertools.permutations(sets, 2):
            assert len(first - second) == 0 or len(first - second) >= MIN_CELL


def _pulse_version() -> QuestionnaireVersion:
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug=canvass_standard.SLUG).exists():
        load_standard_questionnaires()
    return QuestionnaireVersion.objects.latest_published(canvass_standard.SLUG)


@pytest.mark.django_db
def test_every_page_shows_only_sums_of_released_blocks_answer_by_answer(mworld: MonitorWorld) -> None:
    """Canvass panel, gemeente pulse page (per canvass, per buurt) and the wave's results, after each
    answer, against the block model: each n shown is the number of released answers behind it."""
    world = mworld.world
    make_streets(world.gemeente.code)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    canvass = plan_canvass(incident, by=world.alice, route_count=2, radius_m=150)
    outside = BuurtFactory.create(wijk=mworld.buurten[0].wijk, name="Buiten de meetronde")
    buurten = [mworld.buurten[0], mworld.buurten[1], outside]
    version = _pulse_version()
    rng = random.Random(11)
    model: dict[int, tuple[Group, dict[str, Any]]] = {}

    def expected(chosen: Any) -> dict[str, int]:
        released = released_scores((pk, group, scores) for pk, (group, scores) in model.items())
        mine = [pk for pk in released if chosen(model[pk][0])]
        keys = {key for _g, scores in model.values() for key in scores}
        counts = {key: sum(1 for pk in mine if key in released[pk]) for key in keys}
        return {"respondents": len(mine), **{k: v for k, v in counts.items() if v}}

    def shown(summary: Any) -> dict[str, int]:
        return {"respondents": summary.released, **{f.indicator.key: f.n for f in summary.figures}}

    for step in range(75):
        buurt = buurten[rng.choice([0, 0, 1, 2])]
        answers: dict[str, Any] = {"pulse_ok": "ja", "unsafe_buurt": rng.choice(["ja", "nee"])}
        if rng.random() < 0.8:  # some residents skip the mark
            answers["mark_safety"] = rng.randint(3, 9)
        response = record_pulse(
            buurt=buurt, version=version, answers=answers, canvass=canvass if rng.random() < 0.7 else None
        )
        assert response is not None
        model[response.pk] = ((response.canvass_id, buurt.pk, response.wave_id), response.scores)
        if step % 5 and step != 74:
            continue  # the pages every fifth answer (the model is checked fully in the property test)
        assert shown(canvass_pulse(canvass)) == expected(lambda g: g[0] == canvass.pk)
        page = gemeente_pulse(world.gemeente)
        for row in page.canvasses:
            assert shown(row.summary) == expected(lambda g, c=row.canvass_id: g[0] == c)
        for buurt_row in page.buurten:
            pk = next(b.pk for b in buurten if b.code == buurt_row.code)
            assert shown(buurt_row.summary) == expected(lambda g, b=pk: g[1] == b)
    # The wave closes: its pulse figures on the results page (and so CSV, XLSX, PDF, the effect
    # dashboard) are the same sums; answers outside a wave too, where a page shows their counts.
    close_wave(mworld.wave)
    results = load_results(world.gemeente)
    assert set(results.pulse) == {mworld.wave.pk, None}
    indicators = {i.key: i for i in results.indicators}
    for wave_id, pulse in results.pulse.items():
        for area in pulse.areas:
            under = set(pulse.buurten_under(area.key))
            want = expected(lambda g, u=under, w=wave_id: g[2] == w and g[1] in u)
            assert pulse.respondents.get(area.key, 0) == want["respondents"]
            for key in want.keys() - {"respondents"} if pulse.released else ():
                figure = pulse.figure(area.key, indicators[key])
                assert figure.n == want[key] and not figure.suppressed
    wave_total = results.pulse[mworld.wave.pk].respondents[results.root]
    assert wave_total >= MIN_CELL and wave_total % MIN_CELL == 0
