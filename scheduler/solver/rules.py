"""The rota rules as changes to the routing model: one function per rule, named as the rule.

Who may take a visit at all (skills, declined carers, strict gender, pinned and
fixed visits, being on shift, having working time left) is decided by the
predicates in :mod:`scheduler.solver.eligibility` and applied here by
:func:`eligible_workers`. Times are seconds from the origin; costs are the
dimensionless units of :class:`scheduler.parameters.Parameters`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp

from scheduler.parameters import Parameters
from scheduler.problem import VisitSpec
from scheduler.solver.context import WAGE_OFFSET, ModelContext


def time_windows(ctx: ModelContext) -> None:
    """Rule 1 (hard + soft): start inside the window (time-critical: within the
    tolerance of the prescribed time); lateness after the preferred start costs
    ``lateness_cost_per_second`` (earliness ``earliness_cost_per_second``). In a
    re-plan a published visit's preferred start is its published start, and
    starting earlier or later costs ``published_retime_cost_per_second`` more
    (``PlanningData.lateness_cost`` and ``earliness_cost``)."""
    data = ctx.data
    for visit_node in data.visit_nodes:
        node, index = visit_node.node, ctx.index(visit_node.node)
        ctx.time.CumulVar(index).SetRange(data.lo[node], data.hi[node])
        if data.lateness_cost[node] and data.preferred[node] < data.hi[node]:
            ctx.time.SetCumulVarSoftUpperBound(
                index, data.preferred[node], data.lateness_cost[node]
            )
        if data.earliness_cost[node] and data.preferred[node] > data.lo[node]:
            ctx.time.SetCumulVarSoftLowerBound(
                index, data.preferred[node], data.earliness_cost[node]
            )


def eligible_workers(ctx: ModelContext) -> None:
    """Rules 2, 5 (hard part) and 11: only workers who pass every eligibility rule
    (skills, declined carers, strict gender, pinned and fixed visits, on shift,
    working time left) may take a visit; everyone else is removed from its
    vehicle variable (the time transits into it are also made impossible for them,
    see :func:`scheduler.solver.model.build_model`)."""
    data = ctx.data
    everyone = data.vehicle_count
    for visit_node in data.visit_nodes:
        allowed = data.allowed[visit_node.node]
        if len(allowed) < everyone:
            ctx.routing.VehicleVar(ctx.index(visit_node.node)).SetValues([-1, *allowed])


def availability(ctx: ModelContext) -> None:
    """Rule 3 (hard): work only inside the worker's shifts. The day starts no
    earlier than the first shift (and the end of the daily rest) and ends by the
    last; each gap between split shifts is a fixed break no visit may overlap."""
    data, solver = ctx.data, ctx.solver
    for vehicle, day in enumerate(data.days):
        start = ctx.time.CumulVar(ctx.routing.Start(vehicle))
        end = ctx.time.CumulVar(ctx.routing.End(vehicle))
        if day.shifts:
            start.SetRange(day.earliest_departure, day.latest_return)
            end.SetRange(day.earliest_departure, day.latest_return)
        gaps = [
            solver.FixedDurationIntervalVar(a, a, b - a, False, f"gap_{vehicle}_{a}")
            for a, b in day.gaps
        ]
        ctx.gap_breaks.append(gaps)


def double_handed_visits(ctx: ModelContext) -> None:
    """Rule 4 (hard): the two carers of a double-handed visit are different
    workers, both assigned or neither, starting at most
    ``double_handed_sync_tolerance_seconds`` apart."""
    routing, solver = ctx.routing, ctx.solver
    tolerance = ctx.params.double_handed_sync_tolerance_seconds
    for nodes in ctx.data.nodes_of_visit.values():
        if len(nodes) != 2:
            continue
        first, second = (ctx.index(node) for node in nodes)
        solver.Add(routing.ActiveVar(first) == routing.ActiveVar(second))
        solver.Add(
            solver.AllDifferentExcept([routing.VehicleVar(first), routing.VehicleVar(second)], -1)
        )
        first_start, second_start = ctx.time.CumulVar(first), ctx.time.CumulVar(second)
        if tolerance == 0:
            solver.Add(first_start == second_start)
        else:
            solver.Add(first_start - second_start <= tolerance)
            solver.Add(second_start - first_start <= tolerance)


def client_preferences(ctx: ModelContext) -> None:
    """Rule 5 (soft part): a carer of a gender the client did not ask for costs
    ``gender_mismatch_cost`` (strict preferences and declined carers are hard,
    in :mod:`scheduler.solver.eligibility`)."""
    cost = ctx.params.gender_mismatch_cost
    if not cost:
        return
    for visit_node in ctx.data.visit_nodes:
        visit = visit_node.visit
        if visit.carer_gender == "any" or visit.carer_gender_strict or visit.fixed:
            continue
        for vehicle in ctx.data.allowed[visit_node.node]:
            if ctx.data.days[vehicle].worker.gender != visit.carer_gender:
                ctx.add_node_cost("gender", vehicle, visit_node.node, cost)


def working_time_regulations(ctx: ModelContext) -> None:
    """Rule 7 (hard): a rest break of ``rest_break_seconds`` whenever work would
    run longer than ``max_work_without_break_seconds`` (young workers: their own
    pair); each gap between split shifts counts as a break (see ``WorkerDay``).
    Each shift gets the rest breaks it can need, placed by the solver between the
    gaps around that shift (OR-Tools wants a vehicle's breaks in time order). The
    11 hours' daily rest is applied by :func:`availability` through the earliest
    start of the day."""
    data, solver = ctx.data, ctx.solver
    for vehicle, day in enumerate(data.days):
        ordered: list[pywrapcp.IntervalVar] = []
        rests: list[pywrapcp.IntervalVar] = []
        if any(day.rest_breaks_per_shift):
            length = day.rest_break
            last = len(day.shifts) - 1
            for k, shift in enumerate(day.shifts):
                # Before the day starts (first shift) or after it ends (last shift)
                # a rest break is harmless; between gaps it must keep to its shift.
                lowest = shift.start if k > 0 else shift.start - length
                highest = shift.end - length if k < last else shift.end
                for n in range(day.rest_breaks_per_shift[k]):
                    rest = solver.FixedDurationIntervalVar(
                        lowest, highest, length, False, f"rest_{vehicle}_{k}_{n}"
                    )
                    rests.append(rest)
                    ordered.append(rest)
                if k < last:
                    ordered.append(ctx.gap_breaks[vehicle][k])
        else:
            ordered = list(ctx.gap_breaks[vehicle])
        ctx.rest_breaks.append(rests)
        ctx.ordered_breaks.append(ordered)


def working_time_limits(ctx: ModelContext) -> None:
    """Rules 7 and 8 (hard): today's working time (from leaving home to getting
    back, less the gaps between split shifts) stays within the smallest of the
    daily limit, the young worker's weekly limit, the 48-hour average and the
    contracted hours left this week (see ``WorkerDay.limits``)."""
    data, solver, routing = ctx.data, ctx.solver, ctx.routing
    for vehicle, day in enumerate(data.days):
        if not day.shifts or day.unavailable:
            continue
        possible = day.latest_return - day.earliest_departure
        if possible - sum(b - a for a, b in day.gaps) <= day.cap:
            continue
        total_gaps = sum(b - a for a, b in day.gaps)
        ctx.time.SetSpanUpperBoundForVehicle(day.cap + total_gaps, vehicle)
        if not day.gaps:
            continue
        start = ctx.time.CumulVar(routing.Start(vehicle))
        end = ctx.time.CumulVar(routing.End(vehicle))
        inside = []
        for a, b in day.gaps:
            spans_gap = solver.Min(
                solver.IsLessOrEqualCstVar(start, a), solver.IsGreaterOrEqualCstVar(end, b)
            )
            inside.append(spans_gap * (b - a))
        solver.Add(end - start - solver.Sum(inside) <= day.cap)


def minimum_hours(ctx: ModelContext) -> None:
    """Rule 8 (soft): each second of work (contact + travel) below the worker's
    share of their weekly minimum still to do costs
    ``minimum_hours_cost_per_second``; the share is the minimum left divided over
    the days left in the week (today included)."""
    data = ctx.data
    cost = ctx.params.minimum_hours_cost_per_second
    days_left = 7 - data.problem.day.weekday()
    for vehicle, day in enumerate(data.days):
        worker = day.worker
        left = max(0, worker.minimum_seconds_per_week - worker.history.week_worked)
        target = min(math.ceil(left / days_left), day.cap, day.available_seconds)
        ctx.minimum_target.append(target if not day.unavailable else 0)
        if cost and target > 0 and not day.unavailable:
            ctx.work.SetCumulVarSoftLowerBound(ctx.routing.End(vehicle), target, cost)
            # Otherwise the search filters take an empty route to cost nothing and
            # never see what giving this worker a visit would save.
            ctx.routing.SetVehicleUsedWhenEmpty(True, vehicle)


def familiarity(ctx: ModelContext) -> dict[int, dict[int, int]]:
    """Client id → {vehicle: visits that worker made to the client in the last 14 days}."""
    known: dict[int, dict[int, int]] = {}
    for vehicle, day in enumerate(ctx.data.days):
        for client_id, count in day.worker.history.recent_clients:
            if count > 0:
                known.setdefault(client_id, {})[vehicle] = count
    return known


def unfamiliar_cost(params: Parameters, counts: dict[int, int], vehicle: int) -> int:
    """The continuity cost of ``vehicle`` serving a client it has visited
    ``counts.get(vehicle, 0)`` times in 14 days (``counts``: every carer's visits).

    A carer who has not visited (when someone has) costs
    ``continuity_unfamiliar_cost``; one who has, the share of it by which their
    visits fall short of the client's most regular carer's, so the regular
    carers are kept and occasional ones are used only in their place.
    """
    if not counts or not params.continuity_unfamiliar_cost:
        return 0
    count = counts.get(vehicle, 0)
    if count == 0:
        return params.continuity_unfamiliar_cost
    top = max(counts.values())
    return params.continuity_unfamiliar_cost * (top - count) // top


def continuity_of_care(ctx: ModelContext) -> None:
    """Rule 9 (soft): a carer not among the visit's preferred workers costs
    ``continuity_not_preferred_cost``; one who has not visited the client in the
    last 14 days (when someone has) ``continuity_unfamiliar_cost``, and a familiar
    but occasional carer a part of it (see :func:`unfamiliar_cost`); each extra
    distinct carer a client sees today ``continuity_extra_carer_cost``; a carer
    outside the client's regular team for the week ``continuity_team_cost`` and,
    if they have not served the client earlier in the week either,
    ``continuity_new_carer_cost`` (both on a double-handed visit's first carer
    only: the second is often from elsewhere)."""
    data, params = ctx.data, ctx.params
    familiar = familiarity(ctx)
    by_client: dict[int, list[int]] = {}
    for visit_node in data.visit_nodes:
        visit, node = visit_node.visit, visit_node.node
        by_client.setdefault(visit.client_id, []).append(node)
        if visit.fixed:
            continue
        preferred = {
            vehicle for vehicle, day in enumerate(data.days)
            if day.worker.id in visit.preferred_workers
        }
        counts = familiar.get(visit.client_id, {})
        for vehicle in data.allowed[node]:
            if preferred and vehicle not in preferred and params.continuity_not_preferred_cost:
                ctx.add_node_cost("continuity", vehicle, node, params.continuity_not_preferred_cost)
            cost = unfamiliar_cost(params, counts, vehicle)
            if cost:
                ctx.add_node_cost("continuity", vehicle, node, cost)
        if visit.team_workers and params.continuity_team_cost and (
            node == data.nodes_of_visit[visit.id][0]
        ):
            for vehicle in data.allowed[node]:
                worker = data.days[vehicle].worker.id
                if worker not in visit.team_workers:
                    cost = params.continuity_team_cost
                    if worker not in visit.week_workers:
                        cost += params.continuity_new_carer_cost
                    ctx.add_node_cost("continuity", vehicle, node, cost)
    if params.continuity_extra_carer_cost:
        for client_id, nodes in sorted(by_client.items()):
            if len(nodes) > 1:
                indices = [ctx.index(node) for node in nodes]
                cost = params.continuity_extra_carer_cost
                ctx.routing.AddSoftSameVehicleConstraint(indices, cost)
                ctx.client_groups.append((client_id, tuple(nodes)))


def unallocated_visits(ctx: ModelContext) -> None:
    """Rule 10: every visit may be left unallocated, at a penalty per carer of
    ``drop_penalty`` × (6 − priority), times the time-critical and double-handed
    factors (``fixed_drop_penalty`` for a visit already started; at most
    ``published_unallocated_drop_penalty`` for one the published rota left out)."""
    for visit_node in ctx.data.visit_nodes:
        penalty = drop_penalty(ctx.params, visit_node.visit)
        ctx.drop_penalty[visit_node.node] = penalty
        ctx.routing.AddDisjunction([ctx.index(visit_node.node)], penalty)


def drop_penalty(params: Parameters, visit: VisitSpec) -> int:
    """The penalty for leaving one carer's part of ``visit`` unallocated."""
    if visit.fixed:
        return params.fixed_drop_penalty
    penalty = params.drop_penalty * (6 - min(5, max(1, visit.priority)))
    if visit.time_critical:
        penalty *= params.time_critical_drop_factor
    if visit.carers_required == 2:
        penalty *= params.double_handed_drop_factor
    if visit.published_unallocated:
        penalty = min(penalty, params.published_unallocated_drop_penalty)
    return penalty


def published_assignments(ctx: ModelContext) -> None:
    """Rule 11 (soft): moving a carer off a published (not fixed) assignment costs
    ``published_move_cost``; fixed and pinned visits are hard, in eligibility."""
    cost = ctx.params.published_move_cost
    if not cost:
        return
    data = ctx.data
    for visit_node in data.visit_nodes:
        visit = visit_node.visit
        if visit.fixed or not visit.published_workers:
            continue
        for vehicle in data.allowed[visit_node.node]:
            if data.days[vehicle].worker.id not in visit.published_workers:
                ctx.add_node_cost("stability", vehicle, visit_node.node, cost)


def fair_workload(ctx: ModelContext) -> None:
    """Rule 12 (soft): each second of work (contact + travel) above a worker's
    fair share costs ``fairness_cost_per_second``. The fair share divides the
    day's contact time, plus a quarter for travel, in proportion to the hours each
    worker can work today (``ctx.fair_share`` is -1 where no share applies)."""
    data = ctx.data
    demand = sum(visit.duration * visit.carers_required for visit in data.problem.visits)
    capacity = [
        0 if day.unavailable else min(day.cap, day.available_seconds) for day in data.days
    ]
    total = sum(capacity)
    for vehicle in range(data.vehicle_count):
        if not (ctx.params.fairness_cost_per_second and capacity[vehicle]):
            ctx.fair_share.append(-1)
            continue
        share = math.ceil(demand * 1.25 * capacity[vehicle] / total)
        ctx.fair_share.append(share)
        ctx.work.SetCumulVarSoftUpperBound(
            ctx.routing.End(vehicle), share, ctx.params.fairness_cost_per_second
        )


def minimum_wage(ctx: ModelContext) -> None:
    """Rule 13 (soft): pay for the day below the National Living Wage for the
    worker's contact and travel time costs ``wage_shortfall_cost_per_pence`` per
    penny short. Waiting time is not seen by the search (it is reported in
    ``Result.worker_figures``); travel from and to home is not working time for
    the minimum wage."""
    data, params, routing = ctx.data, ctx.params, ctx.routing
    if not params.wage_shortfall_cost_per_pence:
        return
    living = params.national_living_wage_pence_per_hour
    homes = data.vehicle_count
    evaluators = []
    travel_arrays = {mode: data.node_array(mode, with_service=False) for mode in data.travel}
    working = np.arange(data.node_count) >= homes
    between_visits = np.outer(working, working)
    service = np.asarray(data.service, dtype=np.int64)
    for day in data.days:
        pay = day.worker.hourly_pay_pence
        key = (day.mode, pay)
        if key not in ctx.wage_transits:
            travel_pay = pay if params.pay_travel_time else 0
            # Pence above (+) or below (−) the living wage, per arc: unpaid travel
            # between visits at the living wage, less the visit's pay above it.
            pence = ((living - travel_pay) * travel_arrays[day.mode] * between_visits
                     - (service * (pay - living))[:, None]) / 3600
            ctx.wage_transits[key] = np.rint(pence).astype(np.int64).tolist()
        evaluators.append(routing.RegisterTransitMatrix(ctx.wage_transits[key]))
    routing.AddDimensionWithVehicleTransits(evaluators, 0, 2 * WAGE_OFFSET, False, "wage")
    ctx.wage = routing.GetDimensionOrDie("wage")
    for vehicle in range(data.vehicle_count):
        ctx.wage.CumulVar(routing.Start(vehicle)).SetRange(WAGE_OFFSET, WAGE_OFFSET)
        ctx.wage.SetCumulVarSoftUpperBound(
            routing.End(vehicle), WAGE_OFFSET, params.wage_shortfall_cost_per_pence
        )


def travel(ctx: ModelContext) -> None:
    """Rule 6 (soft, last): the arc cost of each worker is
    ``travel_cost_per_second`` × travel time by their own transport mode, plus
    the soft costs other rules put on them serving the next node."""
    data, routing = ctx.data, ctx.routing
    coefficient = ctx.params.travel_cost_per_second
    node_costs = ctx.node_costs()
    base: dict[str, npt.NDArray[np.int64]] = {}
    plain: dict[str, list[list[int]]] = {}
    for vehicle, day in enumerate(data.days):
        if day.mode not in base:
            base[day.mode] = coefficient * data.node_array(day.mode, with_service=False)
            plain[day.mode] = base[day.mode].tolist()
        extra = node_costs[vehicle]
        if any(extra):
            matrix = (base[day.mode] + np.asarray(extra, dtype=np.int64)[None, :]).tolist()
        else:
            matrix = plain[day.mode]
        routing.SetArcCostEvaluatorOfVehicle(routing.RegisterTransitMatrix(matrix), vehicle)


def breaks(ctx: ModelContext) -> None:
    """Install each vehicle's breaks (gaps between shifts and rest breaks, in time
    order) on the time dimension, with the longest stretch of work allowed
    between breaks when rest breaks may be needed."""
    routing, manager, data = ctx.routing, ctx.manager, ctx.data
    visit_transits = [
        data.service[manager.IndexToNode(index)]
        for index in range(routing.Size() + routing.vehicles())
    ]
    for vehicle, day in enumerate(data.days):
        intervals = ctx.ordered_breaks[vehicle]
        if not intervals:
            continue
        for interval in intervals:
            routing.AddIntervalToAssignment(interval)
        ctx.time.SetBreakIntervalsOfVehicle(intervals, vehicle, visit_transits)
        if ctx.rest_breaks[vehicle]:
            ctx.time.SetBreakDistanceDurationOfVehicle(day.max_stretch, day.rest_break, vehicle)
