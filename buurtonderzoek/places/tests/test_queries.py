from __future__ import annotations

import math
import random

import pytest
from shapely.geometry import Point, Polygon, box

from buurtonderzoek.places.generators.town import generate_town
from buurtonderzoek.places.geo import rd_to_wgs84
from buurtonderzoek.places.models import Address, Buurt
from buurtonderzoek.places.queries import (
    addresses_near,
    addresses_within_polygon,
    addresses_within_radius,
    ids_within_radius,
    sort_addresses,
)
from buurtonderzoek.places.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

# The centre sits 50 m into a strip, so a 150 m radius spans four strips and crosses three edges.
CX, CY = 100_050, 400_050


def at(dx: int, dy: int, **kw) -> Address:
    return AddressFactory.create(x=CX + dx, y=CY + dy, **kw)


def both(radius: int) -> tuple[set[int], set[int]]:
    fast = set(ids_within_radius(CX, CY, radius))
    full = {a.pk for a in addresses_within_radius(CX, CY, radius)}
    return fast, full


@pytest.mark.parametrize("r", [1, 5, 150, 300])
def test_it_includes_r_minus_one_and_r_and_excludes_r_plus_one_on_every_axis(r):
    inside, outside = [], []
    for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        inside.append(at(sx * (r - 1), sy * (r - 1)).pk)
        inside.append(at(sx * r, sy * r).pk)
        outside.append(at(sx * (r + 1), sy * (r + 1)).pk)
    fast, full = both(r)
    assert fast == full
    assert set(inside) <= fast
    assert not set(outside) & fast


def test_it_decides_diagonal_edges_by_exact_integer_distance():
    exactly = at(90, 120).pk  # 90² + 120² = 150²
    beyond = at(90, 121).pk  # 150.6 m
    also_exactly = at(-120, -90).pk
    fast, full = both(150)
    assert fast == full
    assert exactly in fast and also_exactly in fast
    assert beyond not in fast


def test_it_finds_points_on_both_sides_of_strip_boundaries():
    # CX = 100,050: strip 1000 runs 100,000-100,099; its neighbours start at 100,100 and end at 99,999.
    ids = [at(dx, 0).pk for dx in (-51, -50, -1, 0, 49, 50, 51)]
    fast, full = both(60)
    assert fast == full == set(ids)


def test_it_reaches_the_outermost_strips_only_where_the_circle_does():
    # Radius 150 from x = 100,050 reaches x = 99,900 (strip 999) and 100,200 (strip 1002).
    left = at(-150, 0).pk
    right = at(150, 0).pk
    beyond = at(-151, 0).pk
    fast, _ = both(150)
    assert {left, right} <= fast and beyond not in fast


def test_it_returns_only_the_centre_for_radius_zero_and_nothing_for_a_negative_radius():
    centre = at(0, 0).pk
    at(1, 0)
    assert ids_within_radius(CX, CY, 0) == [centre]
    assert ids_within_radius(CX, CY, -1) == []
    assert addresses_within_radius(CX, CY, -1) == []


def test_it_leaves_out_excluded_ids():
    a, b = at(0, 0), at(10, 0)
    assert ids_within_radius(CX, CY, 50, exclude={a.pk}) == [b.pk]
    assert [x.pk for x in addresses_within_radius(CX, CY, 50, exclude={b.pk})] == [a.pk]


def test_it_sorts_by_street_then_number_letter_and_toevoeging():
    specs = [
        ("Kerkstraat", 10, "", ""),
        ("Kerkstraat", 2, "", "10"),
        ("Kerkstraat", 2, "", "2"),
        ("Kerkstraat", 2, "A", ""),
        ("Kerkstraat", 2, "", ""),
        ("Dorpsstraat", 99, "", ""),
        ("Kerkstraat", 1, "", ""),
    ]
    for i, (street, nr, letter, toev) in enumerate(specs):
        at(i, 0, street=street, huisnummer=nr, huisletter=letter, toevoeging=toev)
    labels = [f"{a.street} {a.house_number_label}" for a in addresses_within_radius(CX, CY, 20)]
    assert labels == [
        "Dorpsstraat 99",
        "Kerkstraat 1",
        "Kerkstraat 2",
        "Kerkstraat 2-2",
        "Kerkstraat 2-10",
        "Kerkstraat 2A",
        "Kerkstraat 10",
    ]


def test_it_finds_addresses_near_a_wgs84_point():
    a = at(0, 0)
    lat, lon = rd_to_wgs84(CX + 30, CY)
    assert [x.pk for x in addresses_near(lat, lon, 31)] == [a.pk]
    assert addresses_near(lat, lon, 28) == []


def test_it_includes_polygon_edges_and_corners_and_excludes_just_outside():
    square = box(CX, CY, CX + 200, CY + 200)
    inside = [at(0, 0), at(200, 200), at(100, 0), at(0, 100), at(200, 57), at(100, 100)]
    outside = [at(-1, 0), at(201, 100), at(100, 201), at(100, -1)]
    found = {a.pk for a in addresses_within_polygon(square)}
    assert found == {a.pk for a in inside}
    assert not found & {a.pk for a in outside}


def test_it_excludes_points_inside_the_bounding_box_but_outside_a_concave_polygon_or_in_a_hole():
    ell = Polygon(
        [(CX, CY), (CX + 300, CY), (CX + 300, CY + 100), (CX + 100, CY + 100), (CX + 100, CY + 300), (CX, CY + 300)]
    )
    in_foot, in_notch = at(250, 50), at(250, 250)
    ring = Polygon(
        [(CX, CY), (CX + 300, CY), (CX + 300, CY + 300), (CX, CY + 300)],
        holes=[[(CX + 100, CY + 100), (CX + 200, CY + 100), (CX + 200, CY + 200), (CX + 100, CY + 200)]],
    )
    in_hole, on_hole_edge = at(150, 150), at(100, 150)
    found = {a.pk for a in addresses_within_polygon(ell)}
    assert in_foot.pk in found and in_notch.pk not in found
    found = {a.pk for a in addresses_within_polygon(ring)}
    assert on_hole_edge.pk in found and in_hole.pk not in found


def test_it_finds_polygon_points_across_strip_boundaries_and_honours_exclusions():
    strip_edges = [at(dx, 10) for dx in (-50, -51, 49, 50, 149, 150)]
    poly = box(CX - 51, CY, CX + 150, CY + 20)
    assert {a.pk for a in addresses_within_polygon(poly)} == {a.pk for a in strip_edges}
    skip = strip_edges[0].pk
    assert skip not in {a.pk for a in addresses_within_polygon(poly, exclude={skip})}


def test_it_reads_a_geojson_polygon_in_wgs84_and_matches_the_buurt_codes_of_lindenhoven():
    generate_town(progress=False)
    for buurt in Buurt.objects.filter(code__startswith="BU9901"):
        found = {a.pk for a in addresses_within_polygon(buurt.boundary)}
        coded = set(Address.objects.filter(buurt_code=buurt.code).values_list("pk", flat=True))
        assert found == coded


def test_it_refuses_geojson_that_is_not_a_polygon():
    with pytest.raises(ValueError, match="Polygon"):
        addresses_within_polygon({"type": "Point", "coordinates": [5.1, 52.0]})


def test_it_agrees_with_brute_force_over_the_whole_town():
    generate_town(progress=False)
    points = list(Address.objects.values_list("pk", "x", "y"))
    rng = random.Random(3)
    for _ in range(20):
        _pk, cx, cy = rng.choice(points)
        cx += rng.randint(-60, 60)
        cy += rng.randint(-60, 60)
        r = rng.choice([0, 25, 150, 300, 301])
        expected = {pk for pk, x, y in points if (x - cx) ** 2 + (y - cy) ** 2 <= r * r}
        assert set(ids_within_radius(cx, cy, r)) == expected
        assert {a.pk for a in addresses_within_radius(cx, cy, r)} == expected
        # And the polygon query agrees with shapely's own view of a circle-ish polygon.
        poly = Polygon([(cx + r * math.cos(t / 8 * math.pi), cy + r * math.sin(t / 8 * math.pi)) for t in range(16)])
        if r:
            got = {a.pk for a in addresses_within_polygon(poly)}
            want = {pk for pk, x, y in points if poly.intersects(Point(x, y))}
            assert got == want


def test_sort_addresses_is_stable_for_equal_labels():
    a = AddressFactory.build(street="A", huisnummer=1, pk=2)
    b = AddressFactory.build(street="A", huisnummer=1, pk=1)
    assert sort_addresses([a, b]) == [b, a]
