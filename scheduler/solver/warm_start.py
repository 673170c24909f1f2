"""Start a re-plan from the published routes rather than from scratch.

When a day already has a published rota (a disruption during the day, or the
daily job run again), the first plan keeps every published assignment that is
still lawful — same worker, same order, at its published start where that still
fits (double-handed visits always) — and only then inserts what is left over
(the visits of a worker taken ill, urgent visits) at their cheapest lawful
places. The search then improves on this plan, paying ``published_move_cost``
for every carer it moves and ``published_retime_cost_per_second`` for every
second it moves a visit, so a re-plan
changes what it has to and little else. Times are seconds from the origin.
"""

from __future__ import annotations

from scheduler.problem import VisitSpec
from scheduler.solver.data import PlanningData
from scheduler.solver.first_solution import insertion_order
from scheduler.solver.insertion import Routes, insert_visit
from scheduler.solver.timeline import Stop, fixed_starts, plan_route


def has_published_plan(data: PlanningData) -> bool:
    """True if any visit of the day carries a published (not fixed) assignment."""
    return any(visit.published_workers for visit in data.problem.visits)


def _published_vehicles(data: PlanningData, visit: VisitSpec) -> list[int] | None:
    """The vehicle of each carer slot of a published visit, or None when that
    assignment can no longer stand (worker gone, not allowed, incomplete)."""
    if visit.published_start is None or len(visit.published_workers) != visit.carers_required:
        return None
    position = {day.worker.id: vehicle for vehicle, day in enumerate(data.days)}
    nodes = data.nodes_of_visit[visit.id]
    vehicles = [position.get(worker_id) for worker_id in visit.published_workers]
    for order in (vehicles, vehicles[::-1]):
        if all(
            vehicle is not None and vehicle in data.allowed[node]
            for node, vehicle in zip(nodes, order, strict=True)
        ):
            return [vehicle for vehicle in order if vehicle is not None]
    return None


def published_routes(data: PlanningData) -> Routes:
    """Timed routes holding every published assignment that is still lawful.

    Visits go in by published start; a visit whose carers cannot all keep it
    (their route would break a hard rule) is left out for re-insertion.
    """
    routes: Routes = [[] for _ in range(data.vehicle_count)]
    published = sorted(
        (v for v in data.problem.visits if v.published_workers and v.id not in data.window_problem),
        key=lambda v: (v.published_start or 0, v.id),
    )
    for visit in published:
        vehicles = _published_vehicles(data, visit)
        if vehicles is None:
            continue
        nodes = data.nodes_of_visit[visit.id]
        trial: dict[int, list[Stop]] = {}
        for node, vehicle in zip(nodes, vehicles, strict=True):
            stops = routes[vehicle]
            order = [s.node for s in stops] + [node]
            held = min(max(visit.published_start or 0, data.lo[node]), data.hi[node])
            # At the published starts if they still fit (re-timing costs), else re-timed.
            timed = plan_route(data, vehicle, order, {**{s.node: s.start for s in stops},
                                                      node: held})
            if timed is None:
                fixed = fixed_starts(data, stops)
                if len(nodes) == 2:
                    fixed[node] = held
                timed = plan_route(data, vehicle, order, fixed)
            if timed is None:
                break
            trial[vehicle] = timed
        else:
            for vehicle, timed in trial.items():
                routes[vehicle] = timed
    return routes


def warm_routes(data: PlanningData, node_costs: list[list[int]], seed: int) -> Routes:
    """The published routes, with every other visit inserted where it lawfully fits."""
    routes = published_routes(data)
    served = {stop.node for stops in routes for stop in stops}
    for visit in insertion_order(data, seed):
        if visit.id in data.window_problem or data.nodes_of_visit[visit.id][0] in served:
            continue
        insert_visit(data, node_costs, routes, visit.id)
    return routes
