"""Team health on constructed histories: each signal, and a team that goes quiet is flagged in time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buurtonderzoek.accounts.models import Invitation, Role, Team, User
from buurtonderzoek.accounts.tests.factories import MembershipFactory, TeamFactory
from buurtonderzoek.canvass.models import ReviewStatus
from buurtonderzoek.dashboards.health import Signal, TeamHealth, bus_factor, team_health
from buurtonderzoek.dashboards.tests import history
from conftest import World

pytestmark = pytest.mark.django_db


def signal(health: TeamHealth, code: str) -> Signal:
    return next(s for s in health.signals if s.code == code)


def members(team: Team, n: int) -> list[User]:
    return [MembershipFactory.create(team=team, role=Role.VOLUNTEER).user for _ in range(n)]


def busy_team(world: World, *, walkers: int = 6) -> tuple[Team, list[User]]:
    """A healthy team: a coordinator who just signed in and walkers who each walked this month."""
    team = TeamFactory.create(gemeente=world.gemeente)
    coordinator = MembershipFactory.create(team=team, coordinator=True).user
    User.objects.filter(pk=coordinator.pk).update(last_login=timezone.now())
    people = members(team, walkers)
    doors = history.addresses(walkers * 2)
    now = timezone.now()
    for days_ago in (10, 45, 100):
        for i, person in enumerate(people):
            history.walk(team, by=person, at=now - timedelta(days=days_ago), doors=doors[i * 2 : i * 2 + 2])
    return team, people


def test_bus_factor_counts_how_few_members_do_more_than_half() -> None:
    assert bus_factor([]) is None
    assert bus_factor([0, 0]) is None
    assert bus_factor([10]) == 1
    assert bus_factor([9, 1, 1]) == 1
    assert bus_factor([5, 5]) == 2
    assert bus_factor([3, 3, 3, 3]) == 3


def test_a_busy_team_is_in_order(world: World) -> None:
    team, _people = busy_team(world)
    [health] = team_health([team])
    assert health.level == "in_orde", health.warnings
    assert health.facts.active_30 == 6
    assert health.facts.active_90 == 6
    assert health.facts.bus_factor == 4
    assert health.facts.incidents_90 == 12
    assert health.facts.incidents_late == 0


def test_a_team_of_two_without_incidents_or_walkers_never_looks_healthy(world: World) -> None:
    team = TeamFactory.create(gemeente=world.gemeente)
    Team.objects.filter(pk=team.pk).update(created_at=timezone.now() - timedelta(days=200))
    team.refresh_from_db()
    MembershipFactory.create(team=team, coordinator=True)
    members(team, 1)
    [health] = team_health([team])
    assert health.level == "risico"
    assert signal(health, "members").level == "let_op"
    assert signal(health, "active_walkers").level == "risico"
    assert "90 dagen" in signal(health, "active_walkers").reason
    assert signal(health, "active_walkers").action


def test_a_brand_new_team_is_asked_to_start_not_alarmed(world: World) -> None:
    team = TeamFactory.create(gemeente=world.gemeente)
    MembershipFactory.create(team=team, coordinator=True)
    [health] = team_health([team])
    assert signal(health, "active_walkers").level == "let_op"


def walker_level(team: Team, now: datetime) -> str:
    [health] = team_health([team], now=now)
    return signal(health, "active_walkers").level


def test_a_team_that_slowly_goes_quiet_is_flagged_before_it_stops(world: World) -> None:
    """Eight walkers; every three weeks one more stops, until nobody walks. The warning must come
    while people still walk, not only when the last one has gone."""
    team = TeamFactory.create(gemeente=world.gemeente)
    people = members(team, 8)
    doors = history.addresses(8)
    start = timezone.now() - timedelta(days=400)
    Team.objects.filter(pk=team.pk).update(created_at=start)
    team.refresh_from_db()
    last_walk = start
    for week in range(0, 8 * 3 + 12):
        active = people[: max(0, 8 - max(0, week - 12) // 3)]
        for i, person in enumerate(active):
            last_walk = start + timedelta(weeks=week, days=i % 3)
            history.walk(team, by=person, at=last_walk, doors=[doors[i]])
    first_warning = next(
        start + timedelta(weeks=w) for w in range(12, 60) if walker_level(team, start + timedelta(weeks=w)) != "in_orde"
    )
    assert first_warning < last_walk - timedelta(weeks=3)
    assert walker_level(team, first_warning) == "let_op"
    assert walker_level(team, last_walk + timedelta(days=91)) == "risico"


def test_one_member_doing_most_doors_is_a_risk(world: World) -> None:
    team, people = busy_team(world, walkers=2)
    doors = history.addresses(20)
    history.walk(team, by=people[0], at=timezone.now() - timedelta(days=3), doors=doors)
    [health] = team_health([team])
    assert health.facts.bus_factor == 1
    assert signal(health, "concentration").level == "risico"
    assert "helft" in signal(health, "concentration").reason


def test_a_silent_coordinator_is_flagged(world: World, settings: object) -> None:
    team, _people = busy_team(world)
    coordinator = team.memberships.get(role=Role.COORDINATOR).user
    User.objects.filter(pk=coordinator.pk).update(last_login=timezone.now() - timedelta(days=25))
    [health] = team_health([team])
    assert signal(health, "coordinator").level == "let_op"
    assert "25 dagen" in signal(health, "coordinator").reason
    User.objects.filter(pk=coordinator.pk).update(last_login=timezone.now() - timedelta(days=50))
    [health] = team_health([team])
    assert signal(health, "coordinator").level == "risico"


def test_a_recent_action_counts_as_a_sign_of_life(world: World) -> None:
    from buurtonderzoek.core.audit import record

    team, _people = busy_team(world)
    coordinator = team.memberships.get(role=Role.COORDINATOR).user
    User.objects.filter(pk=coordinator.pk).update(last_login=timezone.now() - timedelta(days=50))
    record(coordinator, "update", team, summary="Team bijgewerkt")
    [health] = team_health([team])
    assert signal(health, "coordinator").level == "in_orde"


def test_a_team_without_coordinator_is_a_risk(world: World) -> None:
    team = TeamFactory.create(gemeente=world.gemeente)
    members(team, 5)
    [health] = team_health([team])
    assert signal(health, "coordinator").level == "risico"


def test_incidents_without_a_canvass_in_72_hours_are_flagged(world: World) -> None:
    team, _people = busy_team(world)
    now = timezone.now()
    history.incident(team, at=now - timedelta(days=5))  # never canvassed
    late = history.incident(team, at=now - timedelta(days=9))
    history.canvass(late, at=now - timedelta(days=4))
    history.incident(team, at=now - timedelta(days=5), consent=False)  # may not be canvassed: not counted
    history.incident(team, at=now - timedelta(hours=20))  # still has time
    [health] = team_health([team])
    assert health.facts.incidents_late == 2
    assert signal(health, "timeliness").level == "let_op"
    assert "2 van de 15" in signal(health, "timeliness").reason


def test_a_slow_first_door_is_flagged(world: World) -> None:
    team = TeamFactory.create(gemeente=world.gemeente)
    [walker] = members(team, 1)
    doors = history.addresses(2)
    now = timezone.now()
    inc = history.incident(team, at=now - timedelta(days=10), address=doors[0])
    cv = history.canvass(inc, at=now - timedelta(days=9, hours=23))
    history.visits(cv, by=walker, at=now - timedelta(days=5), doors=doors)
    [health] = team_health([team])
    assert health.facts.median_hours_to_first_door == pytest.approx(5 * 24 + 1, abs=0.1)
    assert signal(health, "first_door").level == "risico"


def test_visits_waiting_long_for_review_are_flagged(world: World) -> None:
    team, people = busy_team(world)
    inc = history.incident(team, at=timezone.now() - timedelta(days=12))
    cv = history.canvass(inc, at=timezone.now() - timedelta(days=12))
    history.visits(
        cv,
        by=people[0],
        at=timezone.now() - timedelta(days=10),
        doors=history.addresses(3),
        review=ReviewStatus.RECEIVED,
    )
    [health] = team_health([team])
    assert health.facts.visits_waiting == 3
    assert signal(health, "review").level == "let_op"


def test_unanswered_invitations_are_flagged(world: World) -> None:
    team, _people = busy_team(world)
    invitation = Invitation.objects.create(
        team=team, email="nieuw@example.nl", token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=4)
    )
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=10))
    [health] = team_health([team])
    assert health.facts.invitations_unanswered == 1
    assert signal(health, "invitations").level == "let_op"


def test_the_number_of_queries_does_not_grow_with_teams_or_activity(world: World) -> None:
    small, _ = busy_team(world, walkers=1)
    with CaptureQueriesContext(connection) as one:
        team_health([small])
    teams = [busy_team(world)[0] for _ in range(3)]
    with CaptureQueriesContext(connection) as many:
        team_health([small, *teams])
    assert len(one) == len(many) == 9
