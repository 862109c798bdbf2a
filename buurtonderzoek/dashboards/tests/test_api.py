"""The gemeente API: grip figures and team health with a personal API key, and who may not read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import ApiToken, Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import BuurtFactory, MembershipFactory, WijkFactory
from buurtonderzoek.dashboards.tests import history
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def gert_key(world: World) -> ApiToken:
    give_totp(world.gert)
    return actions.create_api_token(by=world.gert, name="BI-dashboard", valid_days=30)


def bearer(token: ApiToken) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.token}"}


def grip_url(world: World) -> str:
    return reverse("api-grip", args=[world.gemeente.pk])


def test_a_gemeente_key_reads_the_figures_per_buurt_and_per_wijk(
    client: Client, world: World, gert_key: ApiToken
) -> None:
    wijk = WijkFactory.create(gemeente=world.gemeente, code="WK999901", name="Centrum")
    buurt = BuurtFactory.create(wijk=wijk, gemeente=world.gemeente, code="BU99990101", name="Haven")
    history.walk(
        world.team,
        by=world.bob,
        at=timezone.now() - timedelta(days=1),
        doors=history.addresses(8, buurt_code=buurt.code),
    )
    body = client.get(grip_url(world), headers=bearer(gert_key)).json()
    haven = next(a for a in body["areas"] if a["code"] == "BU99990101")
    assert haven == {
        "code": "BU99990101",
        "name": "Haven",
        "level": "buurt",
        "wijk_code": "WK999901",
        "addresses": 8,
        "incidents": 1,
        "incidents_per_1000_addresses": "125.0",
        "canvasses": 1,
        "doors_visited": 8,
        "reports_used": 0,
        "hours_saved": "0.8",
    }
    assert body["total"]["doors_visited"] == 8 and body["total"]["level"] == "gemeente"
    assert body["refreshed_at"] is not None
    per_wijk = client.get(grip_url(world), {"niveau": "wijk"}, headers=bearer(gert_key)).json()
    assert {a["code"]: a["doors_visited"] for a in per_wijk["areas"]}["WK999901"] == 8


def test_it_explains_a_bad_period_in_dutch(client: Client, world: World, gert_key: ApiToken) -> None:
    response = client.get(grip_url(world), {"van": "2026-05", "tot": "2026-01"}, headers=bearer(gert_key))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "De beginmaand ligt na de eindmaand" in response.json()["detail"]


def test_team_health_lists_each_team_with_its_signals(client: Client, world: World, gert_key: ApiToken) -> None:
    url = reverse("api-team-health", args=[world.gemeente.pk])
    client.get(url, headers=bearer(gert_key))  # the first call starts the background count (run at once here)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, headers=bearer(gert_key)).json()
    [noord] = body
    assert noord["team"] == "Buurtpreventie Noord"
    assert noord["level"] == "risico"
    assert {s["code"] for s in noord["signals"]} >= {"members", "active_walkers", "coordinator"}
    assert all(s["reason"] and s["action"] for s in noord["signals"])
    assert noord["counted_at"] is not None
    assert len(queries) <= 10  # the stored counts: no door visit, incident or membership is read


def test_anonymous_callers_are_refused(client: Client, world: World) -> None:
    assert client.get(grip_url(world)).status_code in (401, 403)


def test_another_gemeente_is_not_found(client: Client, world: World) -> None:
    outsider = MembershipFactory.create(role=Role.MUNICIPAL, team=None, gemeente=world.other_gemeente).user
    give_totp(outsider)
    key = actions.create_api_token(by=outsider, name="BI", valid_days=30)
    assert client.get(grip_url(world), headers=bearer(key)).status_code == 404
    assert client.get(reverse("api-team-health", args=[world.gemeente.pk]), headers=bearer(key)).status_code == 404


def test_police_keys_do_not_read_gemeente_figures(client: Client, world: World) -> None:
    give_totp(world.petra)
    key = actions.create_api_token(by=world.petra, name="BVH", valid_days=30)
    assert client.get(grip_url(world), headers=bearer(key)).status_code == 403


def test_a_gemeente_key_does_not_open_police_reports(client: Client, world: World, gert_key: ApiToken) -> None:
    response = client.get("/api/v1/reports/", headers=bearer(gert_key))
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_gemeente_staff_manage_their_own_keys(client: Client, world: World) -> None:
    from buurtonderzoek.accounts.tests.test_api_tokens import police_page_client

    police_page_client(client, world.gert)
    assert client.get(reverse("api_token_list")).status_code == 200
    response = client.post(reverse("api_token_create"), {"name": "Power BI", "valid_days": "90"})
    assert response.status_code == 201
    assert ApiToken.objects.get(owner=world.gert).name == "Power BI"
