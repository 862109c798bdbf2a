"""The front page leads residents to what is theirs: the survey code, their buurt by postcode, alerts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.dashboards.residents import buurten_for
from buurtonderzoek.places.models import Address, Buurt
from conftest import World

pytestmark = pytest.mark.django_db


def address(buurt: Buurt, postcode: str, number: int) -> Address:
    return Address.objects.create(
        nummeraanduiding_id=f"{postcode}{number:05d}",
        street="Dorpsstraat",
        huisnummer=number,
        postcode=postcode,
        woonplaats="Demodorp",
        gemeente_code=buurt.gemeente.code,
        buurt_code=buurt.code,
        x=121000,
        y=487000,
        lat=52.0,
        lon=5.0,
        grid_x=1210,
    )


@pytest.fixture
def two_buurten(world: World) -> tuple[Buurt, Buurt]:
    centrum = BuurtFactory.create(name="Centrum", wijk__gemeente=world.gemeente, gemeente=world.gemeente)
    molenwijk = BuurtFactory.create(name="Molenwijk", wijk__gemeente=world.gemeente, gemeente=world.gemeente)
    address(centrum, "1234AB", 1)
    address(centrum, "1234AB", 3)
    address(molenwijk, "1234XY", 8)
    address(molenwijk, "1235AA", 2)  # another PC4: never found for 1234
    return centrum, molenwijk


def test_a_full_postcode_and_number_find_one_buurt(client: Client, two_buurten: tuple[Buurt, Buurt]) -> None:
    centrum, _molenwijk = two_buurten
    page = client.get(reverse("find_buurt"), {"postcode": "1234 ab", "huisnummer": "3"}).content.decode()
    assert "1 buurt gevonden" in page and "Centrum" in page and "Molenwijk" not in page
    assert reverse("buurt_alerts", args=[centrum.code]) in page
    assert reverse("monitor:buurt_summary", args=[centrum.code]) in page
    assert reverse("subscribe", args=[centrum.code]) in page
    assert "Dorpsstraat" not in page  # a buurt, never an address


def test_four_digits_find_every_buurt_of_the_pc4(two_buurten: tuple[Buurt, Buurt]) -> None:
    assert [b.buurt.name for b in buurten_for("1234")] == ["Centrum", "Molenwijk"]
    assert [b.buurt.name for b in buurten_for("1234XY")] == ["Molenwijk"]
    assert buurten_for("9999") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"postcode": ""}, "Vul uw postcode in, bijvoorbeeld 1234 AB."),
        ({"postcode": "12AB"}, "Vul een postcode in zoals 1234 of 1234 AB."),
        ({"postcode": "1234", "huisnummer": "5"}, "Vul bij een huisnummer ook de twee letters van uw postcode in."),
        ({"postcode": "1234AB", "huisnummer": "5a"}, "Vul alleen het nummer in, zonder letter of toevoeging."),
    ],
)
def test_bad_input_gets_a_dutch_message(client: Client, data: dict[str, str], message: str) -> None:
    response = client.get(reverse("find_buurt"), data)
    assert response.status_code == 400 and message in response.content.decode()


def test_an_unknown_postcode_says_so(client: Client, world: World) -> None:
    page = client.get(reverse("find_buurt"), {"postcode": "9999 ZZ"}).content.decode()
    assert "We vinden deze postcode niet" in page


def test_the_lookup_needs_a_constant_number_of_queries(
    client: Client, two_buurten: tuple[Buurt, Buurt], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(4):
        client.get(reverse("find_buurt"), {"postcode": "1234"})


def test_the_front_page_offers_the_survey_code_and_the_postcode_search(client: Client) -> None:
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("monitor:survey_start")}"' in page and 'name="code"' in page
    assert f'action="{reverse("find_buurt")}"' in page and 'name="postcode"' in page
