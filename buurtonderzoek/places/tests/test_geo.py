from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from buurtonderzoek.places.geo import grid_strip, in_rd_area, rd_to_wgs84, wgs84_to_rd, wgs84_to_rd_int

# Offline, PROJ falls back to the published Helmert parameters for Amersfoort -> WGS84, itself good
# to about a metre; the polynomials are good to about a metre as well.
TOLERANCE_M = 2.0

RD_TO_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
WGS84_TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

# A grid over the land area of the Netherlands, from Zeeuws-Vlaanderen to Groningen and Zuid-Limburg.
GRID = [(x, y) for x in range(15_000, 280_001, 25_000) for y in range(310_000, 620_001, 25_000)]


def _metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 111_320.0
    dx = (lon1 - lon2) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


@pytest.mark.parametrize(("x", "y"), GRID)
def test_it_agrees_with_pyproj_from_rd_to_wgs84(x, y):
    lat, lon = rd_to_wgs84(x, y)
    plon, plat = RD_TO_WGS84.transform(x, y)
    assert _metres_between(lat, lon, plat, plon) < TOLERANCE_M


@pytest.mark.parametrize(("x", "y"), GRID)
def test_it_agrees_with_pyproj_from_wgs84_to_rd(x, y):
    plon, plat = RD_TO_WGS84.transform(x, y)
    rx, ry = wgs84_to_rd(plat, plon)
    px, py = WGS84_TO_RD.transform(plon, plat)
    assert math.hypot(rx - px, ry - py) < TOLERANCE_M


def test_it_maps_amersfoort_onto_the_grid_origin():
    assert rd_to_wgs84(155_000, 463_000) == pytest.approx((52.15517440, 5.38720621))
    assert wgs84_to_rd(52.15517440, 5.38720621) == pytest.approx((155_000, 463_000))


def test_it_places_the_dam_in_amsterdam_where_pyproj_does():
    # The Dam, Amsterdam: about x=121,400 y=487,400 in RD.
    x, y = wgs84_to_rd_int(52.37317, 4.89281)
    px, py = WGS84_TO_RD.transform(4.89281, 52.37317)
    assert abs(x - px) <= 2 and abs(y - py) <= 2


@given(
    x=st.floats(min_value=10_000, max_value=280_000, allow_nan=False),
    y=st.floats(min_value=300_000, max_value=620_000, allow_nan=False),
)
def test_it_round_trips_rd_through_wgs84_within_a_few_centimetres(x, y):
    lat, lon = rd_to_wgs84(x, y)
    bx, by = wgs84_to_rd(lat, lon)
    assert math.hypot(bx - x, by - y) < 0.05


@given(
    lat=st.floats(min_value=50.75, max_value=53.5, allow_nan=False),
    lon=st.floats(min_value=3.4, max_value=7.2, allow_nan=False),
)
def test_it_round_trips_wgs84_through_rd_within_a_few_centimetres(lat, lon):
    x, y = wgs84_to_rd(lat, lon)
    blat, blon = rd_to_wgs84(x, y)
    assert _metres_between(lat, lon, blat, blon) < 0.05


@given(x=st.integers(min_value=-10_000, max_value=300_000))
def test_it_puts_x_in_the_100_metre_strip_that_contains_it(x):
    strip = grid_strip(x)
    assert strip * 100 <= x < (strip + 1) * 100


def test_it_knows_the_rd_area():
    assert in_rd_area(155_000, 463_000)
    assert not in_rd_area(5.38, 52.15)  # lon/lat swapped in by mistake
