"""Ruin and recreate on timed routes: remove related visits, put visits back greedily.

OR-Tools' local search moves one node at a time, so it rarely makes room for a
visit in a busy morning, and never adds or removes both carers of a
double-handed visit together. This phase does. Half of its rounds (while a
visit is left out that some eligible carers are on shift for) make room for one
such visit, chosen by its drop penalty: they clear the time around its window
on one or two of its eligible carers' routes per carer (two different carers for
a double-handed visit; carers on shift then, the less busy more often), put it
in first, then the cleared visits. Half of the other rounds move a visit from a
carer whose soft cost for it is higher than another eligible carer's on shift
then (outside the client's regular team, say, or not of the preferred gender):
they clear the time around its window on one or two such cheaper carers' routes
and put it back first. Half of the rest gather a client's visits of the day,
served by several carers, onto one of those carers (clearing that carer's time
around them). The rest remove a handful of visits related in time and place
(both carers together). Each round re-inserts what it removed and the left-out
visits of the same hours, most important first, and keeps the result when the
plan's cost does not rise: with the route terms (:class:`RouteTerms`) that cost
is the model's objective, worked out in plain Python (drop penalties, travel,
lateness, per-worker soft costs, extra carers per client, fairness, minimum
hours, wage). Every route it produces keeps the hard rules
(:mod:`scheduler.solver.timeline`). Times are seconds from the origin.
"""

from __future__ import annotations

import random
import time

from scheduler.problem import VisitSpec
from scheduler.solver.costs import RouteTerms
from scheduler.solver.data import PlanningData
from scheduler.solver.first_solution import visit_class
from scheduler.solver.insertion import Routes, insert_visit
from scheduler.solver.rules import drop_penalty
from scheduler.solver.timeline import Stop, fixed_starts, plan_route, route_breach

#: Visits removed per ruin, at least and at most.
RUIN_SIZE = (3, 12)
#: Left-out visits offered back per recreate, at most.
OFFERED = 30
#: A plan up to this fraction dearer than the best is still accepted, to wander.
ACCEPT_WORSE = 0.0
#: Share of rounds that make room for a left-out visit (when there is one): they
#: clear its eligible carers' time around its window and put it back first.
TARGETED = 0.5
#: Share of the other rounds that move a visit from a dear carer (outside the
#: client's team, say) to a cheaper one (when there is one), clearing that carer's time.
RECARER = 0.5
#: Share of the rounds left after those that gather a client's visits today, served
#: by several carers, on one of those carers (when some client has several).
GATHER = 0.5
#: Eligible carers' routes cleared per targeted round, at most (per carer slot).
TARGET_ROUTES = 2
#: Visits this close (seconds) to a left-out visit's window are cleared for it.
TARGET_MARGIN = 30 * 60


def route_cost(data: PlanningData, node_costs: list[list[int]], vehicle: int,
               stops: list[Stop], terms: RouteTerms | None = None) -> int:
    """The estimated cost of one route: travel, lateness/earliness and per-worker costs,
    and with ``terms`` its fairness, minimum-hours and wage costs too."""
    params = data.params
    total, previous, travel, contact = 0, vehicle, 0, 0
    for stop in stops:
        travel += data.travel_seconds(vehicle, previous, stop.node)
        contact += data.service[stop.node]
        total += node_costs[vehicle][stop.node]
        offset = stop.start - data.preferred[stop.node]
        total += data.lateness_cost[stop.node] * max(0, offset)
        total += data.earliness_cost[stop.node] * max(0, -offset)
        previous = stop.node
    if stops:
        travel += data.travel_seconds(vehicle, previous, vehicle)
    total += params.travel_cost_per_second * travel
    if terms is not None:
        nodes = [vehicle, *(stop.node for stop in stops), vehicle]
        total += sum(terms.cost(vehicle, nodes, travel + contact).values())
    return total


def extra_carers(data: PlanningData, routes: Routes) -> int:
    """How many more distinct carers clients see today than one each."""
    carers: dict[int, set[int]] = {}
    for vehicle, stops in enumerate(routes):
        for stop in stops:
            carers.setdefault(data.client_of[stop.node], set()).add(vehicle)
    return sum(len(seen) - 1 for seen in carers.values())


def estimated_cost(data: PlanningData, node_costs: list[list[int]], routes: Routes,
                   terms: RouteTerms | None = None) -> int:
    """Drop penalties + travel + lateness/earliness + per-worker soft costs + extra
    distinct carers per client of ``routes``; with ``terms``, also the costs of each
    route's work (then it is the model's objective for these routes)."""
    return PlanCosting(data, node_costs, terms)(routes)


class PlanCosting:
    """:func:`estimated_cost` for plans that share most routes with the plans before
    them: each route's cost is worked out once per route object (routes are replaced,
    never changed in place)."""

    def __init__(self, data: PlanningData, node_costs: list[list[int]],
                 terms: RouteTerms | None) -> None:
        self.data, self.node_costs, self.terms = data, node_costs, terms
        self.penalty = {vn.node: drop_penalty(data.params, vn.visit) for vn in data.visit_nodes}
        self.all_penalties = sum(self.penalty.values())
        #: Per vehicle, the last route costed and its cost less the drop penalties
        #: its visits save.
        self.memo: dict[int, tuple[list[Stop], int]] = {}

    def __call__(self, routes: Routes) -> int:
        data = self.data
        total = self.all_penalties + data.params.continuity_extra_carer_cost * extra_carers(
            data, routes
        )
        for vehicle, stops in enumerate(routes):
            memo = self.memo.get(vehicle)
            if memo is None or memo[0] is not stops:
                cost = route_cost(data, self.node_costs, vehicle, stops, self.terms)
                memo = (stops, cost - sum(self.penalty[stop.node] for stop in stops))
                self.memo[vehicle] = memo
            total += memo[1]
        return total


def _remove(data: PlanningData, routes: Routes, nodes: set[int]) -> bool:
    """Take ``nodes`` out of ``routes`` (in place), re-timing what is left; False if a
    route left behind would not be lawful."""
    for vehicle, stops in enumerate(routes):
        if not any(stop.node in nodes for stop in stops):
            continue
        kept = [stop for stop in stops if stop.node not in nodes]
        timed = plan_route(data, vehicle, [s.node for s in kept], fixed_starts(data, kept))
        if timed is None:
            if route_breach(data, vehicle, kept) is not None:
                return False
            timed = kept
        routes[vehicle] = timed
    return True


def _related(data: PlanningData, a: VisitSpec, b: VisitSpec) -> float:
    """How far apart two visits are in time (half-hours) and place (five-minute drives)."""
    first, second = data.nodes_of_visit[a.id][0], data.nodes_of_visit[b.id][0]
    apart = abs(data.lo[first] - data.lo[second]) / 1800
    drive = data.travel[data.days[0].mode][data.point_of[first]][data.point_of[second]] / 300
    return apart + drive


def _on_shift(data: PlanningData, vehicle: int, node: int) -> bool:
    """True if ``vehicle``'s worker is on shift at some time ``node`` may take."""
    return any(
        shift.start <= data.hi[node] and shift.end >= data.lo[node] + data.service[node]
        for shift in data.days[vehicle].shifts
    )


def _eligible_on_shift(data: PlanningData, node: int) -> list[int]:
    """The vehicles that may serve ``node`` and are on shift at some time it may take."""
    return [vehicle for vehicle in data.allowed[node] if _on_shift(data, vehicle, node)]


def _on_shift_carers(data: PlanningData, visit: VisitSpec) -> int:
    """How many carers may serve ``visit`` and are on shift at some time it may take."""
    return len(_eligible_on_shift(data, data.nodes_of_visit[visit.id][0]))


def _around(data: PlanningData, node: int) -> tuple[int, int]:
    """The time around ``node``'s window that is cleared for it: from ``TARGET_MARGIN``
    before its earliest start to as long after its latest end (seconds from origin)."""
    return data.lo[node] - TARGET_MARGIN, data.hi[node] + data.service[node] + TARGET_MARGIN


def _near_visits(data: PlanningData, routes: Routes, vehicle: int, lo: int, hi: int
                 ) -> list[VisitSpec]:
    """The visits of ``vehicle``'s route that overlap [lo, hi] (seconds from origin)."""
    return [
        data.visit_node(stop.node).visit
        for stop in routes[vehicle]
        if stop.start + data.service[stop.node] >= lo and stop.start <= hi
    ]


def _blocking(
    data: PlanningData, routes: Routes, anchor: VisitSpec, rng: random.Random,
    movable_ids: set[int],
) -> list[VisitSpec]:
    """Visits to clear so that left-out ``anchor`` may fit: on one to
    ``TARGET_ROUTES`` eligible carers' routes per carer slot (two different carers
    for a double-handed visit), every movable visit near its window. Carers on
    shift in the window are chosen, those with fewer visits there more often."""
    nodes = data.nodes_of_visit[anchor.id]
    first = nodes[0]
    lo, hi = _around(data, first)
    near: dict[int, list[VisitSpec]] = {}

    def near_visits(vehicle: int) -> list[VisitSpec]:
        if vehicle not in near:
            near[vehicle] = _near_visits(data, routes, vehicle, lo, hi)
        return near[vehicle]

    chosen: list[int] = []
    for node in nodes:
        options = [
            vehicle for vehicle in data.allowed[node]
            if vehicle not in chosen
            and _on_shift(data, vehicle, node)
            and all(visit.id in movable_ids for visit in near_visits(vehicle))
        ]
        if not options:
            if len(chosen) >= len(nodes):
                continue  # earlier slots already cleared enough carers
            return []
        for _ in range(min(len(options), rng.randint(1, TARGET_ROUTES))):
            pick = rng.choices(options, [1 / (1 + len(near_visits(v))) for v in options])[0]
            chosen.append(pick)
            options.remove(pick)
    found = {visit.id: visit for vehicle in chosen for visit in near_visits(vehicle)}
    return list(found.values())


def cheapest_carer_costs(data: PlanningData, node_costs: list[list[int]]) -> dict[int, int]:
    """For each single-carer visit node, the lowest per-worker soft cost (continuity,
    gender, preferences) of a carer who may serve it and is on shift then."""
    cheapest: dict[int, int] = {}
    for visit_node in data.visit_nodes:
        if visit_node.visit.carers_required != 1:
            continue
        node = visit_node.node
        costs = [node_costs[v][node] for v in _eligible_on_shift(data, node)]
        if costs:
            cheapest[node] = min(costs)
    return cheapest


def _dearly_placed(
    data: PlanningData, node_costs: list[list[int]], routes: Routes,
    cheapest: dict[int, int], movable_ids: set[int],
) -> list[tuple[VisitSpec, int, int]]:
    """Served single-carer visits whose carer costs more than the cheapest eligible
    carer on shift: (visit, its vehicle, the excess cost)."""
    found = []
    for vehicle, stops in enumerate(routes):
        for stop in stops:
            best = cheapest.get(stop.node)
            if best is None or node_costs[vehicle][stop.node] <= best:
                continue
            visit = data.visit_node(stop.node).visit
            if visit.id in movable_ids:
                found.append((visit, vehicle, node_costs[vehicle][stop.node] - best))
    return found


def _clearing_for_cheaper(
    data: PlanningData, node_costs: list[list[int]], routes: Routes, anchor: VisitSpec,
    vehicle: int, rng: random.Random, movable_ids: set[int],
) -> list[VisitSpec]:
    """Visits to clear so that ``anchor`` (served by ``vehicle``) may move to a carer
    whose soft cost for it is lower (its regular team, say): on one to
    ``TARGET_ROUTES`` such carers' routes, every movable visit near its window, and
    the anchor itself. Carers cheaper for it are chosen more often."""
    node = data.nodes_of_visit[anchor.id][0]
    lo, hi = _around(data, node)
    here = node_costs[vehicle][node]
    near = {
        v: _near_visits(data, routes, v, lo, hi)
        for v in _eligible_on_shift(data, node)
        if v != vehicle and node_costs[v][node] < here
    }
    options = [v for v, visits in near.items()
               if all(visit.id in movable_ids for visit in visits)]
    if not options:
        return []
    found = {anchor.id: anchor}
    for _ in range(min(len(options), rng.randint(1, TARGET_ROUTES))):
        pick = rng.choices(options, [1 + here - node_costs[v][node] for v in options])[0]
        options.remove(pick)
        found.update((visit.id, visit) for visit in near[pick])
    return list(found.values())


def scattered_clients(
    data: PlanningData, routes: Routes
) -> dict[int, dict[int, list[VisitSpec]]]:
    """Clients whose single-carer visits today more than one carer serves: for each,
    its single-carer visits by the vehicle serving them."""
    by_client: dict[int, dict[int, list[VisitSpec]]] = {}
    for vehicle, stops in enumerate(routes):
        for stop in stops:
            visit = data.visit_node(stop.node).visit
            if visit.carers_required == 1:
                by_client.setdefault(visit.client_id, {}).setdefault(vehicle, []).append(visit)
    return {client: found for client, found in by_client.items() if len(found) > 1}


def _gathering(
    data: PlanningData, routes: Routes, served_by: dict[int, list[VisitSpec]],
    rng: random.Random, movable_ids: set[int],
) -> tuple[list[VisitSpec], list[VisitSpec]]:
    """A client's visits to move onto one of the carers serving it today (``served_by``:
    its visits by vehicle), chosen by how many it serves, and every visit to clear:
    those and the other movable visits of that carer's route near their windows."""
    target = rng.choices(list(served_by), [len(found) for found in served_by.values()])[0]
    moving = [
        visit
        for vehicle, found in served_by.items() if vehicle != target
        for visit in found
        if visit.id in movable_ids and target in data.allowed[data.nodes_of_visit[visit.id][0]]
    ]
    cleared = {visit.id: visit for visit in moving}
    for visit in moving:
        node = data.nodes_of_visit[visit.id][0]
        for near in _near_visits(data, routes, target, *_around(data, node)):
            if near.id in movable_ids and near.client_id != visit.client_id:
                cleared[near.id] = near
    return moving, list(cleared.values())


def improve(
    data: PlanningData,
    node_costs: list[list[int]],
    routes: Routes,
    *,
    seconds: float,
    seed: int,
    iterations: int = 0,
    terms: RouteTerms | None = None,
) -> Routes:
    """Better lawful routes, by ruin and recreate for ``seconds`` (or exactly
    ``iterations`` rounds when it is positive, for a deterministic run)."""
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds
    visits = {visit.id: visit for visit in data.problem.visits}
    movable = [
        v for v in data.problem.visits
        if not v.fixed and v.id not in data.window_problem
    ]
    if not movable or not data.vehicle_count:
        return routes
    movable_ids = {v.id for v in movable}
    # Targeted rounds only for visits some eligible carers are on shift for.
    hopeful = {v.id for v in movable if _on_shift_carers(data, v) >= v.carers_required}
    cheapest = cheapest_carer_costs(data, node_costs)
    gathering = data.params.continuity_extra_carer_cost > 0
    current = [list(stops) for stops in routes]
    costing = PlanCosting(data, node_costs, terms)
    current_cost = costing(current)
    best, best_cost = current, current_cost
    done = 0
    while (done < iterations) if iterations > 0 else (time.perf_counter() < deadline):
        done += 1
        served = {data.visit_node(s.node).visit.id for stops in current for s in stops}
        left = [v for v in movable if v.id not in served and v.id in hopeful]
        first: list[VisitSpec] = []
        dear: list[tuple[VisitSpec, int, int]] = []
        scattered: dict[int, dict[int, list[VisitSpec]]] = {}
        making_room = bool(left) and rng.random() < TARGETED
        if not making_room and rng.random() < RECARER:
            dear = _dearly_placed(data, node_costs, current, cheapest, movable_ids)
        if not making_room and not dear and gathering and rng.random() < GATHER:
            scattered = scattered_clients(data, current)
        if making_room:
            weights = [1 + drop_penalty(data.params, v) for v in left]
            anchor = rng.choices(left, weights)[0]
            removed = _blocking(data, current, anchor, rng, movable_ids)
            first = [anchor]
        elif dear:
            anchor, vehicle, _ = rng.choices(dear, [excess for _, _, excess in dear])[0]
            removed = _clearing_for_cheaper(data, node_costs, current, anchor, vehicle, rng,
                                            movable_ids)
            first = [anchor] if removed else []
        elif scattered:
            served_by = rng.choices(
                list(scattered.values()), [len(found) - 1 for found in scattered.values()]
            )[0]
            first, removed = _gathering(data, current, served_by, rng, movable_ids)
            if not first:
                continue
            anchor = first[0]
        else:
            anchor = rng.choice(movable)
            nearby = sorted(
                (v for v in movable if v.id in served and v.id != anchor.id),
                key=lambda v: (_related(data, anchor, v), v.id),
            )
            size = rng.randint(*RUIN_SIZE)
            chosen = nearby[: size * 2]
            rng.shuffle(chosen)
            removed = chosen[:size] + ([anchor] if anchor.id in served else [])
        candidate = list(current)  # routes are replaced, never changed in place
        nodes = {node for v in removed for node in data.nodes_of_visit[v.id]}
        if not _remove(data, candidate, nodes):
            continue
        span_lo = min(data.lo[data.nodes_of_visit[v.id][0]] for v in [*removed, anchor])
        span_hi = max(data.hi[data.nodes_of_visit[v.id][0]] for v in [*removed, anchor])
        left_out = [
            v for v in movable
            if v.id not in served
            and data.lo[data.nodes_of_visit[v.id][0]] <= span_hi + 3600
            and data.hi[data.nodes_of_visit[v.id][0]] >= span_lo - 3600
        ]
        rng.shuffle(left_out)
        first_ids = {v.id for v in first}
        offered = {v.id: v for v in [*removed, *left_out[:OFFERED]] if v.id not in first_ids}
        noise = {visit_id: rng.random() for visit_id in offered}
        for visit in first:
            insert_visit(data, node_costs, candidate, visit.id)
        for visit_id in sorted(offered, key=lambda i: (visit_class(visits[i]), noise[i])):
            insert_visit(data, node_costs, candidate, visit_id)
        cost = costing(candidate)
        if cost <= current_cost or cost <= best_cost * (1 + ACCEPT_WORSE):
            current, current_cost = candidate, cost
            if cost < best_cost:
                best, best_cost = candidate, cost
    return best

