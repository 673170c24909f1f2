"""A first plan that follows the week's rough timetable: each visit with its team carer.

The weekly team planning (:mod:`scheduler.teams`) promised most visits to one
carer of the client's regular team. This first plan inserts visits in the usual order (fixed,
pinned, double-handed, time-critical, then by priority; see
:mod:`~scheduler.solver.first_solution`), each on its promised carers' routes
where it lawfully fits there, otherwise (or without a promise) at its cheapest
lawful place on any route. Day-by-day planning thus starts from the
team rather than from whoever happens to be nearest today.
"""

from __future__ import annotations

from scheduler.problem import VisitSpec
from scheduler.solver.data import PlanningData
from scheduler.solver.first_solution import insertion_order
from scheduler.solver.insertion import (
    PAIR_TRIES,
    Routes,
    insert_visit,
    pair_candidates,
    realise,
    single_candidates,
)


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


def team_routes(data: PlanningData, node_costs: list[list[int]], seed: int) -> Routes:
    """Timed routes, visits in the usual order, each on its promised carers' routes
    where it lawfully fits there and at its cheapest lawful place otherwise."""
    routes: Routes = [[] for _ in range(data.vehicle_count)]
    for visit in insertion_order(data, seed):
        if visit.id in data.window_problem:
            continue
        vehicle = _promised_vehicle(data, visit)
        if vehicle is not None and insert_promised(data, node_costs, routes, visit, vehicle):
            continue
        insert_visit(data, node_costs, routes, visit.id)
    return routes
