"""One worker's day in plain Python: time a route, check it, find where a visit fits.

A route is a list of :class:`Stop` (node, start) in time order. :func:`route_breach`
is deliberately *stricter* than the OR-Tools model, so that any route it accepts
the model accepts too: each journey lies wholly inside the shift of the visit it
leads to (never split around a gap between shifts), the day starts when the
worker leaves home and ends when they are back, and rest breaks sit in idle time
between visits. :func:`plan_route` times a sequence of nodes (earliest starts,
with the nodes of double-handed visits held at their agreed start) and
:func:`openings` finds the start times at which a node could join a route.
Times are seconds from the origin.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from scheduler.problem import Shift
from scheduler.solver.data import PlanningData, WorkerDay


@dataclass(frozen=True, slots=True)
class Stop:
    """A visit node served from ``start`` (seconds from origin)."""

    node: int
    start: int


@dataclass(frozen=True, slots=True)
class Opening:
    """Starts in [lo, hi] could put a node at ``position`` (before the stop there)."""

    position: int
    lo: int
    hi: int


@dataclass(frozen=True, slots=True)
class Breach:
    """Why a timed route is not allowed: the rule and a few words."""

    rule: str
    detail: str


def day_bounds(data: PlanningData, vehicle: int, stops: list[Stop]) -> tuple[int, int]:
    """When the worker leaves home and is back, for a non-empty route (seconds)."""
    first, last = stops[0], stops[-1]
    depart = first.start - data.travel_seconds(vehicle, vehicle, first.node)
    back = last.start + data.service[last.node] + data.travel_seconds(vehicle, last.node, vehicle)
    return depart, back


def _break_plan(
    day: WorkerDay, data: PlanningData, vehicle: int, stops: list[Stop], depart: int, back: int
) -> bool:
    """Whether rest breaks can be placed so no stretch of work exceeds the limit.

    Gaps between shifts are breaks; each shift offers ``rest_breaks_per_shift``
    rest breaks, placed in the idle time between two visits in that shift.
    """
    limit, length = day.max_stretch, day.rest_break
    if back - depart <= limit:
        return True
    # Candidate breaks: (earliest start, latest start, length, shift of a rest break or -1).
    candidates: list[tuple[int, int, int, int]] = [
        (a, a, b - a, -1) for a, b in day.gaps if depart <= a and b <= back
    ]
    for before, after in itertools.pairwise(stops):
        end = before.start + data.service[before.node]
        travel = data.travel_seconds(vehicle, before.node, after.node)
        if after.start - end - travel < length:
            continue
        for k, shift in enumerate(day.shifts):
            if shift.start <= end and after.start <= shift.end and day.rest_breaks_per_shift[k]:
                candidates.append((end, after.start - length, length, k))
    candidates.sort()
    used = [0] * len(day.shifts)
    current = depart
    while back - current > limit:
        deadline = current + limit
        best_end, best_shift = -1, -1
        for earliest, latest, size, shift_index in candidates:
            start = min(latest, deadline)
            if earliest > deadline or start < max(earliest, current):
                continue
            if shift_index >= 0 and used[shift_index] >= day.rest_breaks_per_shift[shift_index]:
                continue
            if start + size > best_end:
                best_end, best_shift = start + size, shift_index
        if best_end < 0:
            return False
        if best_shift >= 0:
            used[best_shift] += 1
        current = best_end
    return True


def route_breach(data: PlanningData, vehicle: int, stops: list[Stop]) -> Breach | None:
    """The first hard rule a timed route breaks, or None if it keeps them all."""
    if not stops:
        return None
    day = data.days[vehicle]
    previous_node, previous_end = vehicle, None
    for stop in stops:
        node = stop.node
        if vehicle not in data.allowed[node]:
            return Breach("eligibility", "not eligible")
        if not data.lo[node] <= stop.start <= data.hi[node]:
            return Breach("time_windows", "outside the visit's window")
        travel = data.travel_seconds(vehicle, previous_node, node)
        leave = stop.start - travel
        if previous_end is not None and leave < previous_end:
            return Breach("travel", "not enough time to travel from the previous visit")
        if day.shift_containing(leave, stop.start + data.service[node]) is None:
            return Breach("availability", "journey or visit outside the worker's shifts")
        previous_node, previous_end = node, stop.start + data.service[node]
    depart, back = day_bounds(data, vehicle, stops)
    last_end = back - data.travel_seconds(vehicle, stops[-1].node, vehicle)
    if depart < day.earliest_departure:
        return Breach("working_time_regulations", "daily rest since the previous shift")
    if day.shift_containing(last_end, back) is None:
        return Breach("availability", "the journey home runs past the end of the shift")
    working = back - depart - day.gaps_inside(depart, back)
    if working > day.cap:
        return Breach("working_time_limits", "working time limit for the day")
    if not _break_plan(day, data, vehicle, stops, depart, back):
        return Breach("working_time_regulations", "no room for a rest break")
    return None


def _fit(day: WorkerDay, start: int, travel: int, duration: int, tail: int) -> int | None:
    """The earliest start ≥ ``start`` whose journey, visit and ``tail`` fit in one shift."""
    for shift in day.shifts:
        candidate = max(start, shift.start + travel)
        if candidate + duration + tail <= shift.end:
            return candidate
    return None


def _shift_index(shifts: tuple[Shift, ...], start: int, end: int) -> int:
    for k, shift in enumerate(shifts):
        if shift.start <= start and end <= shift.end:
            return k
    return -1


def _earliest(
    data: PlanningData, vehicle: int, nodes: list[int], fixed: dict[int, int]
) -> list[Stop] | None:
    """Earliest starts for ``nodes`` in order, holding ``fixed`` nodes at their start and
    delaying a visit for a rest break when the stretch of work would run too long."""
    day = data.days[vehicle]
    limit, length = day.max_stretch, day.rest_break
    used = [0] * len(day.shifts)
    stops: list[Stop] = []
    previous, previous_end, stretch = vehicle, -1, 0
    for index, node in enumerate(nodes):
        travel = data.travel_seconds(vehicle, previous, node)
        duration = data.service[node]
        last = index == len(nodes) - 1
        tail = data.travel_seconds(vehicle, node, vehicle) if last else 0
        ready = (day.earliest_departure if previous_end < 0 else previous_end) + travel
        start = _fit(day, max(data.lo[node], ready), travel, duration, tail)
        if node in fixed:
            if start is None or start > fixed[node]:
                return None
            start = fixed[node]
            if _shift_index(day.shifts, start - travel, start + duration + tail) < 0:
                return None
        if start is None or start > data.hi[node]:
            return None
        if previous_end < 0:
            stretch = start - travel
        else:
            for a, b in day.gaps:
                if previous_end <= a and b <= start - travel:
                    stretch = b
            # As many rest breaks in the idle time before this visit as the stretch
            # of work needs (a long wait between a morning and an evening visit
            # needs more than one), each as late as the limit allows.
            k = _shift_index(day.shifts, previous_end, start)
            while start + duration + tail - stretch > limit:
                if k < 0 or used[k] >= day.rest_breaks_per_shift[k] or (
                    previous_end - stretch > limit
                ):
                    return None
                used[k] += 1
                if start - previous_end < travel + length:
                    if node in fixed:
                        return None
                    start = previous_end + travel + length
                    if start > data.hi[node] or start + duration + tail > day.shifts[k].end:
                        return None
                stretch = min(stretch + limit, start - length) + length
        stops.append(Stop(node, start))
        previous, previous_end = node, start + duration
    return stops


def _delay_first_block(
    data: PlanningData, vehicle: int, stops: list[Stop], fixed: dict[int, int]
) -> list[Stop]:
    """The route with its first run of back-to-back visits started as late as it can
    without moving anything after it or any of them past its preferred start, so
    the day starts later and is shorter."""
    if not stops:
        return stops
    block_end = len(stops)
    slack = None
    for k in range(1, len(stops)):
        before, after = stops[k - 1], stops[k]
        wait = after.start - (
            before.start + data.service[before.node]
            + data.travel_seconds(vehicle, before.node, after.node)
        )
        if wait > 0:
            block_end, slack = k, wait
            break
    if slack is None:
        return stops
    # Never past a visit's preferred start (or its latest): lateness costs more
    # than the shorter day saves.
    delay = min([slack] + [
        min(data.hi[s.node], max(data.preferred[s.node], s.start)) - s.start
        for s in stops[:block_end]
    ])
    if any(s.node in fixed for s in stops[:block_end]) or delay <= 0:
        return stops
    return [Stop(s.node, s.start + delay) for s in stops[:block_end]] + stops[block_end:]


def plan_route(
    data: PlanningData, vehicle: int, nodes: list[int], fixed: dict[int, int]
) -> list[Stop] | None:
    """A lawful timing of ``nodes`` in this order (``fixed`` nodes at their starts), or None."""
    stops = _earliest(data, vehicle, nodes, fixed)
    if stops is None:
        return None
    later = _delay_first_block(data, vehicle, stops, fixed)
    if later is not stops and route_breach(data, vehicle, later) is None:
        return later
    return stops if route_breach(data, vehicle, stops) is None else None


def _bounds(
    data: PlanningData, vehicle: int, stops: list[Stop], fixed: dict[int, int]
) -> tuple[list[int], list[int]]:
    """Earliest and latest start of each stop, ignoring rest breaks (seconds)."""
    day = data.days[vehicle]
    earliest, latest = [], [0] * len(stops)
    previous, previous_end = vehicle, day.earliest_departure
    for stop in stops:
        travel = data.travel_seconds(vehicle, previous, stop.node)
        start = max(data.lo[stop.node], previous_end + travel)
        if stop.node in fixed:
            start = fixed[stop.node]
        earliest.append(start)
        previous, previous_end = stop.node, start + data.service[stop.node]
    following, following_start = vehicle, day.latest_return
    for k in range(len(stops) - 1, -1, -1):
        node = stops[k].node
        travel = data.travel_seconds(vehicle, node, following)
        start = min(data.hi[node], following_start - travel - data.service[node])
        if node in fixed:
            start = min(start, fixed[node])
        latest[k] = start
        following, following_start = node, start
    return earliest, latest


def fixed_starts(data: PlanningData, stops: list[Stop]) -> dict[int, int]:
    """The stops whose start may not move: both carers of double-handed visits."""
    return {stop.node: stop.start for stop in stops if stop.node in data.partner}


def route_bounds(
    data: PlanningData, vehicle: int, stops: list[Stop]
) -> tuple[list[int], list[int]]:
    """Earliest and latest start of each stop of ``vehicle``'s route (seconds), worked
    out once per route: the last route asked about per vehicle is remembered."""
    memo = data.bounds_memo.get(vehicle)
    if memo is not None and memo[0] is stops:
        return memo[1], memo[2]
    earliest, latest = _bounds(data, vehicle, stops, fixed_starts(data, stops))
    data.bounds_memo[vehicle] = (stops, earliest, latest)
    return earliest, latest


def openings(data: PlanningData, vehicle: int, stops: list[Stop], node: int) -> list[Opening]:
    """Where and when ``node`` could join the route, judged on earliest and latest starts.

    Each opening still needs :func:`plan_route` on the whole new route. The route
    must not be changed in place afterwards (its bounds are remembered).
    """
    day = data.days[vehicle]
    duration = data.service[node]
    earliest, latest = route_bounds(data, vehicle, stops)
    node_lo, node_hi = data.lo[node], data.hi[node]
    result: list[Opening] = []
    for position in range(len(stops) + 1):
        # Cheap tests first: the stop before must end by the node's latest start,
        # and the stop after must be able to start after the node's visit.
        if position > 0:
            previous = stops[position - 1].node
            ready = earliest[position - 1] + data.service[previous]
            if ready > node_hi:
                continue
        else:
            previous = vehicle
        if position < len(stops) and latest[position] - duration < node_lo:
            continue
        travel_in = data.travel_seconds(vehicle, previous, node)
        lo = max(node_lo, ready + travel_in if position > 0
                 else day.earliest_departure + travel_in)
        hi = node_hi
        if position < len(stops):
            travel_out = data.travel_seconds(vehicle, node, stops[position].node)
            hi = min(hi, latest[position] - travel_out - duration)
            tail = 0
        else:
            tail = data.travel_seconds(vehicle, node, vehicle)
        if lo > hi:
            continue
        for shift in day.shifts:
            start = max(lo, shift.start + travel_in)
            end = min(hi, shift.end - duration - tail)
            if start <= end:
                result.append(Opening(position, start, end))
    return result


def nearest(lo: int, hi: int, target: int) -> int:
    """The time in [lo, hi] nearest ``target``."""
    return min(max(target, lo), hi)


def insert_node(
    data: PlanningData, vehicle: int, stops: list[Stop], position: int, node: int,
    start: int | None = None,
) -> list[Stop] | None:
    """The route re-timed with ``node`` at ``position`` (held at ``start`` if given), or None."""
    fixed = fixed_starts(data, stops)
    if start is not None:
        fixed[node] = start
    nodes = [stop.node for stop in stops]
    nodes.insert(position, node)
    return plan_route(data, vehicle, nodes, fixed)
