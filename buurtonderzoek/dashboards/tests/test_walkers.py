"""The team-health roll-up (dashboards/walkers.py) against a direct count of the door visits.

Random histories: walkers record visits at random moments (often on the very edges of the 30/60/90/180
day periods, and around the changes to and from summer time), the background job refreshes now and
then (incrementally or in full), users are deleted. After every history the periods counted through
the roll-up equal a count of the visits themselves, and the roll-up's rows equal a recount per day.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtonderzoek.accounts.models import Role, Team, User
from buurtonderzoek.accounts.tests.factories import MembershipFactory, TeamFactory
from buurtonderzoek.canvass.models import Canvass, DoorVisit, Outcome
from buurtonderzoek.dashboards.health import team_health
from buurtonderzoek.dashboards.models import AreaRefresh, WalkerDay
from buurtonderzoek.dashboards.tasks import refresh_grip_figures
from buurtonderzoek.dashboards.tests import history
from buurtonderzoek.dashboards.walkers import refresh_walker_days, visits_per_walker
from buurtonderzoek.places.models import Address
from conftest import World

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# "Now" on an ordinary day, just after the clocks go forward, and just after they go back.
NOWS = [
    datetime(2026, 6, 17, 14, 37, 12, tzinfo=AMSTERDAM),
    datetime(2026, 3, 29, 3, 30, tzinfo=AMSTERDAM),
    datetime(2026, 10, 25, 23, 59, 59, tzinfo=AMSTERDAM),
]
EDGE_DAYS = [0, 30, 60, 90, 180]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

seconds_ago = st.one_of(
    st.integers(-2 * 86_400, 190 * 86_400),
    # Near an edge of a period: the same day, the day before or after, to the second.
    st.builds(lambda d, s: d * 86_400 + s, st.sampled_from(EDGE_DAYS), st.integers(-100_000, 100_000)),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("visit"), st.sampled_from([0, 1, 2, None]), seconds_ago),
        st.tuples(st.just("refresh"), st.booleans(), st.just(0)),
        st.tuples(st.just("delete_walker"), st.sampled_from([0, 1, 2]), st.just(0)),
    ),
    max_size=25,
)


class Setting:
    def __init__(self, world: World) -> None:
        self.team = TeamFactory.create(gemeente=world.gemeente)
        self.other = TeamFactory.create(gemeente=world.gemeente)
        self.walkers = [MembershipFactory.create(team=self.team, role=Role.VOLUNTEER).user for _ in range(3)]
        self.stranger = MembershipFactory.create(team=self.other, role=Role.VOLUNTEER).user
        self.doors = history.addresses(2)
        self.canvass = history.canvass(history.incident(self.team, at=NOWS[0]), at=NOWS[0])
        self.other_canvass = history.canvass(history.incident(self.other, at=NOWS[0]), at=NOWS[0])


@pytest.fixture
def setting(world: World) -> Setting:
    return Setting(world)


def visit(canvass: Canvass, walker: User | None, at: datetime, door: Address) -> None:
    DoorVisit.objects.create(canvass=canvass, address=door, volunteer=walker, outcome=Outcome.GESPROKEN, visited_at=at)


def counted(team: Team, edges: list[datetime]) -> dict[int, list[int]]:
    """The periods counted straight from the visits, without any roll-up."""
    result: dict[int, list[int]] = defaultdict(lambda: [0] * (len(edges) - 1))
    for walker, at in DoorVisit.objects.filter(canvass__incident__team=team, volunteer__isnull=False).values_list(
        "volunteer_id", "visited_at"
    ):
        for i in range(len(edges) - 1):
            if edges[i] <= at < edges[i + 1]:
                result[walker][i] += 1
    return dict(result)


def run(setting: Setting, now: datetime, history_steps: list[tuple[str, Any, int]]) -> None:
    for i, (kind, arg, ago) in enumerate(history_steps):
        if kind == "visit":
            walker = None if arg is None else setting.walkers[arg]
            if walker is not None and not User.objects.filter(pk=walker.pk).exists():
                continue
            visit(setting.canvass, walker, now - timedelta(seconds=ago), setting.doors[i % 2])
            visit(setting.other_canvass, setting.stranger, now - timedelta(seconds=ago), setting.doors[0])
        elif kind == "refresh":
            refresh_walker_days(setting.team.gemeente, full=bool(arg))
        else:
            User.objects.filter(pk=setting.walkers[arg].pk).delete()


@SETTINGS
@given(now=st.sampled_from(NOWS), history_steps=steps, refresh_last=st.booleans())
def test_the_roll_up_counts_the_periods_as_the_visits_do(
    setting: Setting, now: datetime, history_steps: list[tuple[str, Any, int]], refresh_last: bool
) -> None:
    with transaction.atomic():
        run(setting, now, history_steps)
        if refresh_last:
            refresh_walker_days(setting.team.gemeente)
        edges = [now - timedelta(days=d) for d in reversed(EDGE_DAYS)]
        got = visits_per_walker([setting.team, setting.other], edges)
        expected = counted(setting.team, edges)
        assert {w: c for w, c in got.get(setting.team.pk, {}).items() if any(c)} == expected
        assert {w: c for w, c in got.get(setting.other.pk, {}).items() if any(c)} == counted(setting.other, edges)
        transaction.set_rollback(True)


@SETTINGS
@given(history_steps=steps)
def test_after_a_refresh_the_roll_up_equals_a_recount_per_day(
    setting: Setting, history_steps: list[tuple[str, Any, int]]
) -> None:
    with transaction.atomic():
        run(setting, NOWS[1], history_steps)
        refresh_walker_days(setting.team.gemeente)
        rolled = dict(
            ((team, walker, day), n)
            for team, walker, day, n in WalkerDay.objects.values_list("team_id", "volunteer_id", "day", "visits")
        )
        recount: Counter[tuple[int, int, object]] = Counter()
        for team, walker, at in DoorVisit.objects.filter(volunteer__isnull=False).values_list(
            "canvass__incident__team_id", "volunteer_id", "visited_at"
        ):
            recount[(team, walker, timezone.localtime(at).date())] += 1
        assert rolled == dict(recount)
        transaction.set_rollback(True)


def test_health_is_the_same_with_and_without_the_roll_up(setting: Setting) -> None:
    now = timezone.now()
    for days_ago in (1, 29, 31, 59, 61, 89, 91, 150):
        for i, walker in enumerate(setting.walkers[: 1 + days_ago % 3]):
            visit(setting.canvass, walker, now - timedelta(days=days_ago, minutes=i), setting.doors[0])
    before = team_health([setting.team, setting.other], now=now)
    refresh_walker_days(setting.team.gemeente)
    assert WalkerDay.objects.filter(team=setting.team).exists()
    after = team_health([setting.team, setting.other], now=now)
    assert [h.facts for h in after] == [h.facts for h in before]
    assert [h.signals for h in after] == [h.signals for h in before]
    assert before[0].facts.active_30 == 3 and before[0].facts.active_prev_90 == 2


def test_a_visit_sent_in_late_counts_at_once(setting: Setting) -> None:
    """A phone that was offline sends last week's visits after the refresh: they count straight away."""
    now = timezone.now()
    refresh_walker_days(setting.team.gemeente)
    visit(setting.canvass, setting.walkers[0], now - timedelta(days=8), setting.doors[0])
    [health] = team_health([setting.team], now=now)
    assert health.facts.active_30 == 1 and health.facts.doors_90 == 1
    assert refresh_walker_days(setting.team.gemeente) == 1  # incremental: only that walker's day
    [health] = team_health([setting.team], now=now)
    assert health.facts.active_30 == 1 and health.facts.doors_90 == 1


def test_deleted_visits_leave_the_roll_up_at_the_next_full_recount(setting: Setting) -> None:
    now = timezone.now()
    visit(setting.canvass, setting.walkers[0], now - timedelta(days=10), setting.doors[0])
    refresh_walker_days(setting.team.gemeente)
    setting.canvass.incident.delete()
    refresh_walker_days(setting.team.gemeente)  # incremental: sees nothing new
    assert WalkerDay.objects.filter(team=setting.team).count() == 1
    AreaRefresh.objects.filter(gemeente=setting.team.gemeente).update(visits_recounted_at=now - timedelta(hours=25))
    refresh_walker_days(setting.team.gemeente)  # the daily full recount
    assert not WalkerDay.objects.filter(team=setting.team).exists()
    [health] = team_health([setting.team], now=now)
    assert health.facts.doors_90 == 0


def test_the_background_job_refreshes_both_roll_ups(setting: Setting) -> None:
    visit(setting.canvass, setting.walkers[0], timezone.now() - timedelta(days=3), setting.doors[0])
    refresh_grip_figures.call(setting.team.gemeente.pk)
    state = AreaRefresh.objects.get(gemeente=setting.team.gemeente)
    assert state.refreshed_at is not None and state.visits_through_id == DoorVisit.objects.order_by("id").last().pk  # type: ignore[union-attr]
    assert WalkerDay.objects.get(team=setting.team).visits == 1


def test_reading_the_roll_up_takes_a_fixed_number_of_queries(setting: Setting) -> None:
    now = timezone.now()
    visit(setting.canvass, setting.walkers[0], now - timedelta(days=40), setting.doors[0])
    refresh_walker_days(setting.team.gemeente)
    edges = [now - timedelta(days=d) for d in reversed(EDGE_DAYS)]
    with CaptureQueriesContext(connection) as few:
        visits_per_walker([setting.team], edges)
    for days_ago in range(1, 170, 3):
        visit(setting.canvass, setting.walkers[days_ago % 3], now - timedelta(days=days_ago), setting.doors[1])
    refresh_walker_days(setting.team.gemeente)
    with CaptureQueriesContext(connection) as many:
        visits_per_walker([setting.team, setting.other], edges)
    assert len(few) == len(many) == 4  # refresh states, roll-up, the teams' canvasses, live visits


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway")
@pytest.mark.parametrize("full", [True, False])
def test_two_workers_refreshing_at_once_count_each_visit_once(setting: Setting, full: bool) -> None:
    """Two workers pick up the refresh of the same gemeente at the same moment: the row lock makes the
    second wait for the first, so no cell is written twice (the unique constraint would refuse it)."""
    now = timezone.now()
    for days_ago in range(1, 40):
        visit(setting.canvass, setting.walkers[days_ago % 3], now - timedelta(days=days_ago), setting.doors[0])
    if not full:
        refresh_walker_days(setting.team.gemeente, full=True)
        for days_ago in range(1, 40, 2):
            visit(setting.canvass, setting.walkers[0], now - timedelta(days=days_ago, hours=1), setting.doors[1])
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            refresh_walker_days(setting.team.gemeente, full=full)
        except BaseException as exc:  # reported below: an exception in a thread would pass unseen
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    edges = [now - timedelta(days=d) for d in reversed(EDGE_DAYS)]
    assert {w: c for w, c in visits_per_walker([setting.team], edges)[setting.team.pk].items() if any(c)} == counted(
        setting.team, edges
    )
    recount: Counter[tuple[int, int, object]] = Counter()
    for walker, at in DoorVisit.objects.filter(canvass__incident__team=setting.team).values_list(
        "volunteer_id", "visited_at"
    ):
        recount[(setting.team.pk, walker, timezone.localtime(at).date())] += 1
    rolled = {(t, w, d): n for t, w, d, n in WalkerDay.objects.values_list("team_id", "volunteer_id", "day", "visits")}
    assert rolled == dict(recount)
