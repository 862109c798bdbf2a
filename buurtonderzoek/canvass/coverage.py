"""Coverage of a canvass: the state of every door and the progress of every route.

A door's state is the best news it gave: spoken beats refused, refused beats everything else;
otherwise the latest visit counts (not home, leaflet left, come back later). Doors nobody rang are
"open". Two visits per query, whatever the number of routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from buurtonderzoek.canvass.models import REVISIT_OUTCOMES, Canvass, DoorVisit, Outcome, Route, RouteStop

OPEN = "open"
STATE_COLOURS = {
    OPEN: "#6b7280",
    Outcome.GESPROKEN: "#1e6b34",
    Outcome.NIET_THUIS: "#c2410c",
    Outcome.BRIEFJE: "#1d4ed8",
    Outcome.LATER_TERUG: "#7e22ce",
    Outcome.WIL_NIET: "#b00020",
}


@dataclass
class RouteProgress:
    route: Route
    doors: int = 0
    visited: int = 0
    spoken: int = 0
    revisit: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.visited / self.doors) if self.doors else 0


@dataclass
class Coverage:
    states: dict[int, str] = field(default_factory=dict)  # address id -> state
    routes: list[RouteProgress] = field(default_factory=list)
    stops: list[RouteStop] = field(default_factory=list)

    @property
    def totals(self) -> RouteProgress:
        total = RouteProgress(route=None)  # type: ignore[arg-type]
        for progress in self.routes:
            total.doors += progress.doors
            total.visited += progress.visited
            total.spoken += progress.spoken
            total.revisit += progress.revisit
        return total

    def revisit_stops(self) -> list[tuple[RouteStop, str]]:
        return [(s, self.states[s.address_id]) for s in self.stops if self.states.get(s.address_id) in REVISIT_OUTCOMES]


def door_states(visits: Iterable[tuple[int, str]]) -> dict[int, str]:
    """State per address from (address_id, outcome) pairs in visit order (oldest first)."""
    states: dict[int, str] = {}
    for address_id, outcome in visits:
        current = states.get(address_id)
        if current == Outcome.GESPROKEN:
            continue
        if current == Outcome.WIL_NIET and outcome != Outcome.GESPROKEN:
            continue
        states[address_id] = outcome
    return states


def coverage_for(canvass: Canvass, routes: Iterable[Route]) -> Coverage:
    routes = list(routes)
    stops = list(
        RouteStop.objects.filter(route__in=routes).select_related("address").order_by("route__number", "order")
    )
    visit_rows = (
        DoorVisit.objects.filter(canvass=canvass).order_by("visited_at", "id").values_list("address_id", "outcome")
    )
    states = door_states(visit_rows)
    progress = {r.pk: RouteProgress(route=r) for r in routes}
    per_route: dict[int, list[RouteStop]] = defaultdict(list)
    for stop in stops:
        per_route[stop.route_id].append(stop)
        p = progress[stop.route_id]
        p.doors += 1
        state = states.get(stop.address_id)
        if state is not None:
            p.visited += 1
            p.spoken += state == Outcome.GESPROKEN
            p.revisit += state in REVISIT_OUTCOMES
    return Coverage(states=states, routes=[progress[r.pk] for r in routes], stops=stops)


def coverage_payload(coverage: Coverage) -> dict[str, Any]:
    """JSON for the live map: [address id, lat, lon, label, route number, state] per door."""
    number = {p.route.pk: p.route.number for p in coverage.routes}
    return {
        "doors": [
            [
                s.address_id,
                round(s.address.lat, 6),
                round(s.address.lon, 6),
                f"{s.address.street} {s.address.house_number_label}",
                number[s.route_id],
                coverage.states.get(s.address_id, OPEN),
            ]
            for s in coverage.stops
        ],
        "routes": [
            {"number": p.route.number, "doors": p.doors, "visited": p.visited, "spoken": p.spoken, "percent": p.percent}
            for p in coverage.routes
        ],
        "colours": {str(k): v for k, v in STATE_COLOURS.items()},
    }
