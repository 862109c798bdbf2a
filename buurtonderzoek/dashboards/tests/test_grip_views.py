"""The gemeente's grip page and team-health page: access, figures, drill-down, CSV, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.accounts.tests.factories import BuurtFactory, MembershipFactory, TeamFactory, WijkFactory
from buurtonderzoek.dashboards.grip import refresh_area_months
from buurtonderzoek.dashboards.models import AreaRefresh
from buurtonderzoek.dashboards.tasks import refresh_grip_figures
from buurtonderzoek.dashboards.tests import history
from buurtonderzoek.places.models import Buurt
from conftest import World

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.01, 52.0], [5.01, 52.01], [5.0, 52.01], [5.0, 52.0]]]}


@pytest.fixture
def gert(client: Client, world: World) -> Client:
    give_totp(world.gert)
    client.force_login(world.gert)
    return client


def busy_buurt(world: World, *, doors: int = 12) -> Buurt:
    wijk = WijkFactory.create(gemeente=world.gemeente, name="Centrum")
    buurt = BuurtFactory.create(wijk=wijk, gemeente=world.gemeente, name="Oude Haven", boundary=SQUARE)
    history.walk(
        world.team,
        by=world.bob,
        at=timezone.now() - timedelta(days=2),
        doors=history.addresses(doors, buurt_code=buurt.code),
    )
    return buurt


def test_it_sends_anonymous_visitors_to_the_login(client: Client, world: World) -> None:
    for name in ("grip", "grip_teams"):
        response = client.get(reverse(name, args=[world.gemeente.pk]))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_it_hides_another_gemeente(client: Client, world: World) -> None:
    outsider = MembershipFactory.create(role=Role.MUNICIPAL, team=None, gemeente=world.other_gemeente).user
    give_totp(outsider)
    client.force_login(outsider)
    assert client.get(reverse("grip", args=[world.gemeente.pk])).status_code == 404
    assert client.get(reverse("grip_teams", args=[world.gemeente.pk])).status_code == 404


def test_it_refuses_team_members_and_police(client: Client, world: World) -> None:
    for user in (world.bob, world.alice, world.petra):
        give_totp(user)
        client.force_login(user)
        assert client.get(reverse("grip", args=[world.gemeente.pk])).status_code == 403
        assert client.get(reverse("grip_teams", args=[world.gemeente.pk])).status_code == 403


def test_it_shows_counts_per_wijk_without_descriptions_or_addresses(gert: Client, world: World) -> None:
    buurt = busy_buurt(world)
    page = gert.get(reverse("grip", args=[world.gemeente.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Centrum" in html
    assert '<td class="num" data-label="Deuren bezocht">12</td>' in html
    assert '<td class="num" data-label="Incidenten">1</td>' in html
    assert "Fiets weg." not in html  # the incident's description
    assert "Proefstraat" not in html  # street names of addresses
    assert f"wijk={buurt.wijk_id}" in html  # the drill-down link
    assert AreaRefresh.objects.get(gemeente=world.gemeente).refreshed_at is not None


def test_it_drills_down_to_the_buurten_of_a_wijk_and_to_one_buurt(gert: Client, world: World) -> None:
    buurt = busy_buurt(world)
    BuurtFactory.create(wijk=buurt.wijk, gemeente=world.gemeente, name="Nieuwe Haven")
    url = reverse("grip", args=[world.gemeente.pk])
    wijk_page = gert.get(url, {"wijk": buurt.wijk_id}).content.decode()
    assert "Oude Haven" in wijk_page and "Nieuwe Haven" in wijk_page
    assert f"buurt={buurt.pk}" in wijk_page
    buurt_page = gert.get(url, {"buurt": buurt.pk}).content.decode()
    assert "<h1>Grip op veiligheid: Oude Haven</h1>" in buurt_page
    assert "Nieuwe Haven</a>" not in buurt_page


def test_it_downloads_the_table_as_csv(gert: Client, world: World) -> None:
    busy_buurt(world)
    response = gert.get(reverse("grip", args=[world.gemeente.pk]), {"formaat": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("gebied;CBS-code;adressen;Incidenten per 1.000 adressen;Incidenten;")
    assert any(line.startswith("Centrum;") and ";12;" in line for line in lines)
    assert lines[-1].startswith("Totaal;GM9999;")


def test_it_explains_a_period_that_runs_backwards(gert: Client, world: World) -> None:
    response = gert.get(reverse("grip", args=[world.gemeente.pk]), {"van": "2026-05", "tot": "2026-01"})
    assert response.status_code == 400
    assert "De beginmaand ligt na de eindmaand" in response.content.decode()


def test_it_refuses_a_buurt_of_another_gemeente(gert: Client, world: World) -> None:
    elsewhere = BuurtFactory.create(wijk__gemeente=world.other_gemeente)
    response = gert.get(reverse("grip", args=[world.gemeente.pk]), {"buurt": elsewhere.pk})
    assert response.status_code == 400
    assert "Kies een buurt van deze gemeente." in response.content.decode()


def test_the_page_costs_the_same_number_of_queries_with_more_data(gert: Client, world: World) -> None:
    url = reverse("grip", args=[world.gemeente.pk])
    gert.get(url)  # the first view starts the recount
    with CaptureQueriesContext(connection) as empty:
        gert.get(url)
    for _ in range(3):
        busy_buurt(world, doors=5)
    refresh_area_months(world.gemeente)
    with CaptureQueriesContext(connection) as busy:
        gert.get(url)
    assert len(empty) == len(busy) == 17


def test_the_menu_leads_the_gemeente_to_grip_not_to_an_empty_incident_list(gert: Client, world: World) -> None:
    html = gert.get(reverse("start_municipal")).content.decode()
    assert reverse("grip_index") in html
    assert reverse("incident_list") not in html
    assert gert.get(reverse("grip_index"))["Location"] == reverse("grip", args=[world.gemeente.pk])


def test_team_health_page_lists_risks_first_with_a_constant_number_of_queries(gert: Client, world: World) -> None:
    url = reverse("grip_teams", args=[world.gemeente.pk])
    busy_buurt(world)
    gert.get(url)  # the first view starts the roll-up's refresh (run at once by the test task backend)
    with CaptureQueriesContext(connection) as few:
        html = gert.get(url).content.decode()
    assert "Buurtpreventie Noord" in html
    assert "risico" in html
    for n in range(3):
        team = TeamFactory.create(gemeente=world.gemeente, name=f"Team {n}")
        MembershipFactory.create(team=team, coordinator=True)
    busy_buurt(world)
    busy_buurt(world)
    assert "Team 2" in gert.get(url).content.decode()  # a team the job has not counted yet is counted live
    refresh_grip_figures.call(world.gemeente.pk)  # the background job the page starts every hour
    with CaptureQueriesContext(connection) as many:
        gert.get(url)
    assert len(few) == len(many)
