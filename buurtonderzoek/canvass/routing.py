"""Split a canvass area into balanced, compact walking routes.

Volunteers walk a street one side at a time, along the street, so the building block is a
*street side*: all doors with the same street name and house-number parity. The flow:

1. Group the doors by (street, side). Order each group along the street: by projection on the
   group's principal axis or by house number, whichever is the shorter walk (house numbers follow
   the street in the BAG, the axis copes with odd numbering). Cut a group where two consecutive
   doors are more than `GAP_M` apart (one street name in two parts of town): the result are
   *segments*, short ordered chains of doors.
2. Chain all segments into one walk ("route first, cluster second"): greedy nearest neighbour from
   the outermost segment, then 2-opt (which also turns segments round) and or-opt (moving one to
   three segments elsewhere) until nothing improves. Segments are few (one per street side), so
   this is fast in pure Python.
3. Cut the walk into N consecutive pieces whose door counts stay in a narrow band around the mean
   (max/min at most 1.2 where the numbers allow it), choosing the cut points by dynamic
   programming so that the longest links of the walk are the ones removed. Each piece is a
   contiguous stretch of the walk, so routes are compact and never cross each other's streets.

`split_routes` returns the routes and their straight-line walking length; the benchmark
(bench/bench_canvass.py) compares it with OR-Tools, which `optimise_routes` uses when installed.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

GAP_M = 80.0
MAX_SEGMENT_M = 100.0
MAX_IMPROVE_ROUNDS = 50
BALANCE_BAND = 0.09  # each route within about +-9% of the mean door count, where possible
MAX_RATIO = 1.2


@dataclass(frozen=True)
class Door:
    id: int
    x: float
    y: float
    street: str
    huisnummer: int
    huisletter: str = ""
    toevoeging: str = ""

    @property
    def side(self) -> str:
        return "odd" if self.huisnummer % 2 else "even"

    def sort_key(self) -> tuple[int, str, str]:
        """The way a person reads a bell panel: 62, 62-1, 62-2 ... 62-12, 62A (digits compared as numbers)."""
        return (self.huisnummer, self.huisletter.upper(), _natural(self.toevoeging.upper()))


@dataclass
class PlannedRoute:
    doors: list[Door] = field(default_factory=list)

    @property
    def length_m(self) -> float:
        return path_length(self.doors)


def _natural(value: str) -> str:
    # "2" before "10" in toevoegingen such as flats' floor numbers.
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), value)


def dist(a: Door, b: Door) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def path_length(doors: Sequence[Door]) -> float:
    return sum(dist(doors[i], doors[i + 1]) for i in range(len(doors) - 1))


def total_length(routes: Sequence[PlannedRoute]) -> float:
    return sum(route.length_m for route in routes)


def balance_ratio(routes: Sequence[PlannedRoute]) -> float:
    sizes = [len(route.doors) for route in routes]
    if not sizes or min(sizes) == 0:
        return math.inf
    return max(sizes) / min(sizes)


def bell_panel_order(doors: Sequence[Door]) -> list[Door]:
    """The walking order, with the doors of one building together in bell-panel order.

    Flats in one building (same street and huisnummer) share nearly one position, so the walk
    orders them by chance (62-12, 62-6, 62-7) or backwards when a street stretch is walked the
    other way. The volunteer stands at one bell panel: list them where the walk first reaches the
    building, sorted by huisletter and then toevoeging, numbers compared as numbers.
    """
    buildings: dict[tuple[str, int], list[Door]] = {}
    for door in doors:
        buildings.setdefault((door.street, door.huisnummer), []).append(door)
    ordered: list[Door] = []
    for door in doors:
        building = buildings.pop((door.street, door.huisnummer), None)
        if building is not None:
            ordered.extend(sorted(building, key=Door.sort_key))
    return ordered


# 1. Segments ---------------------------------------------------------------------------------


def order_along_street(doors: Sequence[Door]) -> list[Door]:
    """Doors of one street side in walking order."""
    by_number = sorted(doors, key=Door.sort_key)
    if len(doors) < 3:
        return by_number
    n = len(doors)
    mx = sum(d.x for d in doors) / n
    my = sum(d.y for d in doors) / n
    sxx = sum((d.x - mx) ** 2 for d in doors)
    syy = sum((d.y - my) ** 2 for d in doors)
    sxy = sum((d.x - mx) * (d.y - my) for d in doors)
    # Principal axis of the 2x2 covariance matrix, in closed form.
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    ux, uy = math.cos(angle), math.sin(angle)
    by_axis = sorted(doors, key=lambda d: ((d.x - mx) * ux + (d.y - my) * uy, *d.sort_key()))
    # Same-position doors (flats) keep number order whichever ordering wins.
    return by_axis if path_length(by_axis) < path_length(by_number) - 1e-6 else by_number


def build_segments(doors: Sequence[Door], *, gap_m: float = GAP_M, max_m: float = MAX_SEGMENT_M) -> list[list[Door]]:
    groups: dict[tuple[str, str], list[Door]] = defaultdict(list)
    for door in doors:
        groups[(door.street.casefold(), door.side)].append(door)
    segments: list[list[Door]] = []
    for key in sorted(groups):
        ordered = order_along_street(groups[key])
        current = [ordered[0]]
        for prev, door in itertools.pairwise(ordered):
            if dist(prev, door) > gap_m:
                segments.append(current)
                current = []
            current.append(door)
        segments.append(current)
    return [piece for segment in segments for piece in _shorten(segment, max_m)]


def _shorten(segment: list[Door], max_m: float) -> list[list[Door]]:
    """Cut a long street side into near-equal stretches of at most `max_m` metres.

    Stretches about a block long let the walk go up one side and back down the other, so a pair
    finishes a block before moving on, instead of walking a long street out and back.
    """
    length = path_length(segment)
    if length <= max_m or len(segment) < 4:
        return [segment]
    pieces = math.ceil(length / max_m)
    out: list[list[Door]] = [[]]
    walked = 0.0
    for prev, door in zip([None, *segment[:-1]], segment, strict=True):
        if prev is not None:
            walked += dist(prev, door)
        if walked > length * len(out) / pieces and out[-1]:
            out.append([])
        out[-1].append(door)
    return out


# 2. One walk through all segments -------------------------------------------------------------


class _Walk:
    """A sequence of segments, each walked forward or reversed; the cost is the links between them."""

    def __init__(self, segments: list[list[Door]]) -> None:
        self.segments = segments
        self.order: list[int] = []
        self.flipped: list[bool] = [False] * len(segments)

    def entry(self, pos: int) -> Door:
        seg = self.segments[self.order[pos]]
        return seg[-1] if self.flipped[self.order[pos]] else seg[0]

    def exit(self, pos: int) -> Door:
        seg = self.segments[self.order[pos]]
        return seg[0] if self.flipped[self.order[pos]] else seg[-1]

    def doors(self) -> list[Door]:
        out: list[Door] = []
        for index in self.order:
            seg = self.segments[index]
            out.extend(reversed(seg) if self.flipped[index] else seg)
        return out

    def greedy(self, start_near: Door | None = None) -> None:
        segs = self.segments
        cx = sum(s[0].x for s in segs) / len(segs)
        cy = sum(s[0].y for s in segs) / len(segs)
        # Start at the segment end farthest from the middle (a walk from the edge inwards), or
        # nearest to where the previous cluster's walk ended.
        start, start_flip, best = 0, False, -math.inf
        for i, seg in enumerate(segs):
            for flip, end in ((False, seg[0]), (True, seg[-1])):
                if start_near is None:
                    score = math.hypot(end.x - cx, end.y - cy)
                else:
                    score = -math.hypot(end.x - start_near.x, end.y - start_near.y)
                if score > best:
                    start, start_flip, best = i, flip, score
        unvisited = set(range(len(segs))) - {start}
        self.order = [start]
        self.flipped[start] = start_flip
        here = self.exit(0)
        while unvisited:
            nxt, nxt_flip, best = -1, False, math.inf
            for i in unvisited:
                seg = segs[i]
                d0 = math.hypot(seg[0].x - here.x, seg[0].y - here.y)
                if d0 < best:
                    nxt, nxt_flip, best = i, False, d0
                d1 = math.hypot(seg[-1].x - here.x, seg[-1].y - here.y)
                if d1 < best:
                    nxt, nxt_flip, best = i, True, d1
            unvisited.discard(nxt)
            self.order.append(nxt)
            self.flipped[nxt] = nxt_flip
            here = self.exit(len(self.order) - 1)

    def two_opt(self) -> bool:
        """Reverse a stretch of segments (each one turned round) when that shortens the links."""
        improved = False
        n = len(self.order)
        for i in range(n):
            a = self.exit(i - 1) if i > 0 else None
            ei = self.entry(i)
            for j in range(i, n):
                xj = self.exit(j)
                b = self.entry(j + 1) if j + 1 < n else None
                before = (dist(a, ei) if a else 0.0) + (dist(xj, b) if b else 0.0)
                after = (dist(a, xj) if a else 0.0) + (dist(ei, b) if b else 0.0)
                if after < before - 1e-6:
                    self._reverse(i, j)
                    improved = True
                    ei = self.entry(i)
        return improved

    def _reverse(self, i: int, j: int) -> None:
        stretch = self.order[i : j + 1]
        for index in stretch:
            self.flipped[index] = not self.flipped[index]
        self.order[i : j + 1] = stretch[::-1]

    def or_opt(self) -> bool:
        """Move a run of one to three segments (either way round) to a better place in the walk."""
        improved = False
        for run in (1, 2, 3):
            i = 0
            while i + run <= len(self.order):
                if self._move_run(i, run):
                    improved = True
                else:
                    i += 1
        return improved

    def _move_run(self, i: int, run: int) -> bool:
        n = len(self.order)
        j = i + run - 1
        first, last = self.entry(i), self.exit(j)
        a = self.exit(i - 1) if i > 0 else None
        b = self.entry(j + 1) if j + 1 < n else None
        removed = (dist(a, first) if a else 0.0) + (dist(last, b) if b else 0.0) - (dist(a, b) if a and b else 0.0)
        if removed <= 1e-6:
            return False
        best_gain, best_pos, best_rev = 1e-6, -1, False
        # Insert between positions k and k+1 of the walk without the run (k = -1: at the start).
        rest = [p for p in range(n) if p < i or p > j]
        for idx in range(-1, len(rest)):
            p = self.exit(rest[idx]) if idx >= 0 else None
            q = self.entry(rest[idx + 1]) if idx + 1 < len(rest) else None
            base = dist(p, q) if p and q else 0.0
            fwd = (dist(p, first) if p else 0.0) + (dist(last, q) if q else 0.0) - base
            rev = (dist(p, last) if p else 0.0) + (dist(first, q) if q else 0.0) - base
            for added, reverse in ((fwd, False), (rev, True)):
                gain = removed - added
                if gain > best_gain:
                    best_gain, best_pos, best_rev = gain, idx, reverse
        if best_pos == -1 and best_gain <= 1e-6:
            return False
        if best_gain <= 1e-6:
            return False
        moving = self.order[i : j + 1]
        remaining = [self.order[p] for p in rest]
        if best_rev:
            for index in moving:
                self.flipped[index] = not self.flipped[index]
            moving = moving[::-1]
        insert_at = best_pos + 1
        self.order = remaining[:insert_at] + moving + remaining[insert_at:]
        return True


def _improve(walk: _Walk) -> None:
    for _round in range(MAX_IMPROVE_ROUNDS):
        improved = walk.two_opt()
        improved = walk.or_opt() or improved
        if not improved:
            break


def single_walk(doors: Sequence[Door]) -> list[Door]:
    """One short walk through all doors, street side by street side."""
    segments = build_segments(doors)
    if not segments:
        return []
    walk = _Walk(segments)
    walk.greedy()
    _improve(walk)
    return walk.doors()


def _centroid(doors: Sequence[Door]) -> tuple[float, float]:
    return sum(d.x for d in doors) / len(doors), sum(d.y for d in doors) / len(doors)


def _pair_sides(segments: list[list[Door]], *, within_m: float = 40.0) -> list[list[int]]:
    """Pair each stretch with the facing stretch across the street (same street, other side).

    A pair is walked as a loop, up one side and back down the other; clustering pairs instead of
    single sides keeps a cluster edge from running down the middle of a street.
    """
    centres = [_centroid(s) for s in segments]
    candidates = []
    for i, a in enumerate(segments):
        for j in range(i + 1, len(segments)):
            b = segments[j]
            if a[0].street == b[0].street and a[0].side != b[0].side:
                d = math.dist(centres[i], centres[j])
                if d <= within_m:
                    candidates.append((d, i, j))
    paired: set[int] = set()
    units: list[list[int]] = []
    for _d, i, j in sorted(candidates):
        if i not in paired and j not in paired:
            paired.update((i, j))
            units.append([i, j])
    units.extend([i] for i in range(len(segments)) if i not in paired)
    return sorted(units)


def _clusters(segments: list[list[Door]], k: int) -> list[list[int]]:
    """Weighted k-means of street stretches (pairs of facing sides), seeded far apart."""
    units = _pair_sides(segments)
    unit_groups = _cluster_units([[d for i in unit for d in segments[i]] for unit in units], k)
    return [[i for u in group for i in units[u]] for group in unit_groups]


def _cluster_units(unit_doors: list[list[Door]], k: int) -> list[list[int]]:
    points = [_centroid(s) for s in unit_doors]
    weights = [len(s) for s in unit_doors]
    cx = sum(p[0] * w for p, w in zip(points, weights, strict=True)) / sum(weights)
    cy = sum(p[1] * w for p, w in zip(points, weights, strict=True)) / sum(weights)
    first = max(range(len(points)), key=lambda i: (math.hypot(points[i][0] - cx, points[i][1] - cy), -i))
    centres = [points[first]]
    while len(centres) < k:
        far = max(
            range(len(points)),
            key=lambda i: (min(math.hypot(points[i][0] - c[0], points[i][1] - c[1]) for c in centres), -i),
        )
        centres.append(points[far])
    labels = [0] * len(points)
    for _round in range(25):
        labels = [min(range(k), key=lambda c: math.hypot(p[0] - centres[c][0], p[1] - centres[c][1])) for p in points]
        moved = False
        for c in range(k):
            members = [i for i, label in enumerate(labels) if label == c]
            if not members:
                continue
            total = sum(weights[i] for i in members)
            new = (
                sum(points[i][0] * weights[i] for i in members) / total,
                sum(points[i][1] * weights[i] for i in members) / total,
            )
            moved = moved or math.hypot(new[0] - centres[c][0], new[1] - centres[c][1]) > 0.5
            centres[c] = new
        if not moved:
            break
    groups = [[i for i, label in enumerate(labels) if label == c] for c in range(k)]
    groups = [g for g in groups if g]
    # Visit the clusters in a short order, so that a cut between two routes falls at a cluster edge.
    order = _short_order([_centroid([d for i in g for d in unit_doors[i]]) for g in groups])
    return [groups[i] for i in order]


def _rebalance(
    labels: list[int], points: list[tuple[float, float]], weights: list[int], centres: list[tuple[float, float]]
) -> None:
    """Move segments out of overfull clusters into the nearest cluster with room, cheapest first.

    Clusters of about equal size put the route boundaries at cluster edges, where the walk jumps.
    """
    k = len(centres)
    target = sum(weights) / k
    loads = [0] * k
    for i, label in enumerate(labels):
        loads[label] += weights[i]
    slack = max(weights) / 2
    for _step in range(4 * len(points)):
        over = max(range(k), key=lambda c: (loads[c], -c))
        if loads[over] - target <= slack:
            break
        best: tuple[float, int, int] | None = None
        for i, label in enumerate(labels):
            if label != over:
                continue
            here = math.dist(points[i], centres[over])
            for c in range(k):
                if c != over and loads[c] + weights[i] < loads[over]:
                    cost = math.dist(points[i], centres[c]) - here
                    if best is None or cost < best[0]:
                        best = (cost, i, c)
        if best is None:
            break
        _cost, i, c = best
        labels[i] = c
        loads[over] -= weights[i]
        loads[c] += weights[i]


def _short_order(points: list[tuple[float, float]]) -> list[int]:
    if len(points) <= 2:
        return list(range(len(points)))
    cx, cy = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    current = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - cx, points[i][1] - cy))
    order, left = [current], set(range(len(points))) - {current}
    while left:
        current = min(
            left,
            key=lambda i: (math.hypot(points[i][0] - points[order[-1]][0], points[i][1] - points[order[-1]][1]), i),
        )
        order.append(current)
        left.discard(current)
    improved = True
    while improved:
        improved = False
        for i in range(1, len(order) - 1):
            for j in range(i + 1, len(order)):
                a, b = points[order[i - 1]], points[order[i]]
                c = points[order[j]]
                d = points[order[j + 1]] if j + 1 < len(order) else None
                before = math.dist(a, b) + (math.dist(c, d) if d else 0.0)
                after = math.dist(a, c) + (math.dist(b, d) if d else 0.0)
                if after < before - 1e-6:
                    order[i : j + 1] = order[i : j + 1][::-1]
                    improved = True
    return order


def clustered_walk(doors: Sequence[Door], routes: int) -> list[Door]:
    """One walk that finishes one compact cluster of streets before the next (cluster first).

    The clusters only steer the walk; `cut_walk` still decides the exact route boundaries, so
    balance does not depend on how evenly k-means happened to split the doors.
    """
    segments = build_segments(doors)
    if not segments:
        return []
    if routes <= 1 or len(segments) <= routes:
        return single_walk(doors)
    out: list[Door] = []
    for group in _clusters(segments, routes):
        walk = _Walk([segments[i] for i in group])
        walk.greedy(start_near=out[-1] if out else None)
        _improve(walk)
        out.extend(walk.doors())
    return out


# 3. Cut into balanced pieces ------------------------------------------------------------------


def size_band(n: int, routes: int) -> tuple[int, int]:
    """Smallest and largest allowed route size: a band around the mean, max/min within MAX_RATIO."""
    mean = n / routes
    floor, ceil = math.floor(mean), math.ceil(mean)
    lo = min(floor, math.floor(mean * (1 - BALANCE_BAND)))
    hi = max(ceil, math.ceil(mean * (1 + BALANCE_BAND)))
    # Narrow the band towards the mean until the ratio holds (or whole doors allow no better).
    while hi > lo * MAX_RATIO and (lo < floor or hi > ceil):
        if lo < floor and (hi <= ceil or mean - lo >= hi - mean):
            lo += 1
        else:
            hi -= 1
    return max(1, lo), hi


def cut_walk(walk: Sequence[Door], routes: int) -> list[PlannedRoute]:
    """Cut the walk into `routes` consecutive pieces, sizes within the band, removing the longest links."""
    n = len(walk)
    if routes <= 1 or n <= routes:
        if routes <= 1:
            return [PlannedRoute(list(walk))]
        return [PlannedRoute([door]) for door in walk]
    lo, hi = size_band(n, routes)
    links = [dist(walk[k], walk[k + 1]) for k in range(n - 1)]
    neg = -math.inf
    # best[r][k]: the largest total of removed links when the first k doors form r pieces.
    best = [[neg] * (n + 1) for _ in range(routes + 1)]
    back = [[0] * (n + 1) for _ in range(routes + 1)]
    best[0][0] = 0.0
    for r in range(1, routes + 1):
        prev_row, row, back_row = best[r - 1], best[r], back[r]
        k_min, k_max = r * lo, min(n, r * hi)
        for k in range(k_min, k_max + 1):
            # The piece is walk[k - s : k]; it is cut after k - 1 unless it is the last piece.
            gain = links[k - 1] if k < n else 0.0
            top, arg = neg, 0
            for s in range(lo, hi + 1):
                start = k - s
                if start < 0:
                    break
                value = prev_row[start]
                if value > top:
                    top, arg = value, start
            if top > neg:
                row[k] = top + gain
                back_row[k] = arg
    if best[routes][n] == neg:
        # The band was too narrow for these numbers: fall back to equal sizes.
        size, extra = divmod(n, routes)
        bounds, start = [], 0
        for r in range(routes):
            end = start + size + (1 if r < extra else 0)
            bounds.append((start, end))
            start = end
    else:
        bounds = []
        k = n
        for r in range(routes, 0, -1):
            start = back[r][k]
            bounds.append((start, k))
            k = start
        bounds.reverse()
    return [PlannedRoute(list(walk[a:b])) for a, b in bounds]


def split_routes(doors: Sequence[Door], routes: int) -> list[PlannedRoute]:
    """The whole split: segments, one walk, balanced cuts. Deterministic for the same input."""
    if not doors:
        return []
    routes = max(1, min(routes, len(doors)))
    ordered = sorted(doors, key=lambda d: d.id)  # the result must not depend on query order
    pieces = cut_walk(clustered_walk(ordered, routes), routes)
    if len(pieces) < 2:
        return pieces
    # A piece may hold the end of one cluster and the start of the next: walk each anew, then
    # let neighbouring routes trade street stretches while that shortens the total.
    walks = []
    for piece in pieces:
        walk = _Walk(build_segments(piece.doors))
        walk.greedy()
        _improve(walk)
        walks.append(walk)
    lo, hi = size_band(len(ordered), routes)
    _trade(walks, lo, hi)
    return [PlannedRoute(walk.doors()) for walk in walks]


def _link(a: Door | None, b: Door | None) -> float:
    return dist(a, b) if a is not None and b is not None else 0.0


def _trade(walks: list[_Walk], lo: int, hi: int) -> None:
    """Move single street stretches between routes when the total walk gets shorter.

    Sizes stay within [lo, hi]. Each move takes the stretch out where it saves most and puts it
    in the best gap of the other route, either way round; both routes are then re-improved.
    """
    sizes = [sum(len(s) for s in w.segments) for w in walks]
    for _round in range(MAX_IMPROVE_ROUNDS):
        moved = False
        for a, walk_a in enumerate(walks):
            pos = 0
            while pos < len(walk_a.order):
                seg = walk_a.segments[walk_a.order[pos]]
                n = len(seg)
                if sizes[a] - n < lo or len(walk_a.order) == 1:
                    pos += 1
                    continue
                first, last = walk_a.entry(pos), walk_a.exit(pos)
                prev = walk_a.exit(pos - 1) if pos > 0 else None
                nxt = walk_a.entry(pos + 1) if pos + 1 < len(walk_a.order) else None
                saved = _link(prev, first) + _link(last, nxt) - _link(prev, nxt) + path_length(seg)
                best: tuple[float, int, int, bool] | None = None
                for b, walk_b in enumerate(walks):
                    if b == a or sizes[b] + n > hi:
                        continue
                    for k in range(-1, len(walk_b.order)):
                        p = walk_b.exit(k) if k >= 0 else None
                        q = walk_b.entry(k + 1) if k + 1 < len(walk_b.order) else None
                        base = _link(p, q)
                        for flip in (False, True):
                            head, tail = (last, first) if flip else (first, last)
                            cost = _link(p, head) + _link(tail, q) - base + path_length(seg)
                            gain = saved - cost
                            if gain > 1.0 and (best is None or gain > best[0]):
                                best = (gain, b, k, flip)
                if best is None:
                    pos += 1
                    continue
                _gain, b, k, flip = best
                index = walk_a.order.pop(pos)
                segment = walk_a.segments[index]
                if walk_a.flipped[index] != flip:
                    segment = segment[::-1]
                walk_b = walks[b]
                walk_b.segments.append(segment)
                walk_b.flipped.append(False)
                walk_b.order.insert(k + 1, len(walk_b.segments) - 1)
                sizes[a] -= n
                sizes[b] += n
                for walk in (walk_a, walk_b):
                    _compact(walk)
                    _improve(walk)
                moved = True
                pos = 0
        if not moved:
            break


def _compact(walk: _Walk) -> None:
    """Drop segments no longer in the walk, so indexes stay dense."""
    segments = [walk.segments[i][::-1] if walk.flipped[i] else walk.segments[i] for i in walk.order]
    walk.segments = segments
    walk.flipped = [False] * len(segments)
    walk.order = list(range(len(segments)))


def sides_in_walk(route: PlannedRoute) -> list[tuple[str, str]]:
    """(street, side) of each stretch in walking order, for the walking list's headings."""
    out: list[tuple[str, str]] = []
    for door in route.doors:
        key = (door.street, door.side)
        if not out or out[-1] != key:
            out.append(key)
    return out
