"""RD New (EPSG:28992) <-> WGS84 conversion in pure Python.

The polynomial approximations of Schreutelkamp and Strang van Hees ("Benaderingsformules voor de
transformatie tussen RD- en WGS84-kaartcoördinaten", 2001). They are accurate to about a metre
within the Netherlands, which is ample for addresses and a radius of a few hundred metres, and
need no PROJ grids or system libraries. Outside the RD area the error grows quickly; callers that
convert points far outside NL get numbers, not an exception, so validate bounds where it matters.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from buurtonderzoek.places.models import GRID_STRIP_METRES

# Amersfoort, the origin of the RD grid, in RD metres and in WGS84 degrees.
X0 = 155_000.0
Y0 = 463_000.0
PHI0 = 52.15517440
LAM0 = 5.38720621

# (p, q, coefficient): latitude/longitude offsets in arc seconds from dX^p * dY^q (units of 100 km).
_K = (
    (0, 1, 3235.65389),
    (2, 0, -32.58297),
    (0, 2, -0.24750),
    (2, 1, -0.84978),
    (0, 3, -0.06550),
    (2, 2, -0.01709),
    (1, 0, -0.00738),
    (4, 0, 0.00530),
    (2, 3, -0.00039),
    (4, 1, 0.00033),
    (1, 1, -0.00012),
)
_L = (
    (1, 0, 5260.52916),
    (1, 1, 105.94684),
    (1, 2, 2.45656),
    (3, 0, -0.81885),
    (1, 3, 0.05594),
    (3, 1, -0.05607),
    (0, 1, 0.01199),
    (3, 2, -0.00256),
    (1, 4, 0.00128),
    (0, 2, 0.00022),
    (2, 0, -0.00022),
    (5, 0, 0.00026),
)
# (p, q, coefficient): RD metres from dPhi^p * dLam^q (units of 10,000 arc seconds).
_R = (
    (0, 1, 190094.945),
    (1, 1, -11832.228),
    (2, 1, -114.221),
    (0, 3, -32.391),
    (1, 0, -0.705),
    (3, 1, -2.340),
    (1, 3, -0.608),
    (0, 2, -0.008),
    (2, 3, 0.148),
)
_S = (
    (1, 0, 309056.544),
    (0, 2, 3638.893),
    (2, 0, 73.077),
    (1, 2, -157.984),
    (3, 0, 59.788),
    (0, 1, 0.433),
    (2, 2, -6.439),
    (1, 1, -0.032),
    (0, 4, 0.092),
    (1, 4, -0.054),
)

# The RD grid's valid area (with a margin), for validating imported coordinates.
RD_X_MIN, RD_X_MAX = -7_000, 300_000
RD_Y_MIN, RD_Y_MAX = 289_000, 629_000


def _series(terms: tuple[tuple[int, int, float], ...], a: Any, b: Any) -> Any:
    # Powers by repeated multiplication, once each: for numpy arrays of millions of points this is
    # several times faster than evaluating a**p * b**q per term.
    pa = [1.0, a]
    pb = [1.0, b]
    for _ in range(4):
        pa.append(pa[-1] * a)
        pb.append(pb[-1] * b)
    total: Any = 0.0
    for p, q, c in terms:
        if p and q:
            total = total + c * pa[p] * pb[q]
        elif p:
            total = total + c * pa[p]
        else:
            total = total + c * pb[q]
    return total


def _rd_to_wgs84(x: Any, y: Any) -> tuple[Any, Any]:
    # Plain arithmetic, so the same code serves floats and whole numpy arrays.
    dx = (x - X0) * 1e-5
    dy = (y - Y0) * 1e-5
    return PHI0 + _series(_K, dx, dy) / 3600.0, LAM0 + _series(_L, dx, dy) / 3600.0


def _wgs84_to_rd(lat: Any, lon: Any) -> tuple[Any, Any]:
    dphi = 0.36 * (lat - PHI0)
    dlam = 0.36 * (lon - LAM0)
    return X0 + _series(_R, dphi, dlam), Y0 + _series(_S, dphi, dlam)


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New x/y in metres to WGS84 (lat, lon) in degrees."""
    lat, lon = _rd_to_wgs84(x, y)
    return float(lat), float(lon)


def wgs84_to_rd(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 (lat, lon) in degrees to RD New x/y in metres (floats; round for storage)."""
    x, y = _wgs84_to_rd(lat, lon)
    return float(x), float(y)


FloatArray = NDArray[np.float64]


def rd_to_wgs84_array(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """rd_to_wgs84 over whole arrays at once (importers convert millions of points)."""
    return _rd_to_wgs84(x, y)


def wgs84_to_rd_array(lat: FloatArray, lon: FloatArray) -> tuple[FloatArray, FloatArray]:
    return _wgs84_to_rd(lat, lon)


def wgs84_to_rd_int(lat: float, lon: float) -> tuple[int, int]:
    """WGS84 to RD rounded to whole metres, the unit addresses are stored in."""
    x, y = wgs84_to_rd(lat, lon)
    return round(x), round(y)


def in_rd_area(x: float, y: float) -> bool:
    return RD_X_MIN <= x <= RD_X_MAX and RD_Y_MIN <= y <= RD_Y_MAX


def grid_strip(x: int) -> int:
    """The 100 m x-strip an RD x falls in; floor division keeps negative x consistent."""
    return x // GRID_STRIP_METRES


def distance_m(x1: float, y1: float, x2: float, y2: float) -> float:
    return math.hypot(x1 - x2, y1 - y2)
