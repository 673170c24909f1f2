"""The first plan follows the week's rough timetable: promised visits go to their carer."""

from __future__ import annotations

from scheduler.parameters import Parameters
from scheduler.solver.data import build_planning_data
from scheduler.solver.model import build_model
from scheduler.solver.team_start import has_promises, team_routes
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
    """The far worker was promised the visit: the first plan puts it on their route
    though the near worker's drive is shorter; a visit without a promise goes near;
    a promise the carer cannot keep (pinned elsewhere) is not forced."""
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
    routes = team_routes(data, build_model(data).node_costs(), seed=0)
    vehicle_of = {
        data.visit_node(stop.node).visit.id: vehicle
        for vehicle, stops in enumerate(routes)
        for stop in stops
    }
    worker_of = {visit_id: data.days[v].worker.id for visit_id, v in vehicle_of.items()}
    assert worker_of == {1: 2, 2: 1, 3: 1}


def test_a_plan_without_promises_is_unchanged() -> None:
    """No promises: the solver plans as before (the near worker goes)."""
    instance = problem([worker(1, home=NEAR), worker(2, home=FAR)], [visit(1, location=HOUSE)])
    assert not has_promises(build_planning_data(instance, PLAIN))
    result = solve_checked(instance, PLAIN)
    assert {a.worker_id for a in result.assignments} == {1}
