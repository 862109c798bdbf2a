"""Safety-pulse figures never reveal fewer than 10 people, across groupings, across time and deletions.

Pulse answers are shown per canvass, per buurt, per wave (results page, CSV, PDF) and as gemeente
totals. These groupings overlap, so each growing "in blocks of 10" on its own is not enough: buurt
minus canvass, or today's wave figure minus yesterday's buurt figure, could be about one resident.
Answers also disappear: an incident is deleted with its canvass, an answer is erased, a wave
closes, the data-subject erasure and retention run. The rule (pulse.py, pulse_blocks.py): each
answer's group (canvass x buurt x wave) and block positions are fixed when it is written; a block is
released when its 10 answers are all there, withdrawn as a whole when one goes, and never refilled.

- A property test of the rule itself (`place`, `released_scores`) over generated sequences of
  answers and deletions: every released block keeps its members, a withdrawn block never returns,
  every figure is a union of released blocks, and no two releases differ by 1-9 people.
- `_Spec`, the same rule written out beside the database, and the real pages (canvass panel,
  gemeente pulse page, wave results and their CSV rows) checked to show exactly its sums: answer by
  answer, and in a property test over generated sequences of answers, erasures, canvass deletions,
  wave closing and the privacy paths. That property test fails on the read-time grouping this
  replaced (an erased answer moved the next one into a released block).
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.canvass.actions import plan_canvass, record_visit
from buurtonderzoek.canvass.models import Canvass, Outcome
from buurtonderzoek.handoff.retention import apply_retention
from buurtonderzoek.handoff.tests.fixtures import answers as visit_answers
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.monitor.actions import record_pulse
from buurtonderzoek.monitor.exports import export_rows
from buurtonderzoek.monitor.models import Response, Source
from buurtonderzoek.monitor.pulse import canvass_pulse, gemeente_pulse
from buurtonderzoek.monitor.pulse_blocks import PulseRow, place, released_scores
from buurtonderzoek.monitor.results import load_results
from buurtonderzoek.monitor.statistics import MIN_CELL
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.privacy.actions import erase_subject_data
from buurtonderzoek.privacy.matching import Subject
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import canvass as canvass_standard
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

KEYS = ("unsafe_buurt", "mark_safety", "victim")
Group = tuple[int | None, int, int | None]  # canvass, buurt, wave
BlockId = tuple[int, str, int]  # group id, indicator ("" for the respondents), block number

# One act: an answer in a group with a value for some indicators (a door answer may skip a question),
# or the deletion of one of the answers still there (an integer). Most answers fall in a few groups,
# so groups do pass 10, 20, 30 answers within one sequence.
_ANSWER = st.tuples(
    st.sampled_from([1, 1, 1, None, 2]),
    st.sampled_from([1, 1, 1, 2, 3]),
    st.sampled_from([1, 1, None]),
    st.sets(st.sampled_from(KEYS), min_size=1),
)
ACTS = st.lists(st.one_of(_ANSWER, _ANSWER, _ANSWER, _ANSWER, st.integers(0, 10_000)), min_size=10, max_size=150)


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


def _released_blocks(rows: dict[int, PulseRow], released: dict[int, dict[str, Any]]) -> dict[BlockId, frozenset[int]]:
    """The released blocks by their frozen id, from the positions each answer got when written."""
    blocks: dict[BlockId, set[int]] = defaultdict(set)
    for pk, scores in released.items():
        _pk, group_id, position, positions, _scores = rows[pk]
        assert group_id is not None and position is not None
        blocks[(group_id, "respondents", (position - 1) // MIN_CELL)].add(pk)
        for key in scores:
            blocks[(group_id, key, (positions[key] - 1) // MIN_CELL)].add(pk)
    return {block: frozenset(members) for block, members in blocks.items()}


@settings(max_examples=150, deadline=None)
@given(ACTS)
def test_every_pulse_figure_is_a_union_of_frozen_blocks_of_ten(acts: list[Any]) -> None:
    rows: dict[int, PulseRow] = {}
    groups: dict[int, Group] = {}
    counters: dict[Group, tuple[int, int, dict[str, int]]] = {}  # group id, positions given, per indicator
    ever: dict[BlockId, frozenset[int]] = {}  # every block released so far, with its members then
    gone: set[BlockId] = set()  # released blocks withdrawn since
    seen: dict[str, set[frozenset[int]]] = defaultdict(lambda: {frozenset()})  # every set a figure was about
    for pk, act in enumerate(acts, start=1):
        if isinstance(act, int):
            if rows:
                del rows[sorted(rows)[act % len(rows)]]
        else:
            canvass, buurt, wave, keys = act
            group = (canvass, buurt, wave)
            group_id, given, per_indicator = counters.get(group, (len(counters) + 1, 0, {}))
            scores = {key: (pk % 7) + 1 for key in keys}
            position, positions = place(given, per_indicator, scores)
            counters[group] = (group_id, position, per_indicator)
            rows[pk], groups[pk] = (pk, group_id, position, positions, scores), group
        released = released_scores(rows.values())
        blocks = _released_blocks(rows, released)
        for block, members in blocks.items():
            # Whole: 10 answers; frozen: the same 10 as when first released; a withdrawn block stays so.
            assert len(members) == MIN_CELL
            assert ever.setdefault(block, members) == members
            assert block not in gone
        gone |= ever.keys() - blocks.keys()
        answers = {pk_: (groups[pk_], rows[pk_][4]) for pk_ in rows}
        for (_name, key), members in _figures(answers, released).items():
            # Every figure is exactly a union of released blocks of its indicator.
            inside = [b for block, b in blocks.items() if block[1] == key and b <= members]
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


# --- The pages, against the rule written out ----------------------------------------------------------


SPEC_KEYS = ("unsafe_buurt", "mark_safety")


class _Spec:
    """The frozen-block rule, kept beside the database: groups and positions fixed at write time."""

    def __init__(self) -> None:
        self.given: dict[Group, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.answers: dict[int, tuple[Group, dict[str, int], dict[str, Any]]] = {}
        self.live: set[int] = set()

    def add(self, pk: int, group: Group, scores: dict[str, Any]) -> None:
        counters = self.given[group]
        positions = {}
        for key in ("", *sorted(k for k, v in scores.items() if isinstance(v, int | float))):
            counters[key] += 1
            positions[key] = counters[key]
        self.answers[pk] = (group, positions, scores)
        self.live.add(pk)

    def released(self) -> dict[int, dict[str, Any]]:
        def block(pk: int, key: str) -> tuple[Group, str, int]:
            return (self.answers[pk][0], key, (self.answers[pk][1][key] - 1) // MIN_CELL)

        whole = Counter(block(pk, "") for pk in self.live)
        out: dict[int, dict[str, Any]] = {pk: {} for pk in self.live if whole[block(pk, "")] == MIN_CELL}
        per_key = Counter(block(pk, key) for pk in out for key in self.answers[pk][1] if key)
        for pk, scores in out.items():
            for key in self.answers[pk][1]:
                if key and per_key[block(pk, key)] == MIN_CELL:
                    scores[key] = self.answers[pk][2][key]
        return out

    def figure(self, chosen: Any) -> dict[str, Any]:
        """{"respondents": n, key: (n, mean)} over the released answers whose group is chosen."""
        released = self.released()
        mine = [pk for pk in released if chosen(self.answers[pk][0])]
        shown: dict[str, Any] = {"respondents": len(mine)}
        for key in SPEC_KEYS:
            values = [released[pk][key] for pk in mine if key in released[pk]]
            if values:
                shown[key] = (len(values), round(sum(values) / len(values), 9))
        return shown

    def member_sets(self, chosen: Any) -> dict[str, frozenset[int]]:
        released = self.released()
        mine = [pk for pk in released if chosen(self.answers[pk][0])]
        return {
            "respondents": frozenset(mine),
            **{key: frozenset(pk for pk in mine if key in released[pk]) for key in SPEC_KEYS},
        }


def _shown(summary: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {"respondents": summary.released}
    for figure in summary.figures:
        if figure.indicator.key in SPEC_KEYS:
            shown[figure.indicator.key] = (figure.n, round(figure.estimate.value, 9))
    return shown


def _answer_op() -> Any:
    return st.tuples(
        st.just("answer"),
        st.sampled_from([0, 0, 1, None]),  # canvass
        st.sampled_from([0, 0, 1, 2]),  # buurt
        st.sampled_from(["ja", "nee", None]),
        st.sampled_from([None, 4, 7, 9]),
    ).filter(lambda op: op[3] is not None or op[4] is not None)


OPERATIONS = st.lists(
    st.one_of(
        _answer_op(),
        _answer_op(),
        _answer_op(),
        _answer_op(),
        _answer_op(),
        _answer_op(),
        st.tuples(st.just("erase"), st.integers(0, 10_000)),
        st.tuples(st.just("delete_canvass"), st.sampled_from([0, 1])),
        st.tuples(st.just("close_wave")),
        st.tuples(st.just("privacy")),
    ),
    min_size=15,
    max_size=45,
)


@dataclass
class _PulseWorld:
    mworld: MonitorWorld
    canvasses: list[Any]
    buurten: list[Any]
    version: QuestionnaireVersion
    witness_email: str


@pytest.fixture
def pulse_world(mworld: MonitorWorld) -> _PulseWorld:
    """Two canvasses (two incidents) and three buurten, one of them outside the wave; one door visit
    with a witness's contact details, for the data-subject erasure and retention to find."""
    world = mworld.world
    make_streets(world.gemeente.code)
    canvasses = []
    for _ in range(2):
        incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
        canvasses.append(plan_canvass(incident, by=world.alice, route_count=1, radius_m=100))
    outside = BuurtFactory.create(wijk=mworld.buurten[0].wijk, name="Buiten de meetronde")
    email = "getuige@example.org"
    record_visit(
        canvasses[0],
        by=world.bob,
        client_uuid=uuid.uuid4(),
        address_id=canvasses[0].stops.earliest("pk").address_id,
        outcome=Outcome.GESPROKEN,
        visited_at=timezone.now(),
        answers=visit_answers(
            contact_consent="ja", contact_name="Getuige", contact_method="email", contact_email=email
        ),
    )
    return _PulseWorld(mworld, canvasses, [mworld.buurten[0], mworld.buurten[1], outside], _pulse_version(), email)


def _in_canvass(canvass: int) -> Any:
    return lambda group: group[0] == canvass


def _in_buurt(buurt: int) -> Any:
    return lambda group: group[1] == buurt


def _in_wave(wave: int | None, buurten: set[int]) -> Any:
    return lambda group: group[2] == wave and group[1] in buurten


def _every_grouping(pw: _PulseWorld) -> list[Any]:
    """Every grouping a page can show (the pages are checked to show exactly the rule's sums)."""
    canvasses = [None, *(c.pk for c in pw.canvasses)]
    buurten = [b.pk for b in pw.buurten]
    chosen = [_in_canvass(c) for c in canvasses] + [_in_buurt(b) for b in buurten]
    for wave in (None, pw.mworld.wave.pk):
        chosen += [_in_wave(wave, {b}) for b in buurten] + [_in_wave(wave, set(buurten))]
    return chosen


def _check_every_output(pw: _PulseWorld, spec: _Spec) -> None:
    world = pw.mworld.world
    live = [c for c in pw.canvasses if Canvass.objects.filter(pk=c.pk).exists()]
    for canvass in live:
        chosen = _in_canvass(canvass.pk)
        assert _shown(canvass_pulse(canvass)) == spec.figure(chosen), "canvass panel"
    page = gemeente_pulse(world.gemeente)
    assert {row.canvass_id for row in page.canvasses} <= {c.pk for c in live}
    for row in page.canvasses:
        assert _shown(row.summary) == spec.figure(_in_canvass(row.canvass_id)), "gemeente page, canvass"
    for buurt_row in page.buurten:
        pk = next(b.pk for b in pw.buurten if b.code == buurt_row.code)
        chosen = _in_buurt(pk)
        assert _shown(buurt_row.summary) == spec.figure(chosen), "gemeente page, buurt"
    # The wave results page and its CSV/XLSX rows (export_rows); the PDF prints the same WaveResult.
    results = load_results(world.gemeente)
    indicators = {i.key: i for i in results.indicators}
    exported = {
        (row.wave, row.area_code, row.indicator_key): row.n
        for row in export_rows(results)
        if row.source == str(Source.PULSE.label)
    }
    for wave_id, pulse in results.pulse.items():
        for area in pulse.areas:
            under = set(pulse.buurten_under(area.key))
            chosen = _in_wave(wave_id, under)
            want = spec.figure(chosen)
            assert pulse.respondents.get(area.key, 0) == want["respondents"], "wave results"
            if not pulse.released:
                continue
            for key in SPEC_KEYS:
                figure = pulse.figure(area.key, indicators[key])
                n, mean = want.get(key, (0, None))
                assert figure.n == n and not figure.suppressed, "wave results"
                if n:
                    assert figure.estimate is not None and round(figure.estimate.value, 9) == mean
                assert exported.get((pulse.wave.name, area.code, key)) == (n or None), "CSV"


def _answer(
    pw: _PulseWorld, spec: _Spec, canvass_i: int | None, buurt_i: int, unsafe: str | None, mark: int | None
) -> None:
    """A resident answers the pulse at the door (through the canvass, while it still exists)."""
    answers: dict[str, Any] = {"pulse_ok": "ja"}
    if unsafe is not None:
        answers["unsafe_buurt"] = unsafe
    if mark is not None:
        answers["mark_safety"] = mark
    canvass = pw.canvasses[canvass_i] if canvass_i is not None else None
    if canvass is not None and not Canvass.objects.filter(pk=canvass.pk).exists():
        canvass = None
    response = record_pulse(buurt=pw.buurten[buurt_i], version=pw.version, answers=answers, canvass=canvass)
    assert response is not None
    spec.add(response.pk, (response.canvass_id, response.buurt_id, response.wave_id), response.scores)


@pytest.mark.django_db
def test_every_page_shows_only_sums_of_released_blocks_answer_by_answer(pulse_world: _PulseWorld) -> None:
    """Canvass panel, gemeente pulse page (per canvass, per buurt), the wave's results and CSV rows,
    after each fifth answer and when the wave has closed: the sums of the rule's released blocks."""
    pw, spec, rng = pulse_world, _Spec(), random.Random(11)
    for step in range(75):
        canvass_i = 0 if rng.random() < 0.7 else None
        mark = rng.randint(3, 9) if rng.random() < 0.8 else None  # some residents skip the mark
        _answer(pw, spec, canvass_i, rng.choice([0, 0, 1, 2]), rng.choice(["ja", "nee"]), mark)
        if step % 5 == 0:
            _check_every_output(pw, spec)
    close_wave(pw.mworld.wave)
    _check_every_output(pw, spec)
    results = load_results(pw.mworld.world.gemeente)
    assert set(results.pulse) == {pw.mworld.wave.pk, None}
    wave_total = results.pulse[pw.mworld.wave.pk].respondents[results.root]
    assert wave_total >= MIN_CELL and wave_total % MIN_CELL == 0


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPERATIONS)
def test_no_two_releases_differ_by_1_to_9_people_through_deletes_erasures_and_closing(
    pulse_world: _PulseWorld, operations: list[Any]
) -> None:
    pw = pulse_world
    with transaction.atomic():  # every example starts from the same world
        spec = _Spec()
        seen: dict[str, set[frozenset[int]]] = defaultdict(lambda: {frozenset()})
        for step, op in enumerate(operations, start=1):
            if op[0] == "answer":
                _answer(pw, spec, *op[1:])
            elif op[0] == "erase" and spec.live:
                pk = sorted(spec.live)[op[1] % len(spec.live)]
                Response.objects.filter(pk=pk).delete()
                spec.live.discard(pk)
            elif op[0] == "delete_canvass":
                # The admin deletes the incident, and with it the canvass; its answers stay.
                Incident.objects.filter(canvasses__pk=pw.canvasses[op[1]].pk).delete()
            elif op[0] == "close_wave":
                close_wave(pw.mworld.wave)
            elif op[0] == "privacy":
                subject = Subject.from_input(email=pw.witness_email)
                erase_subject_data(subject, by=pw.mworld.world.admin, reference="AVG-1")
                apply_retention(now=timezone.now() + timedelta(days=800))
            for chosen in _every_grouping(pw):
                for key, members in spec.member_sets(chosen).items():
                    seen[key].add(members)
            if op[0] != "answer" or step % 4 == 0:  # the pages after every other act, and now and then
                _check_every_output(pw, spec)
        _check_every_output(pw, spec)
        # The rule's releases (which the pages showed exactly): no two, of any figure at any two
        # moments, differ by 1-9 people in any indicator.
        for sets in seen.values():
            for first, second in itertools.permutations(sets, 2):
                assert len(first - second) == 0 or len(first - second) >= MIN_CELL
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_erased_answer_withdraws_its_whole_block_and_is_never_replaced(mworld: MonitorWorld) -> None:
    """15 answers: the first 10 are released. Erase the third: the block of 10 is withdrawn (the nine
    others are not shown again with someone new), and five more answers do not fill its place."""
    version = _pulse_version()
    buurt = mworld.buurten[0]

    def give(count: int) -> list[Response]:
        made = [
            record_pulse(buurt=buurt, version=version, answers={"pulse_ok": "ja", "mark_safety": 5 + n % 3})
            for n in range(count)
        ]
        return [r for r in made if r is not None]

    def shown() -> Any:
        return gemeente_pulse(mworld.world.gemeente).buurten[0].summary

    first = give(15)
    before = shown()
    assert before.released == 10 and before.figures[0].n == 10
    first[2].delete()
    after = shown()
    assert after.released == 0 and after.figures == []
    give(5)  # the second block (answers 11-20) is now whole; the first stays withdrawn
    later = shown()
    assert later.released == 10 and later.figures[0].n == 10
