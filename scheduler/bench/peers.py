"""PyVRP and VROOM on the same instances, for the comparison tables (optional extra ``bench``).

Both take integer data: distances are scaled by :data:`SCALE` and rounded for the
objective, journeys rounded up for timing (so their routes stay feasible in real
numbers), exactly as in our own model. Every solve gets the same wall-clock limit
and one thread.

On the home health care instances neither peer can express everything:

- skills: PyVRP has no qualifications, so each caregiver gets a routing profile
  in which journeys to operations it may not give take longer than the day
  (time warp, which PyVRP must remove to be feasible); VROOM has skills.
- due times are soft in the benchmark; both peers only know hard time windows.
  PyVRP is given [earliest start, due time] and penalises lateness as time warp
  while searching; VROOM is first given [earliest start, due time] and, when it
  cannot place every operation so, [earliest start, ∞).
- the two services of a double-service patient: neither peer can require two
  different caregivers, nor link their start times (simultaneous or within a
  gap). Each service is an ordinary stop.

Their routes are then timed exactly by our scheduler
(:func:`~scheduler.bench.hhc_schedule.schedule`, waiting where a gap asks for
it) and scored by the benchmark's objective; plans that break a rule the peer
could not see (both services with one caregiver, a gap that cannot be kept, an
operation left out) are reported as infeasible.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import Any

from scheduler.bench.hhc_schedule import schedule, score
from scheduler.bench.mankowska import HhcInstance, Operation
from scheduler.bench.results import HhcResult, VrptwResult
from scheduler.bench.solomon import SolomonInstance, route_distance

#: Integer units per distance or time unit of the instances.
SCALE = 1000
#: Cost of using a vehicle on Solomon instances (scaled units): fewer vehicles first.
VEHICLE_COST = 10**6


class PeerUnavailable(RuntimeError):
    """The peer solver's package is not installed (``pip install .[bench]``)."""


def _matrix(numpy: Any, rows: list[list[int]]) -> Any:
    """An int64 array for PyVRP."""
    return numpy.array(rows, dtype=numpy.int64)


def _ceil(value: float) -> int:
    return math.ceil(value * SCALE - 1e-9)


def _solomon_matrices(instance: SolomonInstance) -> tuple[list[list[int]], list[list[int]]]:
    """Scaled distance (rounded) and travel time (rounded up) matrices."""
    count = instance.customers + 1
    distance = [
        [round(instance.distance(i, j) * SCALE) for j in range(count)] for i in range(count)
    ]
    duration = [[_ceil(instance.distance(i, j)) for j in range(count)] for i in range(count)]
    return distance, duration


def solve_vrptw_pyvrp(instance: SolomonInstance, seconds: float, seed: int = 0) -> VrptwResult:
    """PyVRP's iterated local search for ``seconds``, a fixed cost per vehicle."""
    try:
        import numpy as np
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise PeerUnavailable("PyVRP is not installed: pip install '.[bench]'") from error
    started = time.perf_counter()
    distance, duration = _solomon_matrices(instance)
    horizon = _ceil(instance.due[0])
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x, y) for x, y in zip(instance.x, instance.y, strict=True)],
        clients=[
            pyvrp.Client(
                location=i,
                delivery=[instance.demand[i]],
                service_duration=_ceil(instance.service[i]),
                tw_early=_ceil(instance.ready[i]),
                tw_late=math.floor(instance.due[i] * SCALE),
            )
            for i in range(1, instance.customers + 1)
        ],
        depots=[pyvrp.Depot(location=0, tw_early=0, tw_late=horizon)],
        vehicle_types=[
            pyvrp.VehicleType(
                num_available=instance.fleet,
                capacity=[instance.capacity],
                fixed_cost=VEHICLE_COST,
                tw_early=0,
                tw_late=horizon,
            )
        ],
        distance_matrices=[_matrix(np, distance)],
        duration_matrices=[_matrix(np, duration)],
    )
    remaining = max(0.05, seconds - (time.perf_counter() - started))
    result = pyvrp.solve(
        data, stop=MaxRuntime(remaining), seed=seed, collect_stats=False, display=False
    )
    routes = tuple(
        tuple(
            activity.idx + 1
            for activity in route.schedule()
            if activity.type == pyvrp.ActivityType.CLIENT
        )
        for route in result.best.routes()
    )
    return VrptwResult(
        instance.name,
        routes,
        sum(route_distance(instance, list(route)) for route in routes),
        time.perf_counter() - started,
        "pyvrp",
    )


def solve_vrptw_vroom(instance: SolomonInstance, seconds: float, seed: int = 0) -> VrptwResult:
    """VROOM at exploration level 5, one thread, stopped after ``seconds``."""
    del seed  # VROOM is deterministic
    try:
        import vroom
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise PeerUnavailable("pyvroom is not installed: pip install '.[bench]'") from error
    started = time.perf_counter()
    distance, duration = _solomon_matrices(instance)
    problem = vroom.Input()
    problem.set_durations_matrix("car", duration)
    problem.set_costs_matrix("car", distance)
    horizon = _ceil(instance.due[0])
    for vehicle in range(instance.fleet):
        problem.add_vehicle(
            vroom.Vehicle(
                vehicle,
                start=0,
                end=0,
                capacity=[instance.capacity],
                time_window=vroom.TimeWindow(0, horizon),
                costs=vroom.VehicleCosts(fixed=VEHICLE_COST),
            )
        )
    for customer in range(1, instance.customers + 1):
        problem.add_job(
            vroom.Job(
                customer,
                location=customer,
                default_service=_ceil(instance.service[customer]),
                delivery=[instance.demand[customer]],
                time_windows=[
                    vroom.TimeWindow(
                        _ceil(instance.ready[customer]), math.floor(instance.due[customer] * SCALE)
                    )
                ],
            )
        )
    remaining = max(0.05, seconds - (time.perf_counter() - started))
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=remaining)
    )
    routes = _vroom_routes(solution)
    ordered = tuple(tuple(route) for route in routes.values())
    return VrptwResult(
        instance.name,
        ordered,
        sum(route_distance(instance, list(route)) for route in ordered),
        time.perf_counter() - started,
        "vroom",
    )


def _vroom_routes(solution: object) -> dict[int, list[int]]:
    """Job ids in visiting order, per vehicle id, from a VROOM solution."""
    frame = solution.routes  # type: ignore[attr-defined]
    routes: dict[int, list[int]] = {}
    for row in frame.itertuples():
        if row.type == "job":
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    return routes


# -- home health care ---------------------------------------------------------------


def _hhc_result(
    instance: HhcInstance, sequences: list[list[Operation]], started: float, solver: str
) -> HhcResult:
    """Time the peer's sequences exactly and score them (infeasible when they cannot be)."""
    timed = schedule(instance, sequences, strict=False)
    assert timed is not None
    routes = tuple(tuple(route) for route in timed)
    return HhcResult(
        instance.name, routes, score(instance, timed), time.perf_counter() - started, solver
    )


def _hhc_travel(instance: HhcInstance, a: int, b: int) -> tuple[int, int]:
    """(scaled distance rounded, scaled travel time rounded up) between two nodes."""
    if a == b:
        return 0, 0
    return round(instance.distance[a][b] * SCALE), _ceil(instance.distance[a][b])


def solve_hhc_pyvrp(instance: HhcInstance, seconds: float, seed: int = 0) -> HhcResult:
    """PyVRP on the relaxation described in the module docstring."""
    try:
        import numpy as np
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise PeerUnavailable("PyVRP is not installed: pip install '.[bench]'") from error
    started = time.perf_counter()
    operations = instance.operations()
    # Locations: 0 start depot, 1 end depot, then one per operation (so that the
    # duration of a service can go on the journey out of it, per caregiver).
    places = [0, instance.end_depot, *(op.patient for op in operations)]
    count = len(places)
    day = _ceil(max(instance.due) * 10 + 10_000)
    distance: Any = np.zeros((count, count), dtype=np.int64)
    for a in range(count):
        for b in range(count):
            distance[a, b] = _hhc_travel(instance, places[a], places[b])[0]
    profiles: dict[tuple[tuple[bool, ...], tuple[int, ...]], int] = {}
    durations: list[Any] = []
    vehicle_types = []
    for caregiver in range(instance.caregivers):
        allowed = tuple(instance.can_give(caregiver, op) for op in operations)
        service = tuple(
            _ceil(instance.duration[op.patient][caregiver][op.service]) for op in operations
        )
        key = (allowed, service)
        if key not in profiles:
            matrix: Any = np.zeros((count, count), dtype=np.int64)
            for a in range(count):
                leave = service[a - 2] if a >= 2 else 0
                for b in range(count):
                    travel = _hhc_travel(instance, places[a], places[b])[1]
                    forbidden = b >= 2 and not allowed[b - 2]
                    if a != b:
                        matrix[a, b] = day if forbidden else leave + travel
            profiles[key] = len(durations)
            durations.append(matrix)
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=1, start_depot=0, end_depot=1, profile=profiles[key],
                name=f"caregiver {caregiver}",
            )
        )
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0.0, 0.0) for _ in range(count)],
        clients=[
            pyvrp.Client(
                location=2 + k,
                tw_early=_ceil(instance.earliest[op.patient]),
                tw_late=math.floor(instance.due[op.patient] * SCALE),
            )
            for k, op in enumerate(operations)
        ],
        depots=[pyvrp.Depot(location=0), pyvrp.Depot(location=1)],
        vehicle_types=vehicle_types,
        distance_matrices=[distance] * len(durations),
        duration_matrices=durations,
    )
    remaining = max(0.05, seconds - (time.perf_counter() - started))
    result = pyvrp.solve(
        data, stop=MaxRuntime(remaining), seed=seed, collect_stats=False, display=False
    )
    sequences: list[list[Operation]] = [[] for _ in range(instance.caregivers)]
    for route in result.best.routes():
        sequences[route.vehicle_type()] = [
            operations[activity.idx]
            for activity in route.schedule()
            if activity.type == pyvrp.ActivityType.CLIENT
        ]
    return _hhc_result(instance, sequences, started, "pyvrp")


def solve_hhc_vroom(instance: HhcInstance, seconds: float, seed: int = 0) -> HhcResult:
    """VROOM on the relaxation described in the module docstring."""
    del seed  # VROOM is deterministic
    try:
        import vroom
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise PeerUnavailable("pyvroom is not installed: pip install '.[bench]'") from error
    started = time.perf_counter()
    operations = instance.operations()
    count = instance.nodes
    distance = [[_hhc_travel(instance, a, b)[0] for b in range(count)] for a in range(count)]
    duration = [[_hhc_travel(instance, a, b)[1] for b in range(count)] for a in range(count)]
    best: HhcResult | None = None
    for attempt, open_windows in enumerate((False, True)):
        problem = vroom.Input()
        problem.set_durations_matrix("car", duration)
        problem.set_costs_matrix("car", distance)
        for caregiver in range(instance.caregivers):
            skills = {s for s in range(instance.services) if instance.qualified[caregiver][s]}
            problem.add_vehicle(
                vroom.Vehicle(caregiver, start=0, end=instance.end_depot, skills=skills)
            )
        for k, op in enumerate(operations):
            late = 2**31 if open_windows else math.floor(instance.due[op.patient] * SCALE)
            problem.add_job(
                vroom.Job(
                    k,
                    location=op.patient,
                    default_service=_ceil(
                        max(instance.duration[op.patient][c][op.service]
                            for c in range(instance.caregivers))
                    ),
                    skills={op.service},
                    time_windows=[vroom.TimeWindow(_ceil(instance.earliest[op.patient]), late)],
                )
            )
        share = (seconds - (time.perf_counter() - started)) / (2 - attempt)
        solution = problem.solve(
            exploration_level=5, nb_threads=1, timeout=timedelta(seconds=max(0.05, share))
        )
        routes = _vroom_routes(solution)
        sequences = [
            [operations[job] for job in routes.get(caregiver, [])]
            for caregiver in range(instance.caregivers)
        ]
        result = _hhc_result(instance, sequences, started, "vroom")
        if best is None or (result.score.feasible, -result.score.objective) > (
            best.score.feasible, -best.score.objective
        ):
            best = result
        if result.score.feasible and not open_windows:
            all_placed = sum(len(s) for s in sequences) == len(operations)
            if all_placed:
                break
    assert best is not None
    return HhcResult(
        best.instance, best.routes, best.score, time.perf_counter() - started, "vroom"
    )
