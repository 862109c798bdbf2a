"""Team health as the background job stores it: the same as a live count, refreshed by the job, read with
a fixed number of queries, and counted live for a team the job has not counted (yet)."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from buurtonderzoek.accounts.models import Invitation, Role, Team, User
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import MembershipFactory, TeamFactory
from buurtonderzoek.canvass.models import ReviewStatus
from buurtonderzoek.dashboards.health import (
    TeamHealth,
    counted_team_health,
    refresh_team_health,
    stored_max_age,
    team_health,
)
from buurtonderzoek.dashboards.models import TeamHealthCount
from buurtonderzoek.dashboards.tasks import refresh_grip_figures
from buurtonderzoek.dashboards.tests import history
from buurtonderzoek.monitor.tests.test_concurrency import run_together
from buurtonderzoek.places.models import Address
from buurtonderzoek.scheduling import jobs
from conftest import World

pytestmark = pytest.mark.django_db


def varied_team(world: World, rng: random.Random, doors: list[Address], name: str) -> Team:
    """A team with a random history: members, a coordinator (or none) last seen some days ago, walks by
    some of its members over the last 200 days, incidents left without a canvass, visits waiting for
    review, unanswered invitations, and sometimes created only this month."""
    now = timezone.now()
    team = TeamFactory.create(gemeente=world.gemeente, name=name)
    Team.objects.filter(pk=team.pk).update(created_at=now - timedelta(days=rng.choice([3, 20, 400])))
    team.refresh_from_db()
    if rng.random() < 0.8:
        coordinator = MembershipFactory.create(team=team, coordinator=True).user
        seen = rng.choice([None, 1, 10, 25, 60])
        if seen is not None:
            User.objects.filter(pk=coordinator.pk).update(last_login=now - timedelta(days=seen, hours=rng.random()))
    people = [MembershipFactory.create(team=team, role=Role.VOLUNTEER).user for _ in range(rng.randint(0, 6))]
    for _ in range(rng.randint(0, 12) if people else 0):
        walker = rng.choice(people[: rng.randint(1, len(people))])  # some walk much more than others
        at = now - timedelta(days=rng.uniform(0, 200))
        history.walk(team, by=walker, at=at, doors=rng.sample(doors, rng.randint(1, 4)))
    for _ in range(rng.randint(0, 2)):
        history.incident(team, at=now - timedelta(days=rng.uniform(1, 80)), consent=rng.random() < 0.7)
    if people and rng.random() < 0.4:
        late = history.incident(team, at=now - timedelta(days=rng.uniform(8, 30)))
        history.visits(
            history.canvass(late, at=late.created_at + timedelta(days=3)),
            by=people[0],
            at=late.created_at + timedelta(days=rng.uniform(3, 6)),
            doors=rng.sample(doors, 2),
            review=ReviewStatus.RECEIVED,
        )
    for i in range(rng.choice([0, 0, 1, 2])):
        invitation = Invitation.objects.create(
            team=team,
            email=f"{name}-{i}@example.nl".lower().replace(" ", "-"),
            token_hash=f"{name}{i}".ljust(64, "x"),
            expires_at=now + timedelta(days=4),
        )
        Invitation.objects.filter(pk=invitation.pk).update(created_at=now - timedelta(days=rng.uniform(1, 40)))
    return team


def walked_team(world: World, doors: list[Address], name: str) -> Team:
    team = TeamFactory.create(gemeente=world.gemeente, name=name)
    walker = MembershipFactory.create(team=team, coordinator=True).user
    history.walk(team, by=walker, at=timezone.now() - timedelta(days=5), doors=doors[:2])
    return team


def shown(health: TeamHealth) -> tuple[object, ...]:
    """Everything a page or the API shows of a team's health."""
    return (health.team.pk, health.level, asdict(health.facts), [asdict(s) for s in health.signals], health.counted_at)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stored_health_of_every_team_equals_a_live_count_at_the_same_moment(world: World, seed: int) -> None:
    rng = random.Random(seed)
    doors = history.addresses(12)
    teams = [world.team] + [varied_team(world, rng, doors, f"Team {seed}-{n}") for n in range(8)]
    refresh_grip_figures.call(world.gemeente.pk)  # the background job

    with CaptureQueriesContext(connection) as queries:
        stored = counted_team_health(teams)
    assert len(queries) == 1  # every team read from its stored count, none counted again
    [moment] = {h.counted_at for h in stored}
    live = team_health(teams, now=moment)
    assert [shown(h) for h in stored] == [shown(h) for h in live]
    levels = dict(TeamHealthCount.objects.values_list("team_id", "level"))
    assert [levels[t.pk] for t in teams] == [h.level for h in live]  # the stored level column too
    with translation.override("en"):  # the texts are made when read, in the reader's language
        assert [shown(h) for h in counted_team_health(teams)] == [shown(h) for h in team_health(teams, now=moment)]
        assert "members" in counted_team_health(teams)[0].signals[0].reason
    # The histories differ enough for the comparison to mean something.
    assert {s.level for h in live for s in h.signals} == {"in_orde", "let_op", "risico"}
    assert len({s.code for h in live for s in h.warnings}) >= 4


def test_the_job_recounts_what_changed_and_a_new_team_is_counted_at_once(world: World) -> None:
    team = world.team
    doors = history.addresses(3)
    jobs.refresh_grip_figures()  # the nightly scheduled job: one background task per gemeente
    [before] = counted_team_health([team])
    assert before.facts.doors_90 == 0
    history.walk(team, by=world.bob, at=timezone.now() - timedelta(hours=2), doors=doors)
    [unchanged] = counted_team_health([team])
    assert unchanged.facts.doors_90 == 0 and unchanged.counted_at == before.counted_at  # as counted, not live
    jobs.refresh_grip_figures()
    [after] = counted_team_health([team])
    assert after.facts.doors_90 == 3
    assert before.counted_at is not None and after.counted_at is not None and after.counted_at > before.counted_at

    newcomer = TeamFactory.create(gemeente=world.gemeente, name="Buurtpreventie Nieuw")
    MembershipFactory.create(team=newcomer, coordinator=True)
    [_, new] = counted_team_health([team, newcomer])
    assert new.facts.members == 1 and new.counted_at is not None
    assert new.counted_at > after.counted_at  # counted just now, live


def test_a_count_older_than_the_job_keeps_to_is_not_shown(world: World) -> None:
    refresh_grip_figures.call(world.gemeente.pk)
    MembershipFactory.create(team=world.team, role=Role.VOLUNTEER)
    TeamHealthCount.objects.filter(team=world.team).update(counted_at=timezone.now() - stored_max_age())
    [health] = counted_team_health([world.team])
    assert health.facts.members == 3  # alice, bob and the new member: counted live


def test_reading_stored_health_takes_the_same_queries_for_one_team_as_for_many(world: World) -> None:
    doors = history.addresses(6)
    rng = random.Random(7)
    refresh_grip_figures.call(world.gemeente.pk)
    with CaptureQueriesContext(connection) as one:
        counted_team_health([world.team])
    teams = [varied_team(world, rng, doors, f"Team {n}") for n in range(4)]
    refresh_grip_figures.call(world.gemeente.pk)
    with CaptureQueriesContext(connection) as many:
        counted_team_health([world.team, *teams])
    assert len(one) == len(many) == 1
    # Teams the job has not counted yet cost a fixed number of queries more, however many there are.
    one_new = [walked_team(world, doors, "Nieuw 0")]
    with CaptureQueriesContext(connection) as live_one:
        counted_team_health([world.team, *teams, *one_new])
    more_new = [walked_team(world, doors, f"Nieuw {n}") for n in range(1, 4)]
    with CaptureQueriesContext(connection) as live_many:
        counted_team_health([world.team, *teams, *one_new, *more_new])
    assert len(live_one) == len(live_many) > 1


def test_the_gemeente_sees_when_the_health_was_counted(client: Client, world: World) -> None:
    give_totp(world.gert)
    client.force_login(world.gert)
    client.get(reverse("grip_teams", args=[world.gemeente.pk]))  # starts the count (run at once in tests)
    counted = TeamHealthCount.objects.get(team=world.team).counted_at
    moment = timezone.localtime(counted).strftime("%H:%M")
    page = client.get(reverse("grip_teams", args=[world.gemeente.pk])).content.decode()
    assert "Cijfers bijgewerkt:" in page and moment in page
    start = client.get(reverse("start_municipal")).content.decode()
    assert "Cijfers bijgewerkt:" in start and moment in start
    assert "Buurtpreventie Noord" in start


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway")
def test_two_workers_counting_the_same_gemeente_at_once_both_succeed(world: World) -> None:
    """The nightly run and a page's request can count the same gemeente at the same moment: the second
    waits for the first instead of writing the same teams' rows (the primary key would refuse them)."""
    rng = random.Random(5)
    doors = history.addresses(6)
    for n in range(6):
        varied_team(world, rng, doors, f"Team {n}")
    outcomes = run_together(lambda _i: refresh_team_health(world.gemeente), count=2)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert TeamHealthCount.objects.filter(team__gemeente=world.gemeente).count() == 7


def test_a_level_label_is_in_the_reader_s_language_each_time() -> None:
    from buurtonderzoek.dashboards.templatetags.ob_dashboards import health_level

    for _ in range(2):  # the labels are kept per language after the first use
        with translation.override("nl"):
            assert health_level("risico") == '<span class="health health-risico">risico</span>'
        with translation.override("en"):
            assert health_level("risico") == '<span class="health health-risico">risk</span>'
