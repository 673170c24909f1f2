"""A lawful first plan built by our own greedy insertion, hardest visits first.

OR-Tools' own first-solution heuristics insert one node at a time, so they cannot
place the two carers of a double-handed visit together; this builder does, and
its routes keep every hard rule by construction (see
:mod:`scheduler.solver.timeline`), so the model accepts them. Visits go in by
class — fixed, pinned, double-handed, time-critical, then by priority (1 first)
— and, within a class, in several orders; the plan that leaves the least drop
penalty (then the least travel) wins.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from scheduler.problem import VisitSpec
from scheduler.solver.data import PlanningData
from scheduler.solver.insertion import Routes, insert_visit
from scheduler.solver.rules import drop_penalty


def visit_class(visit: VisitSpec) -> tuple[bool, bool, bool, bool, int]:
    """The class a visit is placed in: fixed, pinned, double-handed, time-critical, priority."""
    return (
        not visit.fixed,
        not visit.pinned_workers,
        visit.carers_required != 2,
        not visit.time_critical,
        visit.priority,
    )


def insertion_orders(data: PlanningData, seed: int) -> list[list[VisitSpec]]:
    """Orders to try: within each class by window width, earliest start, latest
    start, fewest eligible workers, and one ``seed``-shuffled order."""
    def first(visit: VisitSpec) -> int:
        return data.nodes_of_visit[visit.id][0]

    shuffle = random.Random(seed)
    noise = {visit.id: shuffle.random() for visit in data.problem.visits}
    keys: list[Callable[[VisitSpec], tuple[float, ...]]] = [
        lambda v: (data.hi[first(v)] - data.lo[first(v)], data.lo[first(v)], v.id),
        lambda v: (data.lo[first(v)], data.hi[first(v)], v.id),
        lambda v: (data.hi[first(v)], data.lo[first(v)], v.id),
        lambda v: (len(data.allowed[first(v)]), data.lo[first(v)], v.id),
        lambda v: (noise[v.id], v.id),
    ]
    orders = []
    for key in keys:
        def full_key(visit: VisitSpec, key: Callable[[VisitSpec], tuple[float, ...]] = key
                     ) -> tuple[tuple[bool, bool, bool, bool, int], tuple[float, ...]]:
            return visit_class(visit), key(visit)
        orders.append(sorted(data.problem.visits, key=full_key))
    return orders


def insertion_order(data: PlanningData, seed: int) -> list[VisitSpec]:
    """The first of :func:`insertion_orders` (used to re-insert left-out visits)."""
    return insertion_orders(data, seed)[0]


def _score(data: PlanningData, routes: Routes) -> tuple[int, int]:
    served = {stop.node for stops in routes for stop in stops}
    penalty = sum(
        drop_penalty(data.params, visit_node.visit)
        for visit_node in data.visit_nodes
        if visit_node.node not in served
    )
    travel = 0
    for vehicle, stops in enumerate(routes):
        nodes = [vehicle, *(stop.node for stop in stops), vehicle]
        travel += sum(
            data.travel_seconds(vehicle, a, b) for a, b in itertools.pairwise(nodes)
        )
    return penalty, travel


def greedy_routes(data: PlanningData, node_costs: list[list[int]], seed: int = 0) -> Routes:
    """Timed routes, one per vehicle, with as many visits as greedily fit."""
    best: Routes | None = None
    best_score: tuple[int, int] | None = None
    for order in insertion_orders(data, seed):
        routes: Routes = [[] for _ in range(data.vehicle_count)]
        for visit in order:
            if visit.id not in data.window_problem:
                insert_visit(data, node_costs, routes, visit.id)
        score = _score(data, routes)
        if best_score is None or score < best_score:
            best, best_score = routes, score
    assert best is not None
    return best
