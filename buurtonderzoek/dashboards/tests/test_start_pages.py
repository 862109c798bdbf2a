from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from conftest import World

pytestmark = pytest.mark.django_db


def test_front_page_is_dutch_and_public(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Buurtonderzoek door buurtbewoners" in response.content.decode()
    assert 'lang="nl"' in response.content.decode()


def test_front_page_is_available_in_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert 'lang="en"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("alice", "start_coordinator"),
        ("bob", "start_volunteer"),
        ("petra", "start_police"),
        ("gert", "start_municipal"),
        ("admin", "start_admin"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client: Client, world: World, persona: str, landing: str) -> None:
    user = getattr(world, persona)
    give_totp(user)
    client.force_login(user)
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_start_page_requires_login(client: Client) -> None:
    response = client.get(reverse("start_coordinator"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_start_page_refuses_the_wrong_role(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("start_coordinator")).status_code == 403


def test_coordinator_start_page_shows_team_and_members(client: Client, world: World) -> None:
    client.force_login(world.alice)
    page = client.get(reverse("start_coordinator")).content.decode()
    assert "Buurtpreventie Noord" in page
    assert "bob@example.nl" in page or str(world.bob) in page
    assert "Buurtpreventie Elders" not in page


def test_police_without_2fa_is_sent_to_set_it_up(client: Client, world: World) -> None:
    client.force_login(world.petra)
    response = client.get(reverse("start_police"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_police_start_page_shows_the_unit_and_its_area(client: Client, world: World) -> None:
    give_totp(world.petra)
    client.force_login(world.petra)
    page = client.get(reverse("start_police")).content.decode()
    assert "Basisteam Demodorp" in page
    assert "Demodorp" in page


def test_a_large_gemeente_sees_the_teams_that_need_attention_first_and_a_link_to_all(
    client: Client, world: World
) -> None:
    from buurtonderzoek.accounts.tests.factories import MembershipFactory, TeamFactory
    from buurtonderzoek.dashboards.figures import START_PAGE_TEAMS

    # Twelve teams of five members who never walked, and two teams without members (risico).
    for n in range(12):
        team = TeamFactory.create(name=f"Buurtpreventie Wijk {n:02d}", gemeente=world.gemeente)
        for _ in range(5):
            MembershipFactory.create(role=Role.VOLUNTEER, team=team)
    for name in ("Buurtpreventie Leeg A", "Buurtpreventie Leeg B"):
        TeamFactory.create(name=name, gemeente=world.gemeente)
    give_totp(world.gert)
    client.force_login(world.gert)
    page = client.get(reverse("start_municipal")).content.decode()

    cards = re.findall(r"<h3>(Buurtpreventie [^<]+)</h3>", page)
    assert len(cards) == START_PAGE_TEAMS
    assert cards[:2] == ["Buurtpreventie Leeg A", "Buurtpreventie Leeg B"]  # risico first
    assert "15 teams:" in page and "Hieronder staan 12 teams: de teams met risico of let op eerst." in page
    assert f'href="{reverse("grip_teams", args=[world.gemeente.pk])}"' in page
    assert "Alle teams in Demodorp en hun gezondheid" in page


def test_a_small_gemeente_sees_every_team_and_no_link(client: Client, world: World) -> None:
    give_totp(world.gert)
    client.force_login(world.gert)
    page = client.get(reverse("start_municipal")).content.decode()
    assert re.findall(r"<h3>(Buurtpreventie [^<]+)</h3>", page) == ["Buurtpreventie Noord"]
    assert "1 team:" in page and "Alle teams in" not in page
