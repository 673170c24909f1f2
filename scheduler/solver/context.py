"""The OR-Tools routing model under construction, shared by the rule functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from scheduler.parameters import Parameters
from scheduler.solver.data import PlanningData

#: Offset of the wage dimension's cumuls, so that they never go below zero.
WAGE_OFFSET = 10**9


@dataclass
class ModelContext:
    """A routing model being built, plus what the rules record for later steps.

    ``node_costs[v][n]``: soft cost of vehicle ``v`` serving node ``n`` (added to
    the arc cost into ``n``), by component name in ``node_cost_parts``.
    ``gap_breaks``/``rest_breaks``: the break intervals of each vehicle (gaps
    between shifts, fixed; rest breaks, placed by the solver); ``ordered_breaks``
    all of them in time order. ``fair_share`` and
    ``minimum_target``: per vehicle, seconds of work (contact + travel).
    """

    data: PlanningData
    params: Parameters
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    work: pywrapcp.RoutingDimension
    node_cost_parts: dict[str, list[list[int]]] = field(default_factory=dict)
    gap_breaks: list[list[pywrapcp.IntervalVar]] = field(default_factory=list)
    rest_breaks: list[list[pywrapcp.IntervalVar]] = field(default_factory=list)
    ordered_breaks: list[list[pywrapcp.IntervalVar]] = field(default_factory=list)
    wage: pywrapcp.RoutingDimension | None = None
    wage_transits: dict[tuple[str, int], list[list[int]]] = field(default_factory=dict)
    fair_share: list[int] = field(default_factory=list)
    minimum_target: list[int] = field(default_factory=list)
    drop_penalty: dict[int, int] = field(default_factory=dict)
    client_groups: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)

    @property
    def solver(self) -> pywrapcp.Solver:
        return self.routing.solver()

    def index(self, node: int) -> int:
        """The routing variable index of a visit node."""
        return int(self.manager.NodeToIndex(node))

    def add_node_cost(self, component: str, vehicle: int, node: int, cost: int) -> None:
        """Add a soft cost for ``vehicle`` serving ``node``, under ``component``."""
        if component not in self.node_cost_parts:
            self.node_cost_parts[component] = [
                [0] * self.data.node_count for _ in range(self.data.vehicle_count)
            ]
        self.node_cost_parts[component][vehicle][node] += cost

    def node_costs(self) -> list[list[int]]:
        """Total soft cost of each vehicle serving each node."""
        totals = [[0] * self.data.node_count for _ in range(self.data.vehicle_count)]
        for part in self.node_cost_parts.values():
            for vehicle, row in enumerate(part):
                total = totals[vehicle]
                for node, cost in enumerate(row):
                    if cost:
                        total[node] += cost
        return totals
