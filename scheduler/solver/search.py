"""Solve one day's problem: build the model, a lawful first plan, improve it, explain drops.

Steps: our greedy first plan (:mod:`~scheduler.solver.first_solution`), our
ruin and recreate on it (:mod:`~scheduler.solver.ruin_recreate`), OR-Tools
local search (guided local search by default) from it, then re-inserting visits
the local search left out — it moves one node at a time, so it cannot add both
carers of a double-handed visit at once — checked by a fresh model, and a
reason for every visit still out. Nothing here reads the clock except to honour
the time limit and report ``wall_seconds``; with ``Parameters.solution_limit``
set, the same problem and seed give the same plan. Never run two solves at once
in one process (OR-Tools issue 5076): use processes.
"""

from __future__ import annotations

import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from scheduler.parameters import Parameters
from scheduler.problem import DroppedVisit, Problem, Result
from scheduler.solver.context import ModelContext
from scheduler.solver.costs import RouteTerms, objective_components
from scheduler.solver.data import PlanningData, build_planning_data
from scheduler.solver.extract import RoutePlan, build_result, read_plans
from scheduler.solver.first_solution import greedy_routes, insertion_order
from scheduler.solver.insertion import Routes, insert_visit
from scheduler.solver.model import build_model
from scheduler.solver.reasons import diagnose
from scheduler.solver.ruin_recreate import estimated_cost, improve
from scheduler.solver.team_start import has_promises, team_routes
from scheduler.solver.warm_start import has_published_plan, warm_routes

#: Seconds kept back from the time limit for the last re-insertion, its check by
#: a fresh model, extraction and diagnosis: at least this much ...
_RESERVE_SECONDS = 0.25
#: ... or this many times what building and closing the first model took, since the
#: check builds another one ...
_RESERVE_BUILDS = 1.0
#: ... and never more than this share of the time limit. Most parts find nothing to
#: put back, so a larger reserve would mostly go unused (it was 2.5 builds and a
#: quarter, when a build took up to 1.5 s; see docs/design.md); when something is put
#: back, the check runs anyway and the part may overrun by about one model build.
_RESERVE_SHARE = 0.1
#: Seconds the final check of re-inserted visits may take to restore its routes,
#: however little of the time limit is left.
_MIN_CHECK_SECONDS = 0.5
#: Seconds a second try at restoring the first plan may take when the first try
#: (a quarter of the limit, at least half a second) gave nothing. Restoring times
#: every visit and searches on for the cheapest timing until its limit, so the
#: limit is kept short; but on a loaded machine 250 visits took over half a second
#: to restore at all, and giving up threw the whole first plan away.
_RESTORE_RETRY_SECONDS = 5.0


def search_parameters(
    params: Parameters, seconds: float
) -> routing_parameters_pb2.RoutingSearchParameters:
    """OR-Tools search parameters: the metaheuristic and the limits (``seconds``)."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    search.guided_local_search_lambda_coefficient = params.guided_local_search_lambda
    search.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if params.solution_limit:
        search.solution_limit = params.solution_limit
    search.log_search = False
    # Exact LP/MIP scheduling of each route is far too slow with breaks; the
    # cumul filters' own estimates of the soft costs are used instead.
    search.disable_scheduling_beware_this_may_degrade_performance = True
    return search


def _assignment(ctx: ModelContext, routes: Routes) -> pywrapcp.Assignment | None:
    """The model's assignment for fixed routes, or None if the model rejects them."""
    indices = [[ctx.index(stop.node) for stop in stops] for stops in routes]
    return ctx.routing.ReadAssignmentFromRoutes(indices, True)


def _served(plans: list[RoutePlan]) -> set[int]:
    """The nodes served by the plans."""
    return {stop.node for plan in plans for stop in plan.stops}


def _repair(ctx: ModelContext, node_costs: list[list[int]], plans: list[RoutePlan], seed: int
            ) -> Routes | None:
    """The plan's routes with left-out visits inserted where they lawfully fit, or None."""
    data = ctx.data
    routes: Routes = [list(plan.stops) for plan in plans]
    served = _served(plans)
    added = False
    for visit in insertion_order(data, seed):
        if visit.id in data.window_problem or data.nodes_of_visit[visit.id][0] in served:
            continue
        added |= insert_visit(data, node_costs, routes, visit.id)
    return routes if added else None


def final_reserve(time_limit_seconds: float, build_seconds: float) -> float:
    """Seconds to keep back from the search for the final re-insertion and its check.

    The check builds a fresh model, so the reserve grows with ``build_seconds`` (what
    building and closing the first model took, wall clock): a reserve too short for
    that would skip the re-insertion and leave out visits that lawfully fit.
    """
    wanted = max(_RESERVE_SECONDS, _RESERVE_BUILDS * build_seconds)
    return min(wanted, _RESERVE_SHARE * time_limit_seconds)


def _empty_result(problem: Problem, reason_code: str, reason: str, started: float) -> Result:
    return Result(
        assignments=(),
        dropped=tuple(DroppedVisit(v.id, reason_code, reason) for v in problem.visits),
        objective={"total": 0},
        status="empty",
        wall_seconds=time.perf_counter() - started,
        carers_per_client={v.client_id: 0 for v in problem.visits},
    )


def _closed_model(data: PlanningData, params: Parameters, restore_seconds: float) -> ModelContext:
    """A fresh routing model, closed, whose restoring of routes gives up after
    ``restore_seconds``. OR-Tools cannot restore routes into a model after a
    search of it stopped on its time limit, so the final check gets its own."""
    ctx = build_model(data)
    ctx.routing.CloseModelWithParameters(search_parameters(params, restore_seconds))
    return ctx


def solve(
    problem: Problem,
    params: Parameters | None = None,
    *,
    time_limit_seconds: float = 5.0,
    seed: int = 0,
) -> Result:
    """Plan the day: who visits whom and when, keeping every hard rule.

    ``time_limit_seconds`` bounds the whole call (model building included, wall
    clock); ``seed`` varies the first plan. Visits that cannot be placed are
    returned in ``Result.dropped`` with a reason.
    """
    if time_limit_seconds <= 0:
        raise ValueError("time_limit_seconds must be positive")
    started = time.perf_counter()
    deadline = started + time_limit_seconds
    params = params or Parameters()
    if not problem.workers:
        return _empty_result(problem, "no_workers", "no worker is working in this area today",
                             started)
    if not problem.visits:
        return _empty_result(problem, "none", "", started)
    data = build_planning_data(problem, params)
    building = time.perf_counter()
    ctx = _closed_model(data, params, max(0.5, 0.25 * time_limit_seconds))
    reserve = final_reserve(time_limit_seconds, time.perf_counter() - building)
    node_costs = ctx.node_costs()

    routes = greedy_routes(data, node_costs, seed)
    starts = []
    if has_promises(data):
        # The week's rough timetable: each visit with its team carer.
        starts.append(team_routes(data, node_costs, seed, routes))
    if has_published_plan(data):
        # A re-plan starts from the published routes when they are the cheaper
        # start (moving published assignments costs ``published_move_cost``).
        starts.append(warm_routes(data, node_costs, seed))
    for start in starts:
        if estimated_cost(data, node_costs, start) <= estimated_cost(data, node_costs, routes):
            routes = start
    routes = improve(
        data,
        node_costs,
        routes,
        seconds=max(0.0, deadline - time.perf_counter() - reserve) * params.ruin_recreate_share,
        seed=seed,
        iterations=params.solution_limit,
        terms=RouteTerms.of(ctx),
    )
    current = _assignment(ctx, routes)
    status = "feasible"
    if current is None:  # out of time restoring (a loaded machine): try once more
        ctx = _closed_model(data, params, _RESTORE_RETRY_SECONDS)
        current = _assignment(ctx, routes)
    if current is None:  # never expected: the greedy keeps every rule; stay safe anyway
        ctx = _closed_model(data, params, max(0.5, 0.25 * time_limit_seconds))
        current = _assignment(ctx, [[] for _ in range(data.vehicle_count)])
        status = "feasible_from_empty"
    if current is None:
        return _empty_result(problem, "model_infeasible",
                             "the day's rules contradict each other; check shifts and limits",
                             started)
    best_plans = read_plans(ctx, current)
    best_cost = objective_components(ctx, best_plans)["total"]
    remaining = deadline - time.perf_counter() - reserve
    if remaining > 0.01:
        solution = ctx.routing.SolveFromAssignmentWithParameters(
            current, search_parameters(params, remaining)
        )
        if solution is not None:
            plans = read_plans(ctx, solution)
            cost = objective_components(ctx, plans)["total"]
            if cost <= best_cost:
                best_plans, best_cost = plans, cost

    # Last chance: put back what still lawfully fits, as checked by a fresh model.
    # When something fits, the check runs even if the search used up the limit: a
    # visit left out that a worker could take is worth one more model build
    # (the call may then run past its limit by that build, at most).
    repaired = _repair(ctx, node_costs, best_plans, seed)
    if repaired is not None:
        check_seconds = max(_MIN_CHECK_SECONDS, deadline - time.perf_counter() - 0.5 * reserve)
        fresh = _closed_model(data, params, check_seconds)
        candidate = _assignment(fresh, repaired)
        if candidate is not None:
            plans = read_plans(fresh, candidate)
            cost = objective_components(fresh, plans)["total"]
            if cost < best_cost:
                best_plans, best_cost, ctx = plans, cost, fresh

    served = _served(best_plans)
    final_routes: Routes = [list(plan.stops) for plan in best_plans]
    dropped = [
        diagnose(data, node_costs, final_routes, visit)
        for visit in problem.visits
        if data.nodes_of_visit[visit.id][0] not in served
    ]
    return build_result(
        ctx,
        best_plans,
        dropped,
        objective_components(ctx, best_plans),
        status,
        time.perf_counter() - started,
    )
