from __future__ import annotations

import re
from collections import defaultdict

import pytest
from shapely.geometry import Point, shape

from buurtonderzoek.places.generators.town import generate_town
from buurtonderzoek.places.geo import grid_strip, wgs84_to_rd
from buurtonderzoek.places.models import Address, Buurt, Wijk

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return generate_town(progress=False)


def test_it_creates_lindenhoven_with_two_wijken_and_six_buurten(town):
    assert (town.code, town.name) == ("GM9901", "Lindenhoven")
    assert list(Wijk.objects.filter(gemeente=town).values_list("code", flat=True)) == ["WK990101", "WK990102"]
    codes = list(Buurt.objects.filter(gemeente=town).values_list("code", flat=True))
    assert codes == ["BU99010101", "BU99010102", "BU99010103", "BU99010201", "BU99010202", "BU99010203"]


def test_it_creates_about_three_thousand_addresses_on_about_forty_streets(town):
    addresses = Address.objects.filter(gemeente_code="GM9901")
    assert 2_500 <= addresses.count() <= 3_500
    assert 35 <= addresses.values("street").distinct().count() <= 50


def test_it_does_not_duplicate_on_a_second_run(town):
    before = list(Address.objects.order_by("nummeraanduiding_id").values_list("nummeraanduiding_id", "street", "x"))
    generate_town(progress=False)
    after = list(Address.objects.order_by("nummeraanduiding_id").values_list("nummeraanduiding_id", "street", "x"))
    assert before == after
    assert Buurt.objects.filter(code__startswith="BU9901").count() == 6


def test_it_tiles_the_town_with_buurten_that_do_not_overlap(town):
    buurten = [shape(b.boundary) for b in Buurt.objects.filter(gemeente=town)]
    outline = shape(town.boundary)
    assert sum(b.area for b in buurten) == pytest.approx(outline.area, rel=1e-6)
    for i, a in enumerate(buurten):
        for b in buurten[i + 1 :]:
            assert a.intersection(b).area < 1e-9


def test_it_gives_every_address_the_buurt_its_point_lies_in(town):
    shapes = {b.code: shape(b.boundary) for b in Buurt.objects.filter(gemeente=town)}
    for a in Address.objects.filter(gemeente_code="GM9901"):
        assert a.buurt_code
        # On the map (WGS84) too, not only in RD where the code was decided.
        assert shapes[a.buurt_code].covers(Point(a.lon, a.lat))
        others = [code for code, s in shapes.items() if code != a.buurt_code and s.covers(Point(a.lon, a.lat))]
        assert others == []


def test_it_keeps_rd_and_wgs84_consistent(town):
    for a in Address.objects.filter(gemeente_code="GM9901")[:500]:
        x, y = wgs84_to_rd(a.lat, a.lon)
        assert abs(x - a.x) < 0.01 and abs(y - a.y) < 0.01
        assert a.grid_x == grid_strip(a.x)


def test_it_uses_bag_like_ids_and_dutch_postcodes(town):
    for a in Address.objects.filter(gemeente_code="GM9901"):
        assert re.fullmatch(r"9901200\d{9}", a.nummeraanduiding_id)
        assert re.fullmatch(r"9901(01|02|03)\d{10}", a.object_id)
        assert re.fullmatch(r"399[1-5][A-Z]{2}", a.postcode)
    assert Address.objects.filter(object_type="L").exists()
    assert Address.objects.filter(object_type="S").exists()


def test_it_puts_odd_and_even_numbers_on_opposite_sides_with_one_postcode_per_stretch(town):
    by_code: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for a in Address.objects.filter(gemeente_code="GM9901"):
        by_code[a.postcode].add((a.street, a.huisnummer % 2))
    # A postcode covers one side of one street, as PostNL assigns them.
    assert all(len(v) == 1 for v in by_code.values())


def test_it_has_huisletters_toevoegingen_and_apartment_blocks(town):
    addresses = Address.objects.filter(gemeente_code="GM9901")
    assert addresses.exclude(huisletter="").exists()
    assert addresses.exclude(toevoeging="").exists()
    blocks: dict[tuple[str, int], int] = defaultdict(int)
    for street, nr in addresses.exclude(toevoeging="").values_list("street", "huisnummer"):
        blocks[(street, nr)] += 1
    assert max(blocks.values()) >= 8


def test_it_is_deterministic_for_a_seed_and_different_for_another(town):
    first = list(Address.objects.order_by("nummeraanduiding_id").values_list("street", "huisnummer", "x", "y"))
    generate_town(seed=8, progress=False)
    other = list(Address.objects.order_by("nummeraanduiding_id").values_list("street", "huisnummer", "x", "y"))
    assert other != first
    generate_town(seed=7, progress=False)
    again = list(Address.objects.order_by("nummeraanduiding_id").values_list("street", "huisnummer", "x", "y"))
    assert again == first
