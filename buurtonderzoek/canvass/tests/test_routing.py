from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from buurtonderzoek.canvass.routing import (
    Door,
    balance_ratio,
    bell_panel_order,
    build_segments,
    cut_walk,
    order_along_street,
    path_length,
    single_walk,
    size_band,
    split_routes,
    total_length,
)
from buurtonderzoek.canvass.synthetic import street_grid


def grid_doors(**kwargs: int) -> list[Door]:
    grid = street_grid(centre_x=0, centre_y=0, **kwargs)
    return [Door(i, a.x, a.y, a.street, a.huisnummer, "", a.toevoeging) for i, a in enumerate(grid)]


def nearest(doors: list[Door], n: int) -> list[Door]:
    return sorted(doors, key=lambda d: (math.hypot(d.x, d.y), d.id))[:n]


def test_it_orders_a_street_side_along_the_street_even_when_numbers_are_shuffled() -> None:
    # Numbers run against the geometry here: projection gives the shorter walk.
    doors = [Door(i, x=i * 6.0, y=0.0, street="Kerkstraat", huisnummer=n) for i, n in enumerate([1, 9, 3, 7, 5])]
    ordered = order_along_street(doors)
    assert [d.x for d in ordered] in (sorted(d.x for d in doors), sorted((d.x for d in doors), reverse=True))


def test_it_keeps_flats_at_one_entrance_in_number_order() -> None:
    doors = [Door(i, 0.0, 0.0, "Kerkstraat", 1, "", t) for i, t in enumerate(["10", "2", "1"])]
    assert [d.toevoeging for d in order_along_street(doors)] == ["1", "2", "10"]


def test_it_groups_by_street_and_side_and_cuts_at_gaps() -> None:
    doors = [Door(i, i * 6.0, 0.0, "Kerkstraat", 2 * i + 1) for i in range(5)]
    doors += [Door(10 + i, i * 6.0, 12.0, "Kerkstraat", 2 * i + 2) for i in range(5)]
    doors += [Door(20 + i, 500 + i * 6.0, 0.0, "Kerkstraat", 101 + 2 * i) for i in range(3)]
    segments = build_segments(doors)
    assert sorted(len(s) for s in segments) == [3, 5, 5]
    for segment in segments:
        assert len({(d.street, d.side) for d in segment}) == 1


def test_the_walk_visits_every_door_exactly_once() -> None:
    doors = nearest(grid_doors(half_size_m=200), 300)
    walk = single_walk(doors)
    assert sorted(d.id for d in walk) == sorted(d.id for d in doors)


def test_the_walk_is_much_shorter_than_the_doors_in_id_order() -> None:
    doors = nearest(grid_doors(half_size_m=200), 300)
    assert path_length(single_walk(doors)) < 0.5 * path_length(sorted(doors, key=lambda d: d.id))


def test_it_splits_600_doors_into_8_balanced_routes() -> None:
    doors = nearest(grid_doors(half_size_m=300), 600)
    routes = split_routes(doors, 8)
    assert len(routes) == 8
    assert balance_ratio(routes) <= 1.2
    assert sorted(d.id for r in routes for d in r.doors) == sorted(d.id for d in doors)


def test_routes_are_compact() -> None:
    doors = nearest(grid_doors(half_size_m=300), 600)
    routes = split_routes(doors, 8)
    # Each route's doors fit in a box much smaller than the whole area.
    whole = max(d.x for d in doors) - min(d.x for d in doors)
    for route in routes:
        span = max(
            max(d.x for d in route.doors) - min(d.x for d in route.doors),
            max(d.y for d in route.doors) - min(d.y for d in route.doors),
        )
        assert span < 0.8 * whole


def test_cutting_removes_the_longest_links() -> None:
    # Two clusters 1 km apart: the cut for two routes falls in the gap.
    walk = [Door(i, i * 5.0, 0.0, "A", 2 * i + 1) for i in range(10)] + [
        Door(10 + i, 1000 + i * 5.0, 0.0, "B", 2 * i + 1) for i in range(10)
    ]
    routes = cut_walk(walk, 2)
    assert [r.doors[0].street for r in routes] == ["A", "B"]
    assert total_length(routes) == 2 * 45.0


def test_the_size_band_keeps_the_ratio_within_limits() -> None:
    for n in range(10, 700, 7):
        for k in range(1, 12):
            if n < 5 * k:
                continue
            lo, hi = size_band(n, k)
            assert lo * k <= n <= hi * k
            assert hi / lo <= 1.2 or hi - lo <= 1


def test_it_is_deterministic_whatever_the_input_order() -> None:
    doors = nearest(grid_doors(half_size_m=200), 200)
    a = split_routes(doors, 5)
    b = split_routes(list(reversed(doors)), 5)
    assert [[d.id for d in r.doors] for r in a] == [[d.id for d in r.doors] for r in b]


def test_more_routes_than_doors_gives_one_door_each() -> None:
    doors = [Door(i, i * 5.0, 0.0, "A", 2 * i + 1) for i in range(3)]
    assert [len(r.doors) for r in split_routes(doors, 8)] == [1, 1, 1]
    assert split_routes([], 3) == []


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 400), st.integers(1, 60), st.sampled_from(["A", "B", "C"])),
        min_size=1,
        max_size=120,
    ),
    routes=st.integers(1, 9),
)
def test_any_split_covers_each_door_once_and_stays_balanced(points, routes) -> None:
    doors = [Door(i, float(x), float(y), street, n) for i, (x, y, n, street) in enumerate(points)]
    result = split_routes(doors, routes)
    assert sorted(d.id for r in result for d in r.doors) == list(range(len(doors)))
    sizes = [len(r.doors) for r in result]
    assert len(result) == min(routes, len(doors))
    assert max(sizes) - min(sizes) <= max(1, math.ceil(0.2 * min(sizes)))


def test_flats_of_one_building_are_listed_together_the_way_a_bell_panel_reads() -> None:
    # Flats in one building have slightly different positions in the BAG, and the walk may pass
    # the building backwards: the list still reads 62, 62-1, 62-2 ... 62-12, 62a, then 64 (huisnummer,
    # huisletter, then toevoeging with numbers compared as numbers).
    additions = ["12", "6", "7", "1", "10", "2"]
    flats = [Door(i, 0.3 * i, 0.1 * (i % 3), "Kerkstraat", 62, "", t) for i, t in enumerate(additions)]
    plain = Door(20, 0.5, 0.0, "Kerkstraat", 62)
    lettered = Door(21, 0.2, 0.0, "Kerkstraat", 62, "a")
    walk = [Door(30, -10.0, 0.0, "Kerkstraat", 60), flats[0], flats[1], Door(31, 12.0, 0.0, "Kerkstraat", 64)]
    walk += [flats[2], lettered, *flats[3:], plain]
    ordered = bell_panel_order(walk)
    labels = [f"{d.huisnummer}{d.huisletter}{'-' + d.toevoeging if d.toevoeging else ''}" for d in ordered]
    assert labels == ["60", "62", "62-1", "62-2", "62-6", "62-7", "62-10", "62-12", "62a", "64"]
    assert sorted(d.id for d in ordered) == sorted(d.id for d in walk)
