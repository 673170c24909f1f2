"""Our ruin and recreate: rounds that make room for a left-out visit."""

from __future__ import annotations

import random

from scheduler.parameters import Parameters
from scheduler.solver.costs import RouteTerms, objective_components
from scheduler.solver.data import PlanningData, build_planning_data
from scheduler.solver.extract import RoutePlan
from scheduler.solver.first_solution import greedy_routes
from scheduler.solver.insertion import Routes
from scheduler.solver.ruin_recreate import (
    TARGET_MARGIN,
    PlanCosting,
    _blocking,
    _clearing_for_cheaper,
    _dearly_placed,
    _gathering,
    _on_shift_carers,
    cheapest_carer_costs,
    estimated_cost,
    extra_carers,
    improve,
    scattered_clients,
)
from scheduler.solver.search import _closed_model
from scheduler.solver.timeline import plan_route, route_breach
from tests.solver.instances import at, place, problem, synthetic_area, visit, worker


def _node(data: PlanningData, visit_id: int) -> int:
    return data.nodes_of_visit[visit_id][0]


def test_a_left_out_visit_takes_the_place_of_a_less_important_one() -> None:
    """One carer, room for one of two visits: the priority-1 visit left out of the
    first plan displaces the priority-5 one within a few rounds."""
    spec = problem(
        [worker(1, shifts=(("07:30", "10:30"),))],
        [
            visit(1, window=("08:00", "08:30"), duration_minutes=90, priority=5),
            visit(2, window=("08:00", "08:30"), duration_minutes=90, priority=1),
        ],
    )
    data = build_planning_data(spec, Parameters())
    node_costs = _closed_model(data, data.params, 1.0).node_costs()
    start = plan_route(data, 0, [_node(data, 1)], {})
    assert start is not None
    routes: Routes = [start]
    better = improve(data, node_costs, routes, seconds=0, seed=0, iterations=20)
    assert [stop.node for stop in better[0]] == [_node(data, 2)]
    assert route_breach(data, 0, better[0]) is None
    assert estimated_cost(data, node_costs, better) < estimated_cost(data, node_costs, routes)


def test_room_is_made_on_two_eligible_carers_on_shift_for_a_double_handed_visit() -> None:
    """The visits cleared for a left-out double-handed visit lie near its window, on
    two different carers who may serve it and are on shift then; never a fixed one."""
    workers = [
        worker(1, shifts=(("07:00", "14:00"),)),
        worker(2, shifts=(("07:00", "14:00"),)),
        worker(3, shifts=(("15:00", "22:00"),)),  # off shift in the window
        worker(4, shifts=(("07:00", "14:00"),), gender="male"),  # refused by the client
    ]
    visits = [
        visit(10, window=("09:00", "09:30"), carers_required=2, priority=1,
              carer_gender="female", carer_gender_strict=True),
        visit(11, window=("09:00", "09:15"), location=place(1, 2)),
        visit(12, window=("09:30", "09:45"), location=place(2, 1)),
        visit(13, window=("13:00", "13:15"), location=place(1, 0)),  # far from the window
    ]
    data = build_planning_data(problem(workers, visits), Parameters())
    routes: Routes = [[] for _ in range(data.vehicle_count)]
    for vehicle, ids in ((0, [11, 13]), (1, [12])):
        timed = plan_route(data, vehicle, [_node(data, i) for i in ids], {})
        assert timed is not None
        routes[vehicle] = timed
    anchor = visits[0]
    assert _on_shift_carers(data, anchor) == 2  # worker 3 is off shift, 4 refused
    movable = {v.id for v in visits}
    for seed in range(10):
        cleared = _blocking(data, routes, anchor, random.Random(seed), movable)
        assert {v.id for v in cleared} == {11, 12}
    lo, hi = at("09:00") - TARGET_MARGIN, at("09:30") + 1800 + TARGET_MARGIN
    for vehicle in (0, 1):
        for stop in routes[vehicle]:
            near = stop.start + data.service[stop.node] >= lo and stop.start <= hi
            assert near == (data.visit_node(stop.node).visit.id in {11, 12})
    # A carer whose visits there may not move is not cleared.
    assert _blocking(data, routes, anchor, random.Random(0), movable - {11}) == []


def test_a_visit_with_a_carer_outside_the_team_is_moved_to_its_team_carer() -> None:
    """Two carers on shift 08:00–10:00 and two 60-minute visits at 08:00–08:30: the
    client of visit 1 has carer 1 as their team, but the plan gives visit 1 to carer 2.
    The round that re-carers a dearly placed visit finds visit 1 (by its excess soft
    cost), clears carer 1's time around its window (visit 2), and the rounds end with
    visit 1 on carer 1 and visit 2 on carer 2, at a lower estimated cost."""
    shift = (("08:00", "10:00"),)
    spec = problem(
        [worker(1, shifts=shift), worker(2, shifts=shift)],
        [
            visit(1, window=("08:00", "08:30"), duration_minutes=60, client_id=100,
                  team_workers=frozenset({1})),
            visit(2, window=("08:00", "08:30"), duration_minutes=60, client_id=200),
        ],
    )
    data = build_planning_data(spec, Parameters())
    node_costs = _closed_model(data, data.params, 1.0).node_costs()
    one, two = _node(data, 1), _node(data, 2)
    assert node_costs[1][one] > node_costs[0][one]  # carer 2 (vehicle 1) is outside the team
    first = plan_route(data, 0, [two], {})
    second = plan_route(data, 1, [one], {})
    assert first is not None and second is not None
    routes: Routes = [first, second]

    cheapest = cheapest_carer_costs(data, node_costs)
    dear = _dearly_placed(data, node_costs, routes, cheapest, {1, 2})
    assert [(v.id, vehicle, excess) for v, vehicle, excess in dear] == [
        (1, 1, node_costs[1][one] - node_costs[0][one])
    ]
    cleared = _clearing_for_cheaper(data, node_costs, routes, dear[0][0], 1,
                                    random.Random(0), {1, 2})
    assert {v.id for v in cleared} == {1, 2}
    # Nothing is cleared when the cheaper carer's nearby visit may not move.
    assert _clearing_for_cheaper(data, node_costs, routes, dear[0][0], 1,
                                 random.Random(0), {1}) == []

    better = improve(data, node_costs, routes, seconds=0, seed=0, iterations=20)
    assert [stop.node for stop in better[0]] == [one]
    assert [stop.node for stop in better[1]] == [two]
    assert all(route_breach(data, v, stops) is None for v, stops in enumerate(better))
    assert estimated_cost(data, node_costs, better) < estimated_cost(data, node_costs, routes)


def test_the_estimate_with_route_terms_is_the_models_objective() -> None:
    """With the route terms, the estimate that ruin and recreate keeps or refuses
    rounds by is the model's objective, component for component summed: travel,
    lateness, per-worker costs, extra carers per client, fairness, minimum hours,
    wage and drop penalties."""
    spec = synthetic_area(6, 60, seed=11)
    data = build_planning_data(spec, Parameters())
    ctx = _closed_model(data, data.params, 1.0)
    node_costs = ctx.node_costs()
    routes = improve(data, node_costs, greedy_routes(data, node_costs, 0), seconds=0, seed=0,
                     iterations=30, terms=RouteTerms.of(ctx))
    plans = [RoutePlan(vehicle, stops, 0, 0) for vehicle, stops in enumerate(routes)]
    components = objective_components(ctx, plans)
    assert components["continuity"] > 0 and components["fairness"] + components["wage"] > 0
    assert estimated_cost(data, node_costs, routes, RouteTerms.of(ctx)) == components["total"]
    assert estimated_cost(data, node_costs, routes) < components["total"]
    # Costed after another plan, the routes that changed are costed afresh.
    costing = PlanCosting(data, node_costs, RouteTerms.of(ctx))
    assert costing(greedy_routes(data, node_costs, 0)) > components["total"]
    assert costing(routes) == components["total"]


def test_a_client_seen_by_two_carers_is_gathered_onto_one() -> None:
    """Two visits of one client on two carers, either of whom could take both: a
    gathering round moves one of them, so the client sees one carer today."""
    workers = [worker(1, home=place(0, 0)), worker(2, home=place(0, 0.2))]
    visits = [
        visit(1, client_id=7, window=("08:00", "09:00"), location=place(1, 0)),
        visit(2, client_id=7, window=("12:00", "13:00"), location=place(1, 0)),
    ]
    data = build_planning_data(problem(workers, visits), Parameters())
    node_costs = _closed_model(data, data.params, 1.0).node_costs()
    one = plan_route(data, 0, [_node(data, 1)], {})
    two = plan_route(data, 1, [_node(data, 2)], {})
    assert one is not None and two is not None
    routes: Routes = [one, two]
    assert extra_carers(data, routes) == 1
    served_by = scattered_clients(data, routes)[7]
    moving, cleared = _gathering(data, routes, served_by, random.Random(0), {1, 2})
    assert len(moving) == 1 and moving[0] in cleared and len(cleared) == 1
    better = improve(data, node_costs, routes, seconds=0, seed=0, iterations=10)
    assert extra_carers(data, better) == 0 and not scattered_clients(data, better)
    assert all(route_breach(data, v, stops) is None for v, stops in enumerate(better))
