"""Optional route optimisation with Google OR-Tools (the `optimise` extra).

The same problem as `routing.split_routes`: N open walks (start and end anywhere) covering every
door once, door counts within the same band, minimising the total straight-line length. A dummy
depot with free arcs makes the walks open. `side_penalty_m` adds a cost to every step that changes
street or side, so the optimiser keeps the walking list grouped as volunteers walk it; the
benchmark sets it to 0 to get the free optimum we measure the heuristic against.

OR-Tools is a large binary wheel, so it is an optional extra: `is_available()` tells the page
whether the "optimaliseren" button can do anything.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from typing import Any

from buurtonderzoek.canvass.routing import Door, PlannedRoute, size_band

SCALE = 10  # decimetres: OR-Tools wants integer costs
# Above this many doors OR-Tools finds no first solution in a few seconds, and its distance matrix
# alone costs seconds of CPU (bench/bench_jobs.py: 4,873 doors, 49 s, no solution); the heuristic stays.
MAX_DOORS = 1000


class OptimiserUnavailable(RuntimeError):
    pass


def is_available() -> bool:
    return importlib.util.find_spec("ortools") is not None


def optimise_routes(
    doors: Sequence[Door], routes: int, *, time_limit_s: float = 10.0, side_penalty_m: float = 0.0
) -> list[PlannedRoute]:
    if not is_available():
        raise OptimiserUnavailable("OR-Tools is not installed")
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    doors = sorted(doors, key=lambda d: d.id)
    n = len(doors)
    routes = max(1, min(routes, n))
    if n == 0:
        return []
    depot = n
    penalty = round(side_penalty_m * SCALE)
    matrix: list[list[int]] = [[0] * (n + 1) for _ in range(n + 1)]
    for i, a in enumerate(doors):
        row = matrix[i]
        for j, b in enumerate(doors):
            if i != j:
                cost = round(math.hypot(a.x - b.x, a.y - b.y) * SCALE)
                if penalty and (a.street != b.street or a.side != b.side):
                    cost += penalty
                row[j] = cost

    manager = pywrapcp.RoutingIndexManager(n + 1, routes, depot)
    model = pywrapcp.RoutingModel(manager)

    def transit(from_index: int, to_index: int) -> int:
        return int(matrix[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)])

    transit_index = model.RegisterTransitCallback(transit)
    model.SetArcCostEvaluatorOfAllVehicles(transit_index)

    lo, hi = size_band(n, routes)

    def demand(from_index: int) -> int:
        return 0 if manager.IndexToNode(from_index) == depot else 1

    demand_index = model.RegisterUnaryTransitCallback(demand)
    model.AddDimensionWithVehicleCapacity(demand_index, 0, [hi] * routes, True, "doors")
    doors_dim = model.GetDimensionOrDie("doors")
    for vehicle in range(routes):
        # Soft: a hard lower bound makes the first solution hard to find; the penalty is steep.
        doors_dim.SetCumulVarSoftLowerBound(model.End(vehicle), lo, 100_000)

    params: Any = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = model.SolveWithParameters(params)
    if solution is None:
        raise OptimiserUnavailable("OR-Tools found no solution")
    out: list[PlannedRoute] = []
    for vehicle in range(routes):
        index = model.Start(vehicle)
        stops: list[Door] = []
        while not model.IsEnd(index):
            node = manager.IndexToNode(index)
            if node != depot:
                stops.append(doors[node])
            index = solution.Value(model.NextVar(index))
        out.append(PlannedRoute(stops))
    return out
