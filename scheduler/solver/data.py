"""What the solver derives from a :class:`Problem` before building any model.

Nodes: node ``v`` (0 ≤ v < number of workers) is the home of worker ``v``, which is
also vehicle ``v``; then one node per carer of each visit (two for a double-handed
visit, ``slot`` 0 and 1). Everything here is plain Python, shared by the OR-Tools
model, the first-solution builder and the diagnosis of dropped visits. Times are
seconds from the problem's origin, durations seconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from scheduler.parameters import Parameters
from scheduler.problem import Problem, Shift, VisitSpec, WorkerSpec
from scheduler.solver import eligibility
from scheduler.travel import Point

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True, slots=True)
class WorkerDay:
    """One worker's availability and limits for the day.

    ``shifts``: merged, sorted, and cut to start no earlier than
    ``earliest_departure`` (the end of the daily rest). ``gaps``: the unavailable
    periods between consecutive shifts, (start, end). ``limits``: each working-time
    limit on today's working time in seconds, by name (``daily_limit``,
    ``young_weekly_limit``, ``weekly_average``, ``contracted_hours``); ``cap`` is
    their minimum (never negative). ``rest_break`` and ``max_stretch``: the length
    of a rest break and the longest stretch of work allowed without one;
    ``rest_breaks_per_shift``: how many rest breaks each shift can need (a gap
    between shifts is itself a break, so stretches never cross one).
    ``unavailable``: why the worker can take no visit today ('' if they can).
    """

    worker: WorkerSpec
    mode: str
    shifts: tuple[Shift, ...]
    gaps: tuple[tuple[int, int], ...]
    earliest_departure: int
    latest_return: int
    limits: dict[str, int]
    cap: int
    rest_break: int
    max_stretch: int
    rest_breaks_per_shift: tuple[int, ...]
    unavailable: str

    @property
    def available_seconds(self) -> int:
        """Total length of the worker's shifts today."""
        return sum(shift.end - shift.start for shift in self.shifts)

    def shift_containing(self, start: int, end: int) -> Shift | None:
        """The shift that contains [start, end], or None."""
        for shift in self.shifts:
            if shift.start <= start and end <= shift.end:
                return shift
        return None

    def gaps_inside(self, start: int, end: int) -> int:
        """Seconds of gaps between shifts lying wholly inside [start, end]."""
        return sum(b - a for a, b in self.gaps if start <= a and b <= end)


@dataclass(frozen=True, slots=True)
class VisitNode:
    """One carer's part of a visit: node index, the visit, and the carer slot (0 or 1)."""

    node: int
    visit: VisitSpec
    slot: int


@dataclass(frozen=True, slots=True)
class PlanningData:
    """Everything the solver needs, indexed by node and by vehicle (= worker position).

    ``lo``/``hi``: the hard range of each node's start; ``preferred``: the asked
    start; ``service``: the visit's duration (0 at homes); ``allowed``: vehicles
    that may serve each node; ``excluded``: for each visit node, the rule that
    excludes each vehicle that may not serve it (for diagnosis). ``point_of``:
    node → index into ``points``; ``travel``: per mode, seconds between points.
    ``lateness_cost``: cost per second of starting after ``preferred`` — for a
    published (not fixed) visit in a re-plan, ``preferred`` is its published
    start (what the client and the worker were told) and the cost is
    ``lateness_cost_per_second + published_retime_cost_per_second``.
    ``earliness_cost``: likewise per second before ``preferred``
    (``earliness_cost_per_second``, plus ``published_retime_cost_per_second``
    for a published visit: moving it earlier breaks the promise too).
    ``horizon``: an upper bound on every time in the day. ``partner``: for each
    node of a double-handed visit, the other carer's node.
    """

    problem: Problem
    params: Parameters
    days: tuple[WorkerDay, ...]
    visit_nodes: tuple[VisitNode, ...]
    nodes_of_visit: dict[int, tuple[int, ...]]
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    preferred: tuple[int, ...]
    service: tuple[int, ...]
    allowed: tuple[tuple[int, ...], ...]
    excluded: tuple[dict[int, str], ...]
    window_problem: dict[int, str]
    points: tuple[Point, ...]
    point_of: tuple[int, ...]
    travel: dict[str, list[list[int]]]
    horizon: int
    partner: dict[int, int]
    lateness_cost: tuple[int, ...] = ()
    earliness_cost: tuple[int, ...] = ()
    #: The client of each node's visit (-1 at homes).
    client_of: tuple[int, ...] = ()
    #: Per vehicle, the last route whose earliest and latest starts were worked out,
    #: with them (see :func:`scheduler.solver.timeline.openings`); routes are never
    #: changed in place, so the same list object has the same bounds.
    bounds_memo: dict[int, tuple[object, list[int], list[int]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def vehicle_count(self) -> int:
        return len(self.days)

    @property
    def node_count(self) -> int:
        return len(self.days) + len(self.visit_nodes)

    def visit_node(self, node: int) -> VisitNode:
        """The visit node for a node index (which must not be a home)."""
        return self.visit_nodes[node - len(self.days)]

    def travel_seconds(self, vehicle: int, from_node: int, to_node: int) -> int:
        """Travel time by the vehicle's mode between two nodes, in seconds."""
        matrix = self.travel[self.days[vehicle].mode]
        return matrix[self.point_of[from_node]][self.point_of[to_node]]

    def node_array(self, mode: str, *, with_service: bool) -> npt.NDArray[np.int64]:
        """Seconds between every pair of nodes by ``mode`` (plus the origin's service),
        as a node × node array."""
        points = np.asarray(self.point_of, dtype=np.int64)
        array = np.asarray(self.travel[mode], dtype=np.int64)[np.ix_(points, points)]
        if with_service:
            array += np.asarray(self.service, dtype=np.int64)[:, None]
        return array

    def node_matrix(self, mode: str, *, with_service: bool) -> list[list[int]]:
        """:meth:`node_array` as lists, for OR-Tools."""
        rows: list[list[int]] = self.node_array(mode, with_service=with_service).tolist()
        return rows


def _merged_shifts(shifts: Sequence[Shift]) -> list[Shift]:
    merged: list[Shift] = []
    for shift in sorted(shifts, key=lambda s: (s.start, s.end)):
        if merged and shift.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Shift(last.start, max(last.end, shift.end)))
        else:
            merged.append(shift)
    return merged


def working_time_limits(
    worker: WorkerSpec, params: Parameters
) -> dict[str, int]:
    """Each limit on today's working time, in seconds (may be negative when used up).

    The 48-hour average counts the reference period as the longer of the worker's
    history (``reference_days`` + today) and ``reference_period_days``, so a new
    worker is not held to a short average.
    """
    history = worker.history
    limits = {
        "daily_limit": params.young_daily_limit_seconds
        if worker.young_worker
        else params.daily_limit_seconds,
        "contracted_hours": worker.contracted_seconds_per_week - history.week_worked,
    }
    if worker.young_worker:
        limits["young_weekly_limit"] = params.young_weekly_limit_seconds - history.week_worked
    if not worker.opted_out_of_48h:
        period_days = max(history.reference_days + 1, params.reference_period_days)
        allowance = params.weekly_average_limit_seconds * period_days // 7
        limits["weekly_average"] = allowance - history.reference_worked
    return limits


def worker_day(worker: WorkerSpec, params: Parameters, modes: Sequence[str]) -> WorkerDay:
    """The availability and limits of one worker today."""
    if worker.transport_mode not in modes:
        raise ValueError(
            f"worker {worker.id}: transport mode {worker.transport_mode!r} is not one of "
            f"the travel model's modes {', '.join(modes)}"
        )
    rest = params.young_daily_rest_seconds if worker.young_worker else params.daily_rest_seconds
    earliest = 0
    if worker.history.previous_shift_end is not None:
        earliest = max(earliest, worker.history.previous_shift_end + rest)
    young = worker.young_worker
    rest_break = params.young_rest_break_seconds if young else params.rest_break_seconds
    max_stretch = (
        params.young_max_work_without_break_seconds
        if young
        else params.max_work_without_break_seconds
    )
    all_shifts = _merged_shifts(worker.shifts)
    shifts: list[Shift] = []
    for shift in all_shifts:
        start = max(shift.start, earliest)
        if shifts and start - shifts[-1].end < rest_break:
            # A gap shorter than a rest break is widened to one, so that every
            # gap between shifts is a break (conservative: less time to work).
            start = shifts[-1].end + rest_break
        if shift.end > start:
            shifts.append(Shift(start, shift.end))
    gaps = tuple((a.end, b.start) for a, b in itertools.pairwise(shifts))
    limits = working_time_limits(worker, params)
    cap = max(0, min(limits.values()))
    unavailable = ""
    if not all_shifts:
        unavailable = "has no shift today"
    elif not shifts:
        unavailable = "needs the daily rest after their previous shift"
    elif cap <= 0:
        binding = min(limits, key=lambda name: limits[name])
        unavailable = f"has no working time left ({binding.replace('_', ' ')})"
    per_shift = tuple(
        max(0, -(-min(shift.end - shift.start, cap) // max_stretch) - 1) for shift in shifts
    )
    return WorkerDay(
        worker=worker,
        mode=worker.transport_mode,
        shifts=tuple(shifts),
        gaps=gaps,
        earliest_departure=shifts[0].start if shifts else earliest,
        latest_return=shifts[-1].end if shifts else earliest,
        limits=limits,
        cap=cap,
        rest_break=rest_break,
        max_stretch=max_stretch,
        rest_breaks_per_shift=per_shift,
        unavailable=unavailable,
    )


def start_range(visit: VisitSpec, params: Parameters) -> tuple[int, int, str]:
    """The hard range of a visit's start and, when it is empty, why.

    A time-critical visit starts within ``time_critical_tolerance_seconds`` of its
    preferred start; a fixed visit exactly at its published start.
    """
    lo, hi = visit.earliest_start, visit.latest_start
    if visit.fixed:
        if visit.published_start is None or len(visit.published_workers) != visit.carers_required:
            return 0, -1, "it is marked fixed but has no complete published assignment"
        return visit.published_start, visit.published_start, ""
    if visit.time_critical:
        tolerance = params.time_critical_tolerance_seconds
        lo = max(lo, visit.preferred_start - tolerance)
        hi = min(hi, visit.preferred_start + tolerance)
        if lo > hi:
            return lo, hi, "its time-critical tolerance lies outside its time window"
    if len(visit.pinned_workers) > visit.carers_required:
        return lo, -1, "more workers are pinned than carers are required"
    if len(set(visit.pinned_workers)) != len(visit.pinned_workers):
        return lo, -1, "the same worker is pinned twice"
    return lo, hi, ""


def build_planning_data(problem: Problem, params: Parameters) -> PlanningData:
    """Derive nodes, windows, eligibility and travel matrices from ``problem``."""
    ids = [worker.id for worker in problem.workers]
    if len(set(ids)) != len(ids):
        raise ValueError("worker ids must be unique")
    visit_ids = [visit.id for visit in problem.visits]
    if len(set(visit_ids)) != len(visit_ids):
        raise ValueError("visit ids must be unique")
    modes = problem.travel.modes
    days = tuple(worker_day(worker, params, modes) for worker in problem.workers)
    vehicles = len(days)

    visit_nodes: list[VisitNode] = []
    nodes_of_visit: dict[int, tuple[int, ...]] = {}
    for visit in problem.visits:
        nodes = []
        for slot in range(visit.carers_required):
            node = vehicles + len(visit_nodes)
            visit_nodes.append(VisitNode(node, visit, slot))
            nodes.append(node)
        nodes_of_visit[visit.id] = tuple(nodes)

    lo: list[int] = [0] * vehicles
    hi: list[int] = [0] * vehicles
    preferred: list[int] = [0] * vehicles
    lateness_cost: list[int] = [0] * vehicles
    earliness_cost: list[int] = [0] * vehicles
    service: list[int] = [0] * vehicles
    allowed: list[tuple[int, ...]] = [(v,) for v in range(vehicles)]
    excluded: list[dict[int, str]] = [{} for _ in range(vehicles)]
    window_problem: dict[int, str] = {}
    for visit_node in visit_nodes:
        visit = visit_node.visit
        start_lo, start_hi, why = start_range(visit, params)
        if why:
            window_problem[visit.id] = why
        lo.append(start_lo)
        hi.append(max(start_lo, start_hi))
        promised = visit.published_start is not None and bool(visit.published_workers)
        asked = visit.published_start if promised and not visit.fixed else visit.preferred_start
        assert asked is not None
        preferred.append(min(max(asked, start_lo), max(start_lo, start_hi)))
        retime = params.published_retime_cost_per_second if promised and not visit.fixed else 0
        lateness_cost.append(params.lateness_cost_per_second + retime)
        earliness_cost.append(params.earliness_cost_per_second + retime)
        service.append(visit.duration)
        permitted: list[int] = []
        reasons: dict[int, str] = {}
        for vehicle, day in enumerate(days):
            rule = "window" if why else eligibility.first_failed_rule(
                day, visit, visit_node.slot, start_lo, start_hi
            )
            if rule:
                reasons[vehicle] = rule
            else:
                permitted.append(vehicle)
        allowed.append(tuple(permitted))
        excluded.append(reasons)

    unique: dict[Point, int] = {}
    point_of: list[int] = []
    locations = [worker.home for worker in problem.workers] + [
        visit_node.visit.location for visit_node in visit_nodes
    ]
    for location in locations:
        point_of.append(unique.setdefault(location, len(unique)))
    points = tuple(unique)
    used_modes = sorted({day.mode for day in days})
    travel = {mode: problem.travel.matrix(list(points), mode) for mode in used_modes}

    latest = max(
        [day.latest_return for day in days]
        + [visit.latest_start + visit.duration for visit in problem.visits]
        + [SECONDS_PER_DAY]
    )
    longest_trip = max((max(row) for matrix in travel.values() for row in matrix), default=0)
    horizon = latest + longest_trip + SECONDS_PER_DAY
    for visit in problem.visits:
        if visit.earliest_start < 0:
            raise ValueError(f"visit {visit.id}: times must not be before the origin")
    return PlanningData(
        problem=problem,
        params=params,
        days=days,
        visit_nodes=tuple(visit_nodes),
        nodes_of_visit=nodes_of_visit,
        lo=tuple(lo),
        hi=tuple(hi),
        preferred=tuple(preferred),
        service=tuple(service),
        allowed=tuple(allowed),
        excluded=tuple(excluded),
        window_problem=window_problem,
        points=points,
        point_of=tuple(point_of),
        travel=travel,
        horizon=math.ceil(horizon),
        lateness_cost=tuple(lateness_cost),
        earliness_cost=tuple(earliness_cost),
        client_of=tuple([-1] * len(days) + [vn.visit.client_id for vn in visit_nodes]),
        partner={
            node: other
            for nodes in nodes_of_visit.values()
            if len(nodes) == 2
            for node, other in (nodes, nodes[::-1])
        },
    )
