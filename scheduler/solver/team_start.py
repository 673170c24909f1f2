"""A first plan that follows the week's rough timetable: each visit with its team carer.

The weekly team planning (:mod:`scheduler.teams`) promised most visits to one
carer of the client's regular team. Two first plans follow it:

- :func:`promised_routes` inserts fixed and pinned visits, then every promised
  visit on its promised carer's route where it lawfully fits there, then the
  rest (visits without a promise, second carers, broken promises) at their
  cheapest lawful place on any route, each pass in the usual order
  (double-handed, time-critical, then by priority; see
  :mod:`~scheduler.solver.first_solution`). Promises made a week ahead fill the
  team carers' days first, so visits without a promise find less room and more
  are left out than by the greedy plan.
- :func:`pull_to_promises` starts from any lawful plan (the greedy one) and moves
  each promised visit that is elsewhere onto its promised carer where that is
  lawful and does not raise the estimated cost, if need be first moving one of
  that carer's other visits (one not promised to them) to another route. It
  never leaves out a visit the plan had, so it keeps the greedy plan's cover.

:func:`team_routes` returns the cheaper of the two by the estimated cost (the
search compares it with the greedy plan the same way). Day-by-day planning thus
starts from the team rather than from whoever happens to be nearest today.
"""

from __future__ import annotations

from scheduler.problem import VisitSpec
from scheduler.solver.data import PlanningData
from scheduler.solver.first_solution import greedy_routes, insertion_order
from scheduler.solver.insertion import (
    PAIR_TRIES,
    Routes,
    candidate_cost,
    insert_visit,
    pair_candidates,
    realise,
    single_candidates,
)
from scheduler.solver.ruin_recreate import estimated_cost, route_cost
from scheduler.solver.rules import drop_penalty
from scheduler.solver.timeline import (
    Stop,
    fixed_starts,
    insert_node,
    nearest,
    openings,
    plan_route,
    route_breach,
)

#: Visits of the promised carer's route tried for moving elsewhere to make room, at most.
EJECT_TRIES = 6


def has_promises(data: PlanningData) -> bool:
    """True if any visit of the day was promised to a carer by the week's timetable."""
    return any(visit.planned_worker is not None for visit in data.problem.visits)


def _promised_vehicle(data: PlanningData, visit: VisitSpec) -> int | None:
    """The vehicle of the visit's promised carer, or None if the promise cannot stand
    (no promise, the carer not working or not allowed today, the visit fixed or pinned)."""
    if visit.fixed or visit.pinned_workers or visit.planned_worker is None:
        return None
    vehicle = next(
        (v for v, day in enumerate(data.days) if day.worker.id == visit.planned_worker), None
    )
    nodes = data.nodes_of_visit[visit.id]
    if vehicle is None or not any(vehicle in data.allowed[n] for n in nodes):
        return None
    return vehicle


def insert_promised(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, visit: VisitSpec,
    vehicle: int,
) -> bool:
    """Insert ``visit`` with ``vehicle`` as one of its carers; False if it does not fit."""
    nodes = data.nodes_of_visit[visit.id]
    if len(nodes) == 1:
        for candidate in single_candidates(data, node_costs, routes, nodes[0]):
            if candidate.vehicle != vehicle:
                continue
            route = realise(data, routes, candidate, hold=False)
            if route is not None:
                routes[vehicle] = route
                return True
        return False
    pairs = [
        (p, q) for p, q in pair_candidates(data, node_costs, routes, nodes)
        if vehicle in (p.vehicle, q.vehicle)
    ]
    for p, q in pairs[:PAIR_TRIES]:
        first = realise(data, routes, p, hold=True)
        second = realise(data, routes, q, hold=True) if first is not None else None
        if first is not None and second is not None:
            routes[p.vehicle], routes[q.vehicle] = first, second
            return True
    return False


def promised_routes(data: PlanningData, node_costs: list[list[int]], seed: int) -> Routes:
    """Timed routes: fixed and pinned visits, then each promised visit on its promised
    carer's route where it lawfully fits there, then the rest at their cheapest
    lawful place (see the module)."""
    routes: Routes = [[] for _ in range(data.vehicle_count)]
    order = [visit for visit in insertion_order(data, seed) if visit.id not in data.window_problem]
    held = {visit.id for visit in order if visit.fixed or visit.pinned_workers}
    for visit in order:
        if visit.id in held:
            insert_visit(data, node_costs, routes, visit.id)
    # Every promise before the rest: a visit without one must not take the time
    # a team carer was promised for.
    rest = []
    for visit in order:
        if visit.id in held:
            continue
        vehicle = _promised_vehicle(data, visit)
        if vehicle is None or not insert_promised(data, node_costs, routes, visit, vehicle):
            rest.append(visit)
    for visit in rest:
        insert_visit(data, node_costs, routes, visit.id)
    return routes


def _without(data: PlanningData, vehicle: int, stops: list[Stop], node: int) -> list[Stop] | None:
    """``stops`` with ``node`` taken out and re-timed, or None if what is left is unlawful."""
    kept = [stop for stop in stops if stop.node != node]
    timed = plan_route(data, vehicle, [s.node for s in kept], fixed_starts(data, kept))
    if timed is not None:
        return timed
    return kept if route_breach(data, vehicle, kept) is None else None


def _cheapest_on(
    data: PlanningData, node_costs: list[list[int]], vehicle: int, stops: list[Stop], node: int
) -> list[Stop] | None:
    """``stops`` with ``node`` at its cheapest lawful place on this route, or None."""
    found = []
    for opening in openings(data, vehicle, stops, node):
        start = nearest(opening.lo, opening.hi, data.preferred[node])
        cost = candidate_cost(data, node_costs, stops, vehicle, opening.position, node, start)
        found.append((cost, opening.position))
    for _, position in sorted(found):
        route = insert_node(data, vehicle, stops, position, node)
        if route is not None:
            return route
    return None


def _plan_cost(data: PlanningData, node_costs: list[list[int]], routes: Routes,
               vehicles: set[int], served: set[int], nodes: set[int]) -> int:
    """The estimated cost of ``vehicles``' routes plus the drop penalty of each of
    ``nodes`` not in ``served``."""
    total = sum(route_cost(data, node_costs, v, routes[v]) for v in vehicles)
    for node in nodes - served:
        total += drop_penalty(data.params, data.visit_node(node).visit)
    return total


def pull_to_promises(data: PlanningData, node_costs: list[list[int]], routes: Routes,
                     seed: int) -> Routes:
    """``routes`` with each promised single-carer visit moved onto its promised carer
    where that is lawful and the estimated cost does not rise (see the module)."""
    routes = [list(stops) for stops in routes]
    where = {stop.node: v for v, stops in enumerate(routes) for stop in stops}
    for visit in insertion_order(data, seed):
        nodes = data.nodes_of_visit[visit.id]
        if len(nodes) != 1 or visit.id in data.window_problem:
            continue
        vehicle = _promised_vehicle(data, visit)
        node = nodes[0]
        current = where.get(node)
        if vehicle is None or current == vehicle:
            continue
        trial = _move(data, node_costs, routes, where, node, vehicle)
        if trial is not None:
            for v, stops in trial.items():
                routes[v] = stops
                for stop in stops:
                    where[stop.node] = v
    return routes


def _move(data: PlanningData, node_costs: list[list[int]], routes: Routes,
          where: dict[int, int], node: int, vehicle: int) -> dict[int, list[Stop]] | None:
    """New routes (by vehicle) with ``node`` on ``vehicle``'s route, at no higher
    estimated cost, or None. One of that route's visits not promised to it may move
    to another route to make room."""
    current = where.get(node)
    changed: dict[int, list[Stop]] = {}
    if current is not None:
        left = _without(data, current, routes[current], node)
        if left is None:
            return None
        changed[current] = left
    base_vehicles = {vehicle} | ({current} if current is not None else set())
    before = _plan_cost(data, node_costs, routes, base_vehicles, set(where), {node})
    placed = _cheapest_on(data, node_costs, vehicle, routes[vehicle], node)
    if placed is not None:
        after = dict(changed)
        after[vehicle] = placed
        trial = [after.get(v, routes[v]) for v in range(len(routes))]
        if _plan_cost(data, node_costs, trial, base_vehicles, {node}, {node}) <= before:
            return after
        return None
    # No room: try moving one of the promised carer's nearby visits elsewhere.
    target = data.preferred[node]
    movable = [
        stop for stop in routes[vehicle]
        if stop.node not in data.partner
        and not data.visit_node(stop.node).visit.fixed
        and data.visit_node(stop.node).visit.planned_worker != data.days[vehicle].worker.id
    ]
    movable.sort(key=lambda stop: (abs(stop.start - target), stop.node))
    for stop in movable[:EJECT_TRIES]:
        emptied = _without(data, vehicle, routes[vehicle], stop.node)
        if emptied is None:
            continue
        placed = _cheapest_on(data, node_costs, vehicle, emptied, node)
        if placed is None:
            continue
        trial = [changed.get(v, routes[v]) for v in range(len(routes))]
        trial[vehicle] = placed
        if not insert_visit(data, node_costs, trial, data.visit_node(stop.node).visit.id):
            continue
        touched = {v for v in range(len(trial)) if trial[v] is not routes[v]}
        after_cost = _plan_cost(data, node_costs, trial, touched, {node, stop.node},
                                {node, stop.node})
        before_cost = _plan_cost(data, node_costs, routes, touched, set(where), {node, stop.node})
        if after_cost <= before_cost:
            return {v: trial[v] for v in touched}
    return None


def team_routes(data: PlanningData, node_costs: list[list[int]], seed: int,
                greedy: Routes | None = None) -> Routes:
    """The cheaper (estimated cost) of the promise-first plan and the greedy plan
    pulled towards the promises (see the module). ``greedy``: the greedy plan for
    ``seed`` if the caller has it already (it is not changed)."""
    if greedy is None:
        greedy = greedy_routes(data, node_costs, seed)
    pulled = pull_to_promises(data, node_costs, greedy, seed)
    first = promised_routes(data, node_costs, seed)
    if estimated_cost(data, node_costs, first) < estimated_cost(data, node_costs, pulled):
        return first
    return pulled
