"""The first plan follows the week's rough timetable: promised visits go to their carer."""

from __future__ import annotations

from scheduler.parameters import Parameters
from scheduler.solver.data import build_planning_data
from scheduler.solver.first_solution import greedy_routes
from scheduler.solver.insertion import Routes
from scheduler.solver.model import build_model
from scheduler.solver.ruin_recreate import estimated_cost
from scheduler.solver.team_start import (
    has_promises,
    promised_routes,
    pull_to_promises,
    team_routes,
)
from tests.solver.instances import place, problem, solve_checked, visit, worker

NEAR, FAR, HOUSE = place(0.5, 0), place(3, 0), place(1, 0)
#: No soft cost prefers one carer over another except travel.
PLAIN = Parameters(
    fairness_cost_per_second=0,
    minimum_hours_cost_per_second=0,
    wage_shortfall_cost_per_pence=0,
    continuity_extra_carer_cost=0,
    continuity_team_cost=0,
)


def test_a_promised_visit_starts_on_its_carers_route() -> None:
    """The far worker was promised the visit: the promise-first plan puts it on their
    route though the near worker's drive is shorter; a visit without a promise goes
    near; a promise the carer cannot keep (pinned elsewhere) is not forced. (With no
    soft cost for a broken promise, as here, the team start then keeps the cheaper
    greedy plan.)"""
    instance = problem(
        [worker(1, home=NEAR), worker(2, home=FAR)],
        [
            visit(1, location=HOUSE, planned_worker=2),
            visit(2, location=HOUSE, window=("11:00", "12:00")),
            visit(3, location=HOUSE, window=("12:30", "13:00"), planned_worker=2,
                  pinned_workers=(1,)),
        ],
    )
    data = build_planning_data(instance, PLAIN)
    assert has_promises(data)
    node_costs = build_model(data).node_costs()
    routes = promised_routes(data, node_costs, seed=0)
    vehicle_of = {
        data.visit_node(stop.node).visit.id: vehicle
        for vehicle, stops in enumerate(routes)
        for stop in stops
    }
    worker_of = {visit_id: data.days[v].worker.id for visit_id, v in vehicle_of.items()}
    assert worker_of == {1: 2, 2: 1, 3: 1}
    chosen = team_routes(data, node_costs, seed=0)
    assert estimated_cost(data, node_costs, chosen) <= estimated_cost(data, node_costs, routes)


def test_a_plan_without_promises_is_unchanged() -> None:
    """No promises: the solver plans as before (the near worker goes)."""
    instance = problem([worker(1, home=NEAR), worker(2, home=FAR)], [visit(1, location=HOUSE)])
    assert not has_promises(build_planning_data(instance, PLAIN))
    result = solve_checked(instance, PLAIN)
    assert {a.worker_id for a in result.assignments} == {1}


def test_the_greedy_plan_is_pulled_to_the_promised_carer() -> None:
    """An important visit next to worker 2's home takes worker 2 in the greedy plan,
    so the visit promised to worker 2 at the same time goes to worker 1. Pulling
    to the promises moves the important visit to worker 1 (a little more travel)
    and puts the promised one on worker 2 (no team cost), leaving nothing out."""
    instance = problem(
        [worker(1, home=place(0, 0)), worker(2, home=place(1, 0))],
        [
            visit(1, location=place(1.2, 0), window=("09:00", "09:05"), priority=1),
            visit(2, location=place(0.5, 0), window=("09:00", "09:05"), planned_worker=2,
                  team_workers=frozenset({2})),
        ],
    )
    params = Parameters()
    data = build_planning_data(instance, params)
    node_costs = build_model(data).node_costs()

    def worker_of(routes: Routes) -> dict[int, int]:
        return {
            data.visit_node(stop.node).visit.id: data.days[vehicle].worker.id
            for vehicle, stops in enumerate(routes)
            for stop in stops
        }

    greedy = greedy_routes(data, node_costs, 0)
    assert worker_of(greedy) == {1: 2, 2: 1}
    pulled = pull_to_promises(data, node_costs, greedy, 0)
    assert worker_of(pulled) == {1: 1, 2: 2}
    assert estimated_cost(data, node_costs, pulled) < estimated_cost(data, node_costs, greedy)
    assert worker_of(team_routes(data, node_costs, 0)) == {1: 1, 2: 2}


def test_pulling_never_pays_more_than_the_promise_saves() -> None:
    """Without any continuity cost the promise is worth nothing: the greedy plan,
    where the near worker takes the visit, is kept as it is."""
    instance = problem(
        [worker(1, home=NEAR), worker(2, home=FAR)],
        [visit(1, location=HOUSE, planned_worker=2)],
    )
    data = build_planning_data(instance, PLAIN)
    node_costs = build_model(data).node_costs()
    greedy = greedy_routes(data, node_costs, 0)
    assert pull_to_promises(data, node_costs, greedy, 0) == greedy
    assert [len(stops) for stops in greedy] == [1, 0]


def test_a_visit_without_a_promise_does_not_take_a_promised_carers_time() -> None:
    """An important visit next to worker 2's home comes first in the usual order and
    takes worker 2 in the greedy plan, so the visit promised to worker 2 at the same
    time goes to worker 1. The promise-first plan places every promise before the
    rest: worker 2 keeps the promised visit and the important one goes to worker 1;
    nothing is left out. The solver, with the team cost, plans it so."""
    instance = problem(
        [worker(1, home=place(0, 0)), worker(2, home=place(1, 0))],
        [
            visit(1, location=place(1.2, 0), window=("09:00", "09:05"), priority=1),
            visit(2, location=place(0.5, 0), window=("09:00", "09:05"), planned_worker=2,
                  team_workers=frozenset({2})),
        ],
    )
    params = Parameters()
    data = build_planning_data(instance, params)
    node_costs = build_model(data).node_costs()
    def worker_of(routes: Routes) -> dict[int, int]:
        return {
            data.visit_node(stop.node).visit.id: data.days[vehicle].worker.id
            for vehicle, stops in enumerate(routes)
            for stop in stops
        }

    assert worker_of(greedy_routes(data, node_costs, 0)) == {1: 2, 2: 1}
    assert worker_of(promised_routes(data, node_costs, 0)) == {1: 1, 2: 2}
    result = solve_checked(instance, params)
    assert {a.visit_id: a.worker_id for a in result.assignments} == {1: 1, 2: 2}
