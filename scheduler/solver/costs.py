"""The objective of a plan, component by component, with the model's own formulas.

The components add up to the routing model's objective for the same routes, so a
coordinator can see what each rule costs: ``travel``, ``lateness``, ``earliness``,
``continuity``, ``gender``, ``stability``, ``fairness``, ``minimum_hours``,
``wage`` and ``dropped``, and their ``total``. Dimensionless cost units.
:class:`RouteTerms` holds the costs of a whole route's work, which ruin and
recreate also uses to judge its rounds by the same objective.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from scheduler.parameters import Parameters
from scheduler.solver.context import ModelContext
from scheduler.solver.extract import RoutePlan


@dataclass(frozen=True)
class RouteTerms:
    """The soft costs that depend on a whole route's work, per vehicle: ``fairness``
    above the fair share, ``minimum_hours`` below the target (both seconds of work,
    contact + travel) and ``wage`` below the National Living Wage (the wage
    dimension's transits, pence; None where the rule is off)."""

    params: Parameters
    fair_share: list[int]
    minimum_target: list[int]
    wage: list[list[list[int]] | None]

    @classmethod
    def of(cls, ctx: ModelContext) -> RouteTerms:
        """The terms of a built model."""
        data = ctx.data
        wage: list[list[list[int]] | None] = [
            ctx.wage_transits[(day.mode, day.worker.hourly_pay_pence)]
            if ctx.wage is not None else None
            for day in data.days
        ]
        return cls(ctx.params, list(ctx.fair_share), list(ctx.minimum_target), wage)

    def cost(self, vehicle: int, nodes: list[int], work: int) -> dict[str, int]:
        """Each term for a route through ``nodes`` (home, visits, home) with ``work``
        seconds of contact and travel."""
        params = self.params
        terms = {"fairness": 0, "minimum_hours": 0, "wage": 0}
        if self.fair_share[vehicle] >= 0:
            terms["fairness"] = params.fairness_cost_per_second * max(
                0, work - self.fair_share[vehicle]
            )
        if params.minimum_hours_cost_per_second and self.minimum_target[vehicle] > 0:
            terms["minimum_hours"] = params.minimum_hours_cost_per_second * max(
                0, self.minimum_target[vehicle] - work
            )
        transits = self.wage[vehicle]
        if transits is not None and len(nodes) > 2:
            balance = sum(transits[a][b] for a, b in itertools.pairwise(nodes))
            terms["wage"] = params.wage_shortfall_cost_per_pence * max(0, balance)
        return terms


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
    terms = RouteTerms.of(ctx)
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
        for name, cost in terms.cost(vehicle, nodes, work).items():
            components[name] += cost
    for _client_id, group in ctx.client_groups:
        used = {vehicle_of[node] for node in group if node in vehicle_of}
        components["continuity"] += params.continuity_extra_carer_cost * max(0, len(used) - 1)
    for node, penalty in ctx.drop_penalty.items():
        if node not in vehicle_of:
            components["dropped"] += penalty
    components["total"] = sum(components.values())
    return components
