"""The admin's membership form answers in Dutch when the organisation does not fit the role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.models import Membership, Role
from conftest import World

pytestmark = pytest.mark.django_db


def test_emptying_the_team_of_a_membership_gives_a_dutch_message_not_an_error_page(
    client: Client, world: World
) -> None:
    client.force_login(world.admin)
    membership = Membership.objects.get(user=world.bob, team=world.team)
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    response = client.post(
        url, {"user": world.bob.pk, "role": Role.VOLUNTEER, "team": "", "police_unit": "", "gemeente": ""}
    )
    assert response.status_code == 200
    assert "Een buurtpreventielid of coördinator hoort bij een team" in response.content.decode()
    membership.refresh_from_db()
    assert membership.team == world.team
