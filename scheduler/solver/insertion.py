"""Cheapest insertion of a visit into timed routes (both carers at once when double-handed).

Used to build the first plan, to re-insert visits the local search left out, and
to find out why a visit could not be placed. Candidates are ranked by an
estimate with the model's weights (travel detour, lateness, per-worker soft
costs) and the cheapest one whose re-timed routes keep every hard rule wins
(:func:`scheduler.solver.timeline.plan_route`). Times are seconds from origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.solver.data import PlanningData
from scheduler.solver.timeline import Opening, Stop, insert_node, nearest, openings

Routes = list[list[Stop]]

#: How many of the cheapest candidates are fully timed before giving up on a visit.
SINGLE_TRIES = 40
PAIR_TRIES = 60


@dataclass(frozen=True, slots=True)
class Candidate:
    """Put ``node`` at ``position`` of ``vehicle``'s route around ``start`` (estimated cost)."""

    cost: int
    vehicle: int
    position: int
    start: int
    node: int


def candidate_cost(
    data: PlanningData,
    node_costs: list[list[int]],
    stops: list[Stop],
    vehicle: int,
    position: int,
    node: int,
    start: int,
) -> int:
    """Estimated extra cost: travel detour, lateness/earliness and per-worker costs."""
    params = data.params
    before = stops[position - 1].node if position > 0 else vehicle
    after = stops[position].node if position < len(stops) else vehicle
    detour = (
        data.travel_seconds(vehicle, before, node)
        + data.travel_seconds(vehicle, node, after)
        - data.travel_seconds(vehicle, before, after)
    )
    return (
        params.travel_cost_per_second * detour
        + data.lateness_cost[node] * max(0, start - data.preferred[node])
        + data.earliness_cost[node] * max(0, data.preferred[node] - start)
        + node_costs[vehicle][node]
    )


def single_candidates(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, node: int
) -> list[Candidate]:
    """Every position for ``node`` allowed by earliest and latest starts, cheapest first."""
    found = []
    for vehicle in data.allowed[node]:
        stops = routes[vehicle]
        for opening in openings(data, vehicle, stops, node):
            start = nearest(opening.lo, opening.hi, data.preferred[node])
            cost = candidate_cost(data, node_costs, stops, vehicle, opening.position, node, start)
            found.append(Candidate(cost, vehicle, opening.position, start, node))
    found.sort(key=lambda c: (c.cost, c.vehicle, c.position, c.start))
    return found


def pair_candidates(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, nodes: tuple[int, ...]
) -> list[tuple[Candidate, Candidate]]:
    """Positions for both carers of a double-handed visit at one start, cheapest first."""
    first, second = nodes
    vehicles = sorted(set(data.allowed[first]) | set(data.allowed[second]))
    found_openings: dict[int, list[Opening]] = {
        v: openings(data, v, routes[v], first) for v in vehicles
    }
    target = data.preferred[first]
    found: list[tuple[int, Candidate, Candidate]] = []
    for one in data.allowed[first]:
        for two in data.allowed[second]:
            if one == two:
                continue
            for a in found_openings[one]:
                for b in found_openings[two]:
                    lo, hi = max(a.lo, b.lo), min(a.hi, b.hi)
                    if lo > hi:
                        continue
                    start = nearest(lo, hi, target)
                    cost_one = candidate_cost(
                        data, node_costs, routes[one], one, a.position, first, start
                    )
                    cost_two = candidate_cost(
                        data, node_costs, routes[two], two, b.position, second, start
                    )
                    p = Candidate(cost_one, one, a.position, start, first)
                    q = Candidate(cost_two, two, b.position, start, second)
                    found.append((p.cost + q.cost, p, q))
    found.sort(key=lambda f: (f[0], f[1].vehicle, f[2].vehicle, f[1].position, f[2].position))
    return [(p, q) for _, p, q in found]


def realise(
    data: PlanningData, routes: Routes, candidate: Candidate, hold: bool
) -> list[Stop] | None:
    """The candidate's vehicle route re-timed with the node in, or None if unlawful.

    ``hold`` keeps the node at the candidate's start (double-handed visits)."""
    return insert_node(
        data,
        candidate.vehicle,
        routes[candidate.vehicle],
        candidate.position,
        candidate.node,
        candidate.start if hold else None,
    )


def insert_visit(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, visit_id: int
) -> bool:
    """Insert every carer of a visit at its cheapest lawful place; False if none is found."""
    nodes = data.nodes_of_visit[visit_id]
    if len(nodes) == 1:
        for candidate in single_candidates(data, node_costs, routes, nodes[0])[:SINGLE_TRIES]:
            route = realise(data, routes, candidate, hold=False)
            if route is not None:
                routes[candidate.vehicle] = route
                return True
        return False
    for p, q in pair_candidates(data, node_costs, routes, nodes)[:PAIR_TRIES]:
        first = realise(data, routes, p, hold=True)
        if first is None:
            continue
        second = realise(data, routes, q, hold=True)
        if second is None:
            continue
        routes[p.vehicle], routes[q.vehicle] = first, second
        return True
    return False
