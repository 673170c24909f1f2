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
from concurrent.futures import BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass, replace

from scheduler.parameters import Parameters
from scheduler.partition import SubProblem
from scheduler.problem import DroppedVisit, Problem, Result, VisitSpec

log = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]
"""Called with (sub-problems done, sub-problems in all, visits allocated so far)."""

DEFAULT_NEIGHBOUR_TRAVEL_SECONDS = 20 * 60
FIRST_PASS_SHARE = 0.90
"""Share of the time budget for the first pass; the seams get the rest."""
GRACE_SECONDS = 15.0
"""How long past the deadline a running part may still report before it is given up."""
MIN_PART_SECONDS, MAX_PART_SECONDS = 0.5, 60.0
"""Bounds on one part's solver time, in seconds."""


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


@dataclass
class _Overhead:
    """Wall time a task takes beyond the seconds its solver was given (pickling, process
    start, model building past the limit), in seconds: a maximum that decays by half
    with each task, within [0.2, 10]."""

    seconds: float = 1.0

    def record(self, elapsed: float, given: float) -> None:
        self.seconds = max(0.2, min(10.0, max(self.seconds * 0.5, elapsed - given)))


def share_of_remaining(
    size: int,
    remaining_size: int,
    remaining_parts: int,
    free_seconds: float,
    overhead: float,
    *,
    minimum: float = MIN_PART_SECONDS,
    maximum: float = MAX_PART_SECONDS,
) -> float:
    """Seconds for a part of ``size`` starting now.

    ``free_seconds`` is the solver time all slots have left before the deadline
    (slots × time left, less what running parts will still use); the
    ``remaining_parts`` not yet started (``remaining_size`` in all, this one
    included) share it by size after ``overhead`` seconds each are set aside.
    Clamped to [``minimum``, ``maximum``].
    """
    usable = max(0.0, free_seconds - overhead * max(1, remaining_parts))
    share = usable * size / max(1, remaining_size)
    return min(maximum, max(minimum, share))


def _run_all(
    problems: Sequence[tuple[str, Problem, int]],
    params: Parameters,
    executor: Executor | None,
    *,
    slots: int,
    deadline: float,
    seed: int,
    on_done: Callable[[str, Result], None],
) -> dict[str, Result]:
    """Solve (key, problem, size) triples, largest first, until ``deadline``.

    Time is handed out as each part starts: its share by size of what remains, with
    the measured per-task overhead set aside, so parts that finish early leave their
    time to the rest. At most ``slots`` parts run at once; a part that cannot start
    with more than ``MIN_PART_SECONDS`` left before the deadline is left unplanned
    with that reason, and parts still running ``GRACE_SECONDS`` after it are given up.
    """
    ordered = sorted(problems, key=lambda item: (-item[2], item[0]))
    results: dict[str, Result] = {}
    overhead = _Overhead()
    remaining_size = sum(size for _, _, size in ordered)
    queue = list(ordered)

    running: dict[Future[Result], tuple[str, Problem, float, float]] = {}

    def next_seconds(size: int) -> float | None:
        now = time.monotonic()
        left = deadline - now
        committed = sum(
            max(0.0, started + given + overhead.seconds - now)
            for _key, _problem, given, started in running.values()
        )
        if left <= MIN_PART_SECONDS:
            return None
        seconds = share_of_remaining(
            size, remaining_size, len(queue) + 1, max(1, slots) * left - committed, overhead.seconds
        )
        # Near the end a part still gets a short solve rather than none: it may run past
        # the deadline by its overhead, which the grace period allows.
        return max(MIN_PART_SECONDS, min(seconds, left - overhead.seconds))

    def give_up(key: str, problem: Problem) -> None:
        results[key] = unplanned(problem, "not planned: the time budget ran out")
        on_done(key, results[key])

    def take_next() -> tuple[str, Problem, float] | None:
        """The next part and its seconds, or None when the budget gave it none (given up)."""
        nonlocal remaining_size
        key, problem, size = queue.pop(0)
        seconds = next_seconds(size)
        remaining_size -= size
        if seconds is None:
            give_up(key, problem)
            return None
        return key, problem, seconds

    if executor is None:
        while queue:
            taken = take_next()
            if taken is None:
                continue
            key, problem, seconds = taken
            started = time.monotonic()
            results[key] = solve_problem(problem, params, seconds, seed)
            overhead.record(time.monotonic() - started, seconds)
            on_done(key, results[key])
        return results

    def start_more() -> None:
        while queue and len(running) < max(1, slots):
            taken = take_next()
            if taken is None:
                continue
            key, problem, seconds = taken
            try:
                future = executor.submit(solve_problem, problem, params, seconds, seed)
            except BrokenExecutor:  # the pool lost a process: the rest cannot be solved
                log.exception("sub-problem %s could not be started", key)
                results[key] = unplanned(problem, "not planned: the solver pool failed")
                on_done(key, results[key])
                continue
            running[future] = (key, problem, seconds, time.monotonic())

    start_more()
    while running:
        timeout = deadline + GRACE_SECONDS - time.monotonic()
        if timeout <= 0:
            break
        done, _ = wait(set(running), timeout=timeout, return_when="FIRST_COMPLETED")
        for future in done:
            key, problem, seconds, started = running.pop(future)
            overhead.record(time.monotonic() - started, seconds)
            log.debug(
                "%s: given %.1f s, took %.1f s; overhead now %.1f s",
                key,
                seconds,
                time.monotonic() - started,
                overhead.seconds,
            )
            try:
                results[key] = future.result()
            except Exception as error:  # a crashed worker must not sink the whole day
                log.exception("sub-problem %s failed", key)
                results[key] = unplanned(
                    problem, f"not planned: the solver failed ({error.__class__.__name__})"
                )
            on_done(key, results[key])
        start_more()
    for future, (key, problem, _seconds, _started) in running.items():
        future.cancel()
        give_up(key, problem)
    for key, problem, _size in queue:
        give_up(key, problem)
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
    """First pass: every sub-problem once, with time handed out by size as each starts."""
    started = time.monotonic()
    allocated = 0
    done = 0

    def on_done(_key: str, result: Result) -> None:
        nonlocal allocated, done
        done += 1
        allocated += len({a.visit_id for a in result.assignments})
        if progress:
            progress(done, len(parts), allocated)

    results = _run_all(
        [(p.key, p.problem, p.size) for p in parts],
        params,
        executor,
        slots=slots,
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
    outgoing: dict[str, set[int]] = {}
    for offered in offers.values():
        for source, visit in offered:
            outgoing.setdefault(source, set()).add(visit.id)
    started = time.monotonic()
    tasks: dict[str, Problem] = {}
    for key, offered in offers.items():
        # A part's own visits on offer elsewhere are left out of its re-solve, so no
        # visit is ever in two sub-problems at once (it was planned twice otherwise).
        base = by_key[key].part.problem
        away = outgoing.get(key, set())
        tasks[key] = replace(
            base,
            visits=tuple(v for v in base.visits if v.id not in away) + tuple(v for _, v in offered),
        )
    results = _run_all(
        [
            (key, problem, sum(v.carers_required for v in problem.visits))
            for key, problem in tasks.items()
        ],
        params,
        executor,
        slots=slots,
        deadline=started + budget_seconds,
        seed=seed,
        on_done=lambda _key, _result: None,
    )
    placed_by: dict[int, str] = {}
    for key, problem in tasks.items():
        result = results[key]
        old = by_key[key]
        trial = PartPlan(replace(old.part, problem=problem), result)
        offered_ids = {v.id for _, v in offers[key]}
        allocated_now = {a.visit_id for a in result.assignments}
        own_kept = len(allocated_now - offered_ids)
        if result.status == "NOT_SOLVED" or trial.allocated <= old.allocated:
            continue
        if own_kept < old.allocated:
            continue  # the neighbour would drop its own visits to take ours: not a gain
        by_key[key] = _without(trial, offered_ids - allocated_now)
        for visit_id in allocated_now & offered_ids:
            placed_by[visit_id] = key
    # Visits a part offered away: gone from it where a neighbour placed them; back in it,
    # unallocated with their first-pass reason, where its re-solve left them out and
    # nobody placed them.
    for plan in plans:
        key = plan.part.key
        away = outgoing.get(key, set())
        if not away:
            continue
        taken = {v for v in away if v in placed_by}
        current = by_key[key]
        held = {v.id for v in current.part.problem.visits}
        missing = [v for v in plan.part.problem.visits if v.id in away - taken - held]
        if missing:
            reasons = {d.visit_id: d for d in plan.result.dropped}
            current = PartPlan(
                replace(
                    current.part,
                    problem=replace(
                        current.part.problem, visits=current.part.problem.visits + tuple(missing)
                    ),
                ),
                replace(
                    current.result,
                    dropped=current.result.dropped + tuple(reasons[v.id] for v in missing),
                ),
            )
        by_key[key] = _without(current, taken)
    log.info("seams: %d sub-problems re-solved", len(tasks))
    return [by_key[p.part.key] for p in plans]
