"""Read a solved assignment back into plain data: routes, breaks, figures, a Result.

Each worker's day runs from leaving home (the latest departure that leaves time
to travel to the first visit on shift and outside breaks) to getting back home.
Times are seconds from the origin; money in pence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp

from scheduler.problem import DroppedVisit, PlannedBreak, PlannedVisit, Result
from scheduler.solver.context import ModelContext
from scheduler.solver.data import PlanningData, WorkerDay
from scheduler.solver.timeline import Stop


@dataclass
class RoutePlan:
    """One vehicle's solved route: stops in order, the model's start and end of the
    route, and the rest breaks the model placed (start, end)."""

    vehicle: int
    stops: list[Stop]
    route_start: int
    route_end: int
    rest_breaks: list[tuple[int, int]] = field(default_factory=list)


def read_plans(ctx: ModelContext, assignment: pywrapcp.Assignment) -> list[RoutePlan]:
    """The route of every vehicle in ``assignment``."""
    routing, time = ctx.routing, ctx.time
    plans = []
    for vehicle in range(ctx.data.vehicle_count):
        stops = []
        index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
        while not routing.IsEnd(index):
            node = ctx.manager.IndexToNode(index)
            stops.append(Stop(node, assignment.Min(time.CumulVar(index))))
            index = assignment.Value(routing.NextVar(index))
        rest = sorted(
            (assignment.StartValue(interval), assignment.EndValue(interval))
            for interval in ctx.rest_breaks[vehicle]
        )
        plans.append(RoutePlan(
            vehicle,
            stops,
            assignment.Min(time.CumulVar(routing.Start(vehicle))),
            assignment.Min(time.CumulVar(routing.End(vehicle))),
            rest,
        ))
    return plans


def _free_intervals(day: WorkerDay, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The worker's shift time not covered by ``blocked`` intervals, sorted."""
    free: list[tuple[int, int]] = []
    for shift in day.shifts:
        pieces = [(shift.start, shift.end)]
        for a, b in blocked:
            pieces = [
                piece
                for start, end in pieces
                for piece in ((start, min(end, a)), (max(start, b), end))
                if piece[0] < piece[1]
            ]
        free.extend(pieces)
    return sorted(free)


def latest_departure(free: list[tuple[int, int]], arrive: int, travel: int) -> int:
    """The latest time to set off so that ``travel`` seconds of free time end by ``arrive``."""
    if travel <= 0:
        return arrive
    remaining = travel
    for start, end in reversed(free):
        if start >= arrive:
            continue
        usable = min(end, arrive) - start
        if usable >= remaining:
            return min(end, arrive) - remaining
        remaining -= usable
    return (free[0][0] if free else arrive) - remaining


def earliest_return(free: list[tuple[int, int]], leave: int, travel: int) -> int:
    """The earliest arrival after ``travel`` seconds of free time from ``leave``."""
    if travel <= 0:
        return leave
    remaining = travel
    for start, end in free:
        if end <= leave:
            continue
        usable = end - max(start, leave)
        if usable >= remaining:
            return max(start, leave) + remaining
        remaining -= usable
    return (free[-1][1] if free else leave) + remaining


@dataclass(frozen=True, slots=True)
class WorkerDayPlan:
    """A worker's day as planned: departure, return, the rest breaks inside it."""

    depart: int
    back: int
    breaks: tuple[tuple[int, int], ...]


def worker_day_plan(data: PlanningData, plan: RoutePlan) -> WorkerDayPlan | None:
    """When the worker leaves and returns, and which rest breaks fall in between."""
    if not plan.stops:
        return None
    vehicle, day = plan.vehicle, data.days[plan.vehicle]
    gaps = list(day.gaps)
    rests = [
        (a, b) for a, b in plan.rest_breaks
        if plan.route_start <= a and b <= plan.route_end
        and not any(a < gap_end and gap_start < b for gap_start, gap_end in gaps)
    ]
    free = _free_intervals(day, rests)
    first, last = plan.stops[0], plan.stops[-1]
    depart = latest_departure(free, first.start, data.travel_seconds(vehicle, vehicle, first.node))
    last_end = last.start + data.service[last.node]
    back = earliest_return(free, last_end, data.travel_seconds(vehicle, last.node, vehicle))
    # Where a short gap between shifts was widened to a full rest break, the extra
    # on-shift time is a break too: report it so the day's record shows it.
    raw = sorted((shift.start, shift.end) for shift in day.worker.shifts)
    widened = [
        (max(a, start), min(b, end))
        for a, b in gaps
        for start, end in raw
        if max(a, start) < min(b, end)
    ]
    inside = tuple(sorted(
        (a, b) for a, b in rests + widened if depart <= a and b <= back
    ))
    return WorkerDayPlan(depart, back, inside)


def worker_figures(data: PlanningData, plan: RoutePlan) -> dict[str, int]:
    """Contact, travel, waiting and pay of one worker's day (seconds, pence).

    ``travel_seconds`` is between visits; ``home_travel_seconds`` to the first and
    from the last; ``waiting_seconds`` idle time between visits outside breaks and
    gaps between shifts; ``paid_seconds`` contact (+ travel when travel is paid);
    ``effective_pence_per_hour`` pay ÷ (contact + travel + waiting).
    """
    params = data.params
    day = data.days[plan.vehicle]
    figures = {
        "contact_seconds": 0, "travel_seconds": 0, "home_travel_seconds": 0,
        "waiting_seconds": 0, "break_seconds": 0, "working_seconds": 0,
        "paid_seconds": 0, "pay_pence": 0, "effective_pence_per_hour": 0,
        "wage_shortfall_pence": 0, "day_start": 0, "day_end": 0,
    }
    bounds = worker_day_plan(data, plan)
    if bounds is None:
        return figures
    vehicle = plan.vehicle
    contact = sum(data.service[stop.node] for stop in plan.stops)
    travel = waiting = 0
    for before, after in zip(plan.stops, plan.stops[1:], strict=False):
        end = before.start + data.service[before.node]
        leg = data.travel_seconds(vehicle, before.node, after.node)
        rests = sum(b - a for a, b in bounds.breaks if end <= a and b <= after.start)
        travel += leg
        waiting += max(0, after.start - end - leg - rests - day.gaps_inside(end, after.start))
    home = data.travel_seconds(vehicle, vehicle, plan.stops[0].node) + data.travel_seconds(
        vehicle, plan.stops[-1].node, vehicle
    )
    breaks = sum(b - a for a, b in bounds.breaks)
    paid = contact + (travel if params.pay_travel_time else 0)
    pay = round(day.worker.hourly_pay_pence * paid / 3600)
    worked = contact + travel + waiting
    figures.update(
        contact_seconds=contact,
        travel_seconds=travel,
        home_travel_seconds=home,
        waiting_seconds=waiting,
        break_seconds=breaks,
        working_seconds=bounds.back - bounds.depart
        - day.gaps_inside(bounds.depart, bounds.back) - breaks,
        paid_seconds=paid,
        pay_pence=pay,
        effective_pence_per_hour=round(pay * 3600 / worked) if worked else 0,
        wage_shortfall_pence=max(
            0, -(-(params.national_living_wage_pence_per_hour * worked) // 3600) - pay
        ),
        day_start=bounds.depart,
        day_end=bounds.back,
    )
    return figures


def build_result(
    ctx: ModelContext,
    plans: list[RoutePlan],
    dropped: list[DroppedVisit],
    objective: dict[str, int],
    status: str,
    wall_seconds: float,
) -> Result:
    """The plain Result for solved routes."""
    data = ctx.data
    assignments: list[PlannedVisit] = []
    breaks: list[PlannedBreak] = []
    figures: dict[int, dict[str, int]] = {}
    carers: dict[int, set[int]] = {}
    for plan in plans:
        worker = data.days[plan.vehicle].worker
        figures[worker.id] = worker_figures(data, plan)
        previous = plan.vehicle
        for sequence, stop in enumerate(plan.stops):
            visit = data.visit_node(stop.node).visit
            assignments.append(PlannedVisit(
                visit_id=visit.id,
                worker_id=worker.id,
                sequence=sequence,
                start=stop.start,
                end=stop.start + visit.duration,
                travel=data.travel_seconds(plan.vehicle, previous, stop.node),
            ))
            carers.setdefault(visit.client_id, set()).add(worker.id)
            previous = stop.node
        bounds = worker_day_plan(data, plan)
        if bounds is not None:
            breaks.extend(PlannedBreak(worker.id, a, b) for a, b in bounds.breaks)
    for visit in data.problem.visits:
        carers.setdefault(visit.client_id, set())
    assignments.sort(key=lambda a: (a.worker_id, a.sequence))
    return Result(
        assignments=tuple(assignments),
        dropped=tuple(sorted(dropped, key=lambda d: d.visit_id)),
        objective=objective,
        status=status,
        wall_seconds=wall_seconds,
        carers_per_client={client: len(workers) for client, workers in sorted(carers.items())},
        worker_figures=figures,
        breaks=tuple(breaks),
    )
