"""Solomon VRPTW with OR-Tools: fewest vehicles first, then least distance.

The routing model is the plain one (distance as arc cost; a ``time`` dimension
with service plus travel as transit, waiting allowed; a ``load`` dimension).
Distances are scaled by :data:`SCALE` and rounded for the objective; travel times
are rounded *up* for timing, so any route the model accepts keeps every window
in real numbers too.

The search is OR-Tools' iterated local search (ruin and recreate, simulated
annealing acceptance), which version 9.15 runs only through
``RoutingModel.SolveWithIteratedLocalSearch`` and only with ``ruin_strategies``
filled in. Fewer vehicles come from explicit reduction: after a first run with
the whole fleet and a fixed cost per vehicle, each next run gets one vehicle
fewer than the best plan so far, with every customer optional at a penalty far
above any distance; a run that serves everyone becomes the new best. Reductions
stop at the capacity lower bound (total demand over capacity), and each is capped
at its share and started only while it leaves the last phase its share. Once a
reduction fails, the rest of the time goes to distance at the best vehicle count:
guided local search from the best plan (a fresh iterated local search run with
only the few seconds left seldom beats the plan it would replace).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.constraint_solver import (
    pywrapcp,
    routing_enums_pb2,
    routing_ils_pb2,
    routing_parameters_pb2,
)

from scheduler.bench.results import VrptwResult
from scheduler.bench.solomon import SolomonInstance, route_breach, route_distance

#: Integer units per distance or time unit of the instance.
SCALE = 1000
#: Penalty for leaving a customer out in a reduction run (scaled units).
OMISSION_PENALTY = 10**9
#: Fixed cost of a vehicle in the first run (scaled units: 1 000 distance units).
VEHICLE_COST = 10**6

Routes = list[list[int]]


@dataclass(frozen=True, slots=True)
class VrptwStrategy:
    """How the time is shared out: ``first_share`` of it for the run with the whole
    fleet, then reduction runs of ``reduction_share`` each, each started only while it
    leaves ``distance_share`` of the time for the last phase; ``removed_visits``, the
    average number of customers each ruin removes (SISR, Christiaens & Vanden Berghe
    2020); ``reserve_seconds`` kept back for model building and reading the result;
    ``final``, how the time left after the reductions is spent: a fresh iterated local
    search at the best vehicle count (``"ils"``) or guided local search from the best
    plan (``"gls"``, with ``gls_lambda`` its penalty coefficient)."""

    first_share: float = 0.25
    reduction_share: float = 0.3
    distance_share: float = 0.1
    removed_visits: int = 10
    max_removed_sequence: int = 10
    reserve_seconds: float = 0.3
    final: str = "gls"
    gls_lambda: float = 0.1

    def __post_init__(self) -> None:
        if not 0 < self.first_share < 1 or not 0 < self.reduction_share < 1:
            raise ValueError("first_share and reduction_share must be in (0, 1)")
        if not 0 <= self.distance_share < 1:
            raise ValueError("distance_share must be in [0, 1)")
        if self.removed_visits < 1 or self.max_removed_sequence < 1:
            raise ValueError("removed_visits and max_removed_sequence must be positive")
        if self.final not in ("ils", "gls"):
            raise ValueError("final must be 'ils' or 'gls'")
        if self.gls_lambda <= 0:
            raise ValueError("gls_lambda must be positive")


@dataclass
class _Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel


def build_model(instance: SolomonInstance, vehicles: int, *, optional: bool) -> _Model:
    """The routing model with ``vehicles`` vehicles; ``optional``: customers may be left
    out at :data:`OMISSION_PENALTY` each (else each vehicle used costs
    :data:`VEHICLE_COST`)."""
    count = instance.customers + 1
    manager = pywrapcp.RoutingIndexManager(count, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    distance = [
        [round(instance.distance(i, j) * SCALE) for j in range(count)] for i in range(count)
    ]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(distance))
    transit = [
        [
            math.ceil((instance.service[i] + instance.distance(i, j)) * SCALE - 1e-9)
            for j in range(count)
        ]
        for i in range(count)
    ]
    horizon = math.floor(instance.due[0] * SCALE)
    routing.AddDimension(routing.RegisterTransitMatrix(transit), horizon, horizon, False, "time")
    time_dimension = routing.GetDimensionOrDie("time")
    for customer in range(1, count):
        time_dimension.CumulVar(manager.NodeToIndex(customer)).SetRange(
            math.ceil(instance.ready[customer] * SCALE - 1e-9),
            math.floor(instance.due[customer] * SCALE + 1e-9),
        )
    demand = routing.RegisterUnaryTransitVector(list(instance.demand))
    routing.AddDimension(demand, 0, instance.capacity, True, "load")
    if optional:
        for customer in range(1, count):
            routing.AddDisjunction([manager.NodeToIndex(customer)], OMISSION_PENALTY)
    else:
        routing.SetFixedCostOfAllVehicles(VEHICLE_COST)
    return _Model(manager, routing)


def ils_parameters(
    seconds: float, strategy: VrptwStrategy
) -> routing_parameters_pb2.RoutingSearchParameters:
    """Iterated local search: SISR ruin, local cheapest insertion, simulated annealing
    with automatic temperatures, greedy descent after each perturbation."""
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    )
    parameters.use_iterated_local_search = True
    ils = parameters.iterated_local_search_parameters
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    ruin = ruin_recreate.ruin_strategies.add()
    ruin.sisr.max_removed_sequence_size = strategy.max_removed_sequence
    ruin.sisr.avg_num_removed_visits = strategy.removed_visits
    ruin.sisr.bypass_factor = 0.01
    ruin_recreate.ruin_composition_strategy = (
        routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
    )
    ruin_recreate.recreate_strategy.heuristic = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    )
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    annealing.automatic_temperatures = True
    parameters.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    return parameters


def _routes(model: _Model, solution: pywrapcp.Assignment) -> Routes:
    routing, routes = model.routing, []
    for vehicle in range(routing.vehicles()):
        route = []
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        while not routing.IsEnd(index):
            route.append(model.manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def _run(
    instance: SolomonInstance, vehicles: int, seconds: float, strategy: VrptwStrategy,
    *, optional: bool,
) -> Routes | None:
    """One iterated local search run; its routes if it serves every customer, else None."""
    model = build_model(instance, vehicles, optional=optional)
    solution = model.routing.SolveWithIteratedLocalSearch(ils_parameters(seconds, strategy))
    if solution is None:
        return None
    routes = _routes(model, solution)
    if sum(len(route) for route in routes) != instance.customers:
        return None
    return routes


def _guided(
    instance: SolomonInstance, routes: Routes, seconds: float, strategy: VrptwStrategy
) -> Routes | None:
    """Guided local search from ``routes`` with at most that many vehicles (each used
    vehicle still costs :data:`VEHICLE_COST`, so a route may empty)."""
    model = build_model(instance, len(routes), optional=False)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.guided_local_search_lambda_coefficient = strategy.gls_lambda
    parameters.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    model.routing.CloseModelWithParameters(parameters)
    manager = model.manager
    start = model.routing.ReadAssignmentFromRoutes(
        [[manager.NodeToIndex(c) for c in route] for route in routes], True
    )
    if start is None:
        return None
    solution = model.routing.SolveFromAssignmentWithParameters(start, parameters)
    return _routes(model, solution) if solution is not None else None


def _better(instance: SolomonInstance, a: Routes, b: Routes | None) -> bool:
    """Whether ``a`` beats ``b``: fewer vehicles, then less distance."""
    if b is None:
        return True
    key_a = (len(a), sum(route_distance(instance, r) for r in a))
    key_b = (len(b), sum(route_distance(instance, r) for r in b))
    return key_a < key_b


def vehicle_bound(instance: SolomonInstance) -> int:
    """A lower bound on the vehicles any plan needs: total demand over capacity."""
    return max(1, math.ceil(sum(instance.demand) / instance.capacity))


def _one_per_customer(instance: SolomonInstance) -> Routes:
    """A last resort: one vehicle per customer (feasible whenever the instance is)."""
    return [[customer] for customer in range(1, instance.customers + 1)]


def solve_vrptw(
    instance: SolomonInstance,
    seconds: float,
    seed: int = 0,
    strategy: VrptwStrategy | None = None,
) -> VrptwResult:
    """Fewest vehicles, then least distance, within ``seconds`` of wall-clock time.

    ``seed`` is accepted for symmetry with the peers; OR-Tools' search here is
    driven by the clock (the annealing temperature follows the elapsed time).
    """
    del seed
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    strategy = strategy or VrptwStrategy()
    started = time.perf_counter()
    deadline = started + seconds - strategy.reserve_seconds
    best = _run(instance, instance.fleet, seconds * strategy.first_share, strategy,
                optional=False)
    bound = vehicle_bound(instance)
    share = seconds * strategy.reduction_share
    kept = seconds * strategy.distance_share
    # Reductions: one vehicle fewer than the best plan so far, each run capped at its
    # share and started only while the last phase keeps its share too.
    while best is not None and len(best) > bound:
        if deadline - time.perf_counter() < share + kept:
            break
        found = _run(instance, len(best) - 1, share, strategy, optional=True)
        if found is None:
            break
        best = found
    remaining = deadline - time.perf_counter()
    if best is None:  # no plan yet: all the time left for one with the whole fleet
        if remaining >= 0.2:
            best = _run(instance, instance.fleet, remaining, strategy, optional=True)
    elif remaining >= 0.2:
        if strategy.final == "gls":
            found = _guided(instance, best, remaining, strategy)
        else:
            found = _run(instance, len(best), remaining, strategy, optional=True)
        if found is not None and _better(instance, found, best):
            best = found
    if best is None:
        best = _one_per_customer(instance)
    for route in best:
        breach = route_breach(instance, route)
        if breach is not None:  # never expected: the model rounds journeys up
            raise RuntimeError(f"{instance.name}: infeasible route from the model: {breach}")
    return VrptwResult(
        instance.name,
        tuple(tuple(route) for route in best),
        sum(route_distance(instance, route) for route in best),
        time.perf_counter() - started,
    )
