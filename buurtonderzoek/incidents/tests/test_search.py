from __future__ import annotations

import pytest

from buurtonderzoek.incidents.search import search_addresses
from conftest import World

pytestmark = pytest.mark.django_db


def test_it_finds_an_address_by_postcode_and_number_typed_loosely(world: World, streets) -> None:
    target = streets[10]
    pc = target.postcode
    for query in (f"{pc[:4]} {pc[4:]} {target.huisnummer}", f"{pc.lower()}{target.huisnummer}"):
        found = search_addresses(world.gemeente.code, query)
        assert target.pk in [a.pk for a in found], query


def test_it_finds_an_address_by_street_and_number(world: World, streets) -> None:
    target = streets[3]
    found = search_addresses(world.gemeente.code, f"{target.street.lower()} {target.huisnummer}")
    assert [a.pk for a in found] == [target.pk]


def test_it_suggests_streets_by_their_first_letters(world: World, streets) -> None:
    found = search_addresses(world.gemeente.code, streets[0].street[:5])
    assert found and all(a.street.startswith(streets[0].street[:5]) for a in found)


def test_it_searches_only_the_given_gemeente(world: World, streets) -> None:
    assert search_addresses(world.other_gemeente.code, f"{streets[3].street} {streets[3].huisnummer}") == []


def test_it_ignores_too_short_queries(world: World, streets) -> None:
    assert search_addresses(world.gemeente.code, "Ke") == []
