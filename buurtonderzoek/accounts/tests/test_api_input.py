"""Odd but harmless requests to the API get an answer, not a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import World

pytestmark = pytest.mark.django_db


def test_a_format_suffix_on_the_members_list_works(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = client.get(f"/api/v1/teams/{world.team.pk}/members.json")
    assert response.status_code == 200
    assert world.bob.email in response.content.decode()


@pytest.mark.parametrize("query", ["limit=99999999999999999999", "offset=99999999999999999999", "limit=-5&offset=x"])
def test_absurd_paging_parameters_are_capped(client: Client, world: World, query: str) -> None:
    client.force_login(world.alice)
    response = client.get(f"/api/v1/teams/?{query}")
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500


def test_a_malformed_json_body_is_a_dutch_problem(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = client.post("/api/v1/teams/", "{nee", content_type="application/json")
    assert response.status_code in (400, 405)
    assert response["Content-Type"] == "application/problem+json"
