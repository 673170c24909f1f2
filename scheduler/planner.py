"""Solve a day's sub-problems side by side within a time budget, then mend the seams.

1. Each sub-problem gets a share of the budget by size and is solved on the
   executor (largest first, so the long ones do not finish last).
2. Seams: visits a sub-problem had to drop are offered to neighbouring
   sub-problems with spare capacity whose workers live within a travel limit;
   those sub-problems are solved again with the extra visits, and the new plan is
   kept only if it allocates more.
3. A sub-problem that does not finish in the budget keeps its visits unallocated
   with that reason, so the rest of the day is still published.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, replace

from scheduler.parameters import Parameters
from scheduler.partition import SubProblem, budgets
from scheduler.problem import DroppedVisit, Problem, Result, VisitSpec

log = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]
"""Called with (sub-problems done, sub-problems in all, visits allocated so far)."""

DEFAULT_NEIGHBOUR_TRAVEL_SECONDS = 20 * 60
FIRST_PASS_SHARE = 0.75
GRACE_SECONDS = 15.0


@dataclass(frozen=True)
class PartPlan:
    """A sub-problem and the plan made for it."""

    part: SubProblem
    result: Result

    @property
    def allocated(self) -> int:
        return len({a.visit_id for a in self.result.assignments})


def solve_problem(problem: Problem, params: Parameters, seconds: float, seed: int) -> Result:
    """Solve one problem (runs in a worker process or on a Dask worker)."""
    from scheduler.solver import solve

    return solve(problem, params, time_limit_seconds=seconds, seed=seed)


def unplanned(problem: Problem, reason: str) -> Result:
    """A result that leaves every visit of ``problem`` unallocated for ``reason``."""
    return Result(
        assignments=(),
        dropped=tuple(DroppedVisit(v.id, "not_planned", reason) for v in problem.visits),
        objective={},
        status="NOT_SOLVED",
        wall_seconds=0.0,
    )


def _run_all(
    problems: Sequence[tuple[str, Problem, float]],
    params: Parameters,
    executor: Executor | None,
    *,
    deadline: float,
    seed: int,
    on_done: Callable[[str, Result], None],
) -> dict[str, Result]:
    """Solve (key, problem, seconds) triples, largest budget first; stop at ``deadline``."""
    ordered = sorted(problems, key=lambda item: -item[2])
    results: dict[str, Result] = {}
    if executor is None:
        for key, problem, seconds in ordered:
            remaining = deadline - time.monotonic()
            if remaining <= 0.1:
                results[key] = unplanned(problem, "not planned: the time budget ran out")
            else:
                results[key] = solve_problem(problem, params, min(seconds, remaining), seed)
            on_done(key, results[key])
        return results
    futures: dict[Future[Result], tuple[str, Problem]] = {
        executor.submit(solve_problem, problem, params, seconds, seed): (key, problem)
        for key, problem, seconds in ordered
    }
    pending = set(futures)
    while pending:
        timeout = deadline + GRACE_SECONDS - time.monotonic()
        if timeout <= 0:
            break
        done, pending = wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
        for future in done:
            key, problem = futures[future]
            try:
                results[key] = future.result()
            except Exception as error:  # a crashed worker must not sink the whole day
                log.exception("sub-problem %s failed", key)
                results[key] = unplanned(
                    problem, f"not planned: the solver failed ({error.__class__.__name__})"
                )
            on_done(key, results[key])
    for future in pending:
        future.cancel()
        key, problem = futures[future]
        results[key] = unplanned(problem, "not planned: the time budget ran out")
        on_done(key, results[key])
    return results


def solve_parts(
    parts: Sequence[SubProblem],
    params: Parameters,
    *,
    executor: Executor | None,
    slots: int,
    budget_seconds: float,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[PartPlan]:
    """First pass: every sub-problem once, with time shared by size."""
    started = time.monotonic()
    shares = budgets(parts, budget_seconds, slots)
    allocated = 0
    done = 0

    def on_done(_key: str, result: Result) -> None:
        nonlocal allocated, done
        done += 1
        allocated += len({a.visit_id for a in result.assignments})
        if progress:
            progress(done, len(parts), allocated)

    results = _run_all(
        [(p.key, p.problem, shares[p.key]) for p in parts],
        params,
        executor,
        deadline=started + budget_seconds,
        seed=seed,
        on_done=on_done,
    )
    return [PartPlan(p, results[p.key]) for p in parts]


def _spare_seconds(plan: PartPlan) -> int:
    """Shift time the part's workers have left after their planned work."""
    available = sum(s.end - s.start for w in plan.part.problem.workers for s in w.shifts)
    busy = sum(a.end - a.start + a.travel for a in plan.result.assignments)
    return available - busy


def _nearby(plan: PartPlan, visit: VisitSpec, limit_seconds: int) -> bool:
    problem = plan.part.problem
    return any(
        problem.travel.seconds(w.home, visit.location, w.transport_mode) <= limit_seconds
        for w in problem.workers
    )


def _without(plan: PartPlan, visit_ids: set[int]) -> PartPlan:
    """The plan with these (unallocated) visits taken out of its problem and result."""
    problem = replace(
        plan.part.problem,
        visits=tuple(v for v in plan.part.problem.visits if v.id not in visit_ids),
    )
    result = replace(
        plan.result, dropped=tuple(d for d in plan.result.dropped if d.visit_id not in visit_ids)
    )
    return PartPlan(replace(plan.part, problem=problem), result)


def mend_seams(
    plans: list[PartPlan],
    params: Parameters,
    *,
    executor: Executor | None,
    slots: int,
    budget_seconds: float,
    neighbour_travel_seconds: int = DEFAULT_NEIGHBOUR_TRAVEL_SECONDS,
    seed: int = 0,
) -> list[PartPlan]:
    """Offer dropped visits to neighbouring sub-problems with spare capacity; keep gains."""
    if len(plans) < 2 or budget_seconds <= 0.5:
        return plans
    by_key = {p.part.key: p for p in plans}
    spare = {key: _spare_seconds(p) for key, p in by_key.items()}
    offers: dict[str, list[tuple[str, VisitSpec]]] = {}
    for plan in plans:
        visits = {v.id: v for v in plan.part.problem.visits}
        for drop in plan.result.dropped:
            visit = visits[drop.visit_id]
            need = visit.duration * visit.carers_required + neighbour_travel_seconds
            candidates = [
                key
                for key, other in by_key.items()
                if key != plan.part.key
                and spare[key] >= need
                and _nearby(other, visit, neighbour_travel_seconds)
            ]
            if not candidates:
                continue
            target = max(candidates, key=lambda key: spare[key])
            spare[target] -= need
            offers.setdefault(target, []).append((plan.part.key, visit))
    if not offers:
        return plans
    started = time.monotonic()
    tasks = []
    for key, offered in offers.items():
        base = by_key[key].part.problem
        tasks.append((key, replace(base, visits=base.visits + tuple(v for _, v in offered))))
    shares = budgets(
        [replace(by_key[key].part, problem=problem) for key, problem in tasks],
        budget_seconds,
        slots,
    )
    results = _run_all(
        [(key, problem, shares[key]) for key, problem in tasks],
        params,
        executor,
        deadline=started + budget_seconds,
        seed=seed,
        on_done=lambda _key, _result: None,
    )
    for key, problem in tasks:
        result = results[key]
        old = by_key[key]
        trial = PartPlan(replace(old.part, problem=problem), result)
        if result.status == "NOT_SOLVED" or trial.allocated <= old.allocated:
            continue
        offered_ids = {v.id for _, v in offers[key]}
        allocated_now = {a.visit_id for a in result.assignments}
        placed = allocated_now & offered_ids
        if len(allocated_now - offered_ids) < old.allocated:
            continue  # the neighbour would drop its own visits to take ours: not a gain
        by_key[key] = _without(trial, offered_ids - placed)
        for source, visit in offers[key]:
            if visit.id in placed:
                by_key[source] = _without(by_key[source], {visit.id})
    log.info("seams: %d sub-problems re-solved", len(tasks))
    return [by_key[p.part.key] for p in plans]
