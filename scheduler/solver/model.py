"""Build the OR-Tools routing model: one vehicle per worker, from home back to home.

Dimensions: ``time`` (cumul = start of a visit, seconds from origin; transit =
the visit's duration + travel by the worker's mode; slack = waiting and breaks),
``work`` (contact + travel, seconds, for the fairness and minimum-hours costs)
and ``wage`` (pence, for the minimum-wage cost). The rules in
:mod:`scheduler.solver.rules` add constraints and costs in a fixed order.
"""

from __future__ import annotations

import numpy as np
from ortools.constraint_solver import pywrapcp

from scheduler.solver import rules
from scheduler.solver.context import ModelContext
from scheduler.solver.data import PlanningData

#: The rules in the order they are applied; ``travel`` (the arc costs, which
#: gathers the other rules' per-worker costs) and ``breaks`` come last.
RULES = (
    rules.time_windows,
    rules.eligible_workers,
    rules.availability,
    rules.double_handed_visits,
    rules.client_preferences,
    rules.working_time_regulations,
    rules.working_time_limits,
    rules.minimum_hours,
    rules.continuity_of_care,
    rules.unallocated_visits,
    rules.published_assignments,
    rules.fair_workload,
    rules.minimum_wage,
    rules.travel,
    rules.breaks,
)


def _time_transits(data: PlanningData, routing: pywrapcp.RoutingModel) -> list[int]:
    """One registered time transit per vehicle: duration + travel by its mode.

    Journeys into a node the vehicle may not serve take longer than the horizon,
    so the search's filters reject such moves before the constraint solver does.
    """
    impossible = data.horizon + 1
    by_mode = {mode: data.node_array(mode, with_service=True) for mode in data.travel}
    registered: dict[tuple[str, tuple[bool, ...]], int] = {}
    evaluators = []
    for vehicle, day in enumerate(data.days):
        forbidden = tuple(
            node >= data.vehicle_count and vehicle not in data.allowed[node]
            for node in range(data.node_count)
        )
        key = (day.mode, forbidden)
        if key not in registered:
            matrix = by_mode[day.mode]
            if any(forbidden):
                matrix = matrix.copy()
                matrix[:, np.asarray(forbidden)] = impossible
            registered[key] = routing.RegisterTransitMatrix(matrix.tolist())
        evaluators.append(registered[key])
    return evaluators


def build_model(data: PlanningData) -> ModelContext:
    """A routing model for ``data`` with every rule applied (not yet closed)."""
    homes = list(range(data.vehicle_count))
    manager = pywrapcp.RoutingIndexManager(data.node_count, data.vehicle_count, homes, homes)
    routing = pywrapcp.RoutingModel(manager)
    routing.AddDimensionWithVehicleTransits(
        _time_transits(data, routing), data.horizon, data.horizon, False, "time"
    )
    work_by_mode = {
        mode: routing.RegisterTransitMatrix(data.node_matrix(mode, with_service=True))
        for mode in data.travel
    }
    routing.AddDimensionWithVehicleTransits(
        [work_by_mode[day.mode] for day in data.days], 0, data.horizon, True, "work"
    )
    ctx = ModelContext(
        data=data,
        params=data.params,
        manager=manager,
        routing=routing,
        time=routing.GetDimensionOrDie("time"),
        work=routing.GetDimensionOrDie("work"),
    )
    for rule in RULES:
        rule(ctx)
    return ctx
