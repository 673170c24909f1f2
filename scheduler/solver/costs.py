"""The objective of a plan, component by component, with the model's own formulas.

The components add up to the routing model's objective for the same routes, so a
coordinator can see what each rule costs: ``travel``, ``lateness``, ``earliness``,
``continuity``, ``gender``, ``stability``, ``fairness``, ``minimum_hours``,
``wage`` and ``dropped``, and their ``total``. Dimensionless cost units.
"""

from __future__ import annotations

import itertools

from scheduler.solver.context import ModelContext
from scheduler.solver.extract import RoutePlan


def _route_sum(matrix: list[list[int]], point_of: tuple[int, ...], nodes: list[int]) -> int:
    return sum(matrix[point_of[a]][point_of[b]] for a, b in itertools.pairwise(nodes))


def objective_components(ctx: ModelContext, plans: list[RoutePlan]) -> dict[str, int]:
    """Each cost component of the plan (and their ``total``)."""
    data, params = ctx.data, ctx.params
    components = dict.fromkeys(
        ("travel", "lateness", "earliness", "continuity", "gender", "stability", "fairness",
         "minimum_hours", "wage", "dropped"),
        0,
    )
    vehicle_of: dict[int, int] = {}
    for plan in plans:
        vehicle = plan.vehicle
        nodes = [vehicle, *(stop.node for stop in plan.stops), vehicle]
        for stop in plan.stops:
            vehicle_of[stop.node] = vehicle
            late = max(0, stop.start - data.preferred[stop.node])
            early = max(0, data.preferred[stop.node] - stop.start)
            components["lateness"] += data.lateness_cost[stop.node] * late
            components["earliness"] += data.earliness_cost[stop.node] * early
            for name, part in ctx.node_cost_parts.items():
                components[name] += part[vehicle][stop.node]
        mode = data.days[vehicle].mode
        if plan.stops:
            travel = _route_sum(data.travel[mode], data.point_of, nodes)
            components["travel"] += params.travel_cost_per_second * travel
            work = travel + sum(data.service[stop.node] for stop in plan.stops)
        else:
            work = 0
        if ctx.fair_share[vehicle] >= 0:
            excess = max(0, work - ctx.fair_share[vehicle])
            components["fairness"] += params.fairness_cost_per_second * excess
        if params.minimum_hours_cost_per_second and ctx.minimum_target[vehicle] > 0:
            short = max(0, ctx.minimum_target[vehicle] - work)
            components["minimum_hours"] += params.minimum_hours_cost_per_second * short
        if ctx.wage is not None and plan.stops:
            key = (mode, data.days[vehicle].worker.hourly_pay_pence)
            transits = ctx.wage_transits[key]
            balance = sum(transits[a][b] for a, b in itertools.pairwise(nodes))
            components["wage"] += params.wage_shortfall_cost_per_pence * max(0, balance)
    for _client_id, group in ctx.client_groups:
        used = {vehicle_of[node] for node in group if node in vehicle_of}
        components["continuity"] += params.continuity_extra_carer_cost * max(0, len(used) - 1)
    for node, penalty in ctx.drop_penalty.items():
        if node not in vehicle_of:
            components["dropped"] += penalty
    components["total"] = sum(components.values())
    return components
