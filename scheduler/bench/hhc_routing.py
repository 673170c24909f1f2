"""The OR-Tools routing model of a home health care instance, improved by guided local search.

One node per service operation; caregivers are vehicles from the start depot to
the end depot. Travel is the arc cost and, with the operation's duration, the
transit of the ``time`` dimension (cumul = start). Qualifications restrict the
vehicles of each node; a double-service patient's two nodes go on different
vehicles with their starts linked by the least and greatest gap (constraints on
the cumul variables, which the constraint solver checks for every move). Each
start past the due time costs as much as the same amount of travel (total
tardiness); the maximum tardiness is not expressible in the routing model and is
left to the exact repair (:mod:`scheduler.bench.hhc_cpsat`). Times and distances
are scaled by :data:`SCALE` to integers, travel times rounded up so that any
plan the model accepts is feasible in real numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from scheduler.bench.mankowska import HhcInstance, Operation

#: Integer units per time or distance unit of the instance.
SCALE = 1000

Sequences = list[list[Operation]]


@dataclass
class HhcRoutingModel:
    """A closed routing model for an instance, and how its nodes map to operations."""

    instance: HhcInstance
    operations: tuple[Operation, ...]
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension

    def assignment(self, sequences: Sequences) -> pywrapcp.Assignment | None:
        """The model's assignment for ``sequences``, or None if the model rejects them."""
        node = {op: k + 1 for k, op in enumerate(self.operations)}
        routes = [[self.manager.NodeToIndex(node[op]) for op in seq] for seq in sequences]
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def sequences(self, solution: pywrapcp.Assignment) -> Sequences:
        """The operation sequence of each caregiver in a solution."""
        result: Sequences = []
        for vehicle in range(self.routing.vehicles()):
            sequence = []
            index = solution.Value(self.routing.NextVar(self.routing.Start(vehicle)))
            while not self.routing.IsEnd(index):
                sequence.append(self.operations[self.manager.IndexToNode(index) - 1])
                index = solution.Value(self.routing.NextVar(index))
            result.append(sequence)
        return result


def _horizon(instance: HhcInstance) -> int:
    longest = max(max(row) for row in instance.distance)
    work = sum(
        max(instance.duration[op.patient][k][op.service] for k in range(instance.caregivers))
        for op in instance.operations()
    )
    latest = max(instance.due[p] for p in instance.patients)
    return math.ceil((latest + work + longest * (len(instance.operations()) + 1)) * SCALE)


def build_routing_model(instance: HhcInstance, seconds: float) -> HhcRoutingModel:
    """A closed routing model of ``instance`` (``seconds`` bounds restoring a plan into it)."""
    operations = instance.operations()
    places = [0, *(op.patient for op in operations), instance.end_depot]
    count = len(places)
    end = count - 1
    manager = pywrapcp.RoutingIndexManager(
        count, instance.caregivers, [0] * instance.caregivers, [end] * instance.caregivers
    )
    routing = pywrapcp.RoutingModel(manager)
    distance = [
        [
            0 if a == b else round(instance.distance[places[a]][places[b]] * SCALE)
            for b in range(count)
        ]
        for a in range(count)
    ]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(distance))

    def duration(node: int, caregiver: int) -> float:
        if node in (0, end):
            return 0.0
        op = operations[node - 1]
        return instance.duration[op.patient][caregiver][op.service]

    horizon = _horizon(instance)
    # One transit matrix per profile of durations and qualifications; journeys into a
    # node the caregiver may not serve take longer than the horizon, so that the
    # search's filters reject such moves before the constraint solver does.
    transits: dict[tuple[tuple[float, ...], tuple[bool, ...]], int] = {}
    evaluators = []
    for caregiver in range(instance.caregivers):
        profile = tuple(duration(node, caregiver) for node in range(count))
        allowed = tuple(
            node in (0, end) or instance.can_give(caregiver, operations[node - 1])
            for node in range(count)
        )
        if (profile, allowed) not in transits:
            matrix = [
                [
                    math.ceil(
                        (profile[a] + (instance.distance[places[a]][places[b]] if a != b else 0.0))
                        * SCALE
                        - 1e-9
                    )
                    if allowed[b]
                    else horizon + 1
                    for b in range(count)
                ]
                for a in range(count)
            ]
            transits[(profile, allowed)] = routing.RegisterTransitMatrix(matrix)
        evaluators.append(transits[(profile, allowed)])
    routing.AddDimensionWithVehicleTransits(evaluators, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    solver = routing.solver()
    index_of = {op: manager.NodeToIndex(k + 1) for k, op in enumerate(operations)}
    for op, index in index_of.items():
        time.CumulVar(index).SetMin(math.ceil(instance.earliest[op.patient] * SCALE))
        time.SetCumulVarSoftUpperBound(index, math.floor(instance.due[op.patient] * SCALE), 1)
        qualified = [k for k in range(instance.caregivers) if instance.can_give(k, op)]
        if len(qualified) < instance.caregivers:
            routing.VehicleVar(index).SetValues(qualified)
    for patient in instance.patients:
        services = instance.services_of(patient)
        if len(services) != 2:
            continue
        first, second = (index_of[Operation(patient, s)] for s in services)
        gap = time.CumulVar(second) - time.CumulVar(first)
        solver.Add(gap >= round(instance.min_gap[patient] * SCALE))
        solver.Add(gap <= round(instance.max_gap[patient] * SCALE))
        solver.Add(routing.VehicleVar(first) != routing.VehicleVar(second))
    parameters = search_parameters(seconds)
    routing.CloseModelWithParameters(parameters)
    return HhcRoutingModel(instance, operations, manager, routing, time)


def search_parameters(
    seconds: float, lambda_coefficient: float = 0.1
) -> routing_parameters_pb2.RoutingSearchParameters:
    """Guided local search for ``seconds`` (wall clock)."""
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.guided_local_search_lambda_coefficient = lambda_coefficient
    parameters.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    return parameters


def improve_with_guided_local_search(
    model: HhcRoutingModel, sequences: Sequences, seconds: float
) -> Sequences | None:
    """Sequences improved by guided local search from ``sequences`` for ``seconds``,
    or None if the model rejects the start."""
    start = model.assignment(sequences)
    if start is None:
        return None
    solution = model.routing.SolveFromAssignmentWithParameters(start, search_parameters(seconds))
    return model.sequences(solution) if solution is not None else None
