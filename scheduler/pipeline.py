"""The planning pipeline: load a day, solve it, validate it, store it, publish it.

A plan run moves pending → running → draft → validated → published. Nothing a
reader sees changes until the last step, which flips every (area, day) pointer
in :class:`PublishedRota` in one transaction. A plan that the independent
validator rejects is marked failed and never published.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.build import build_problem, without_the_past
from scheduler.changes import VisitChange, diff_runs, notices_for
from scheduler.claims import (
    DEFAULT_LEASE,
    Heartbeat,
    complete,
    process_owner,
    release_failed,
)
from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Area,
    Assignment,
    PlanRun,
    PlanRunArea,
    PlanRunStatus,
    PublishedRota,
    UnallocatedVisit,
)
from scheduler.db.types import utc_now
from scheduler.executors import planning_executor
from scheduler.parameters import Parameters
from scheduler.partition import DEFAULT_MAX_VISITS, SubProblem, partition
from scheduler.planner import (
    DEFAULT_NEIGHBOUR_TRAVEL_SECONDS,
    FIRST_PASS_SHARE,
    PartPlan,
    Progress,
    mend_seams,
    solve_parts,
)
from scheduler.problem import DroppedVisit, Problem, Result, VisitSpec
from scheduler.validate import validate
from scheduler.week_plans import keep_week_plans

log = logging.getLogger(__name__)


class Phases:
    """Wall time spent in each phase of a plan run, in seconds."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.monotonic() - started, 2)


class PlanFailed(RuntimeError):
    """The plan could not be made or did not pass validation; nothing was published."""


@dataclass(frozen=True)
class PlanningOptions:
    """How to plan: total wall-time budget (seconds), sub-problem size, where to solve.

    ``processes``: local solver processes (None: one per core; 1: solve in this
    process). ``dask_address``: plan through this Dask scheduler instead.
    ``fixed_before``: published visits starting before this instant stay as they
    are (a disruption re-plans only the rest of the day).
    """

    time_budget_seconds: float = 10.0
    max_visits: int = DEFAULT_MAX_VISITS
    processes: int | None = None
    dask_address: str | None = None
    neighbour_travel_seconds: int = DEFAULT_NEIGHBOUR_TRAVEL_SECONDS
    seed: int = 0
    progress: Progress | None = None
    fixed_before: datetime | None = None


def create_plan_run(
    session: Session,
    day: date,
    area_ids: Collection[int],
    *,
    trigger: str = "manual",
    requested_by: int | None = None,
    key: str | None = None,
) -> PlanRun:
    """Record a pending plan run for ``day`` and ``area_ids`` (all areas when empty)."""
    if not area_ids:
        area_ids = [a for a in session.exec(select(Area.id).order_by(col(Area.id))).all() if a]
    run = PlanRun(
        key=key or f"{trigger}:{day.isoformat()}:{uuid.uuid4().hex}",
        day=day,
        trigger=trigger,
        requested_by=requested_by,
    )
    session.add(run)
    session.flush()
    for area_id in sorted(set(area_ids)):
        session.add(PlanRunArea(plan_run_id=run.id or 0, area_id=area_id))
    session.flush()
    return run


def plan_run_areas(session: Session, plan_run_id: int) -> list[int]:
    """The area ids a plan run covers, in order."""
    return list(
        session.exec(
            select(PlanRunArea.area_id)
            .where(PlanRunArea.plan_run_id == plan_run_id)
            .order_by(col(PlanRunArea.area_id))
        ).all()
    )


def _update_run(engine: Engine, plan_run_id: int, **changes: object) -> None:
    with session_scope(engine) as session:
        run = session.get(PlanRun, plan_run_id)
        assert run is not None
        for name, value in changes.items():
            setattr(run, name, value)
        session.add(run)


def solve_day(
    engine: Engine,
    plan_run_id: int,
    day: date,
    area_ids: list[int],
    params: Parameters,
    options: PlanningOptions,
    phases: Phases | None = None,
) -> list[PartPlan]:
    """Build the day's problem, split it, solve the parts side by side, mend the seams.

    Progress (sub-problems done / total, visits allocated) is recorded on the run.
    """
    phases = phases or Phases()
    pooled = bool(options.processes != 1 or options.dask_address)
    with ExitStack() as stack:
        pool: tuple[Any, int] | None = None

        def executor() -> tuple[Any, int]:
            """The planning executor and its slots, started when first wanted."""
            nonlocal pool
            if pool is None:
                pool = stack.enter_context(planning_executor(
                    processes=options.processes, dask_address=options.dask_address
                ))
            return pool

        with phases.phase("load"):
            # The week's teams: kept ones read, others made (on the pool when
            # many need making) and kept for the rest of the week.
            week = keep_week_plans(
                engine, area_ids, day, (lambda: executor()[0]) if pooled else None
            )
            with Session(engine) as session:
                problem = build_problem(
                    session, day, area_ids, fixed_before=options.fixed_before, week=week
                )
        passed: list[VisitSpec] = []
        if options.fixed_before is not None:
            problem, passed = without_the_past(problem, options.fixed_before)
        with phases.phase("partition"):
            parts = partition(problem, max_visits=options.max_visits)
        _update_run(
            engine,
            plan_run_id,
            progress_total=len(parts),
            visits_total=len(problem.visits) + len(passed),
        )

        def progress(done: int, total: int, allocated: int) -> None:
            _update_run(engine, plan_run_id, progress_done=done, visits_allocated=allocated)
            if options.progress is not None:
                options.progress(done, total, allocated)

        first_pass = options.time_budget_seconds * (FIRST_PASS_SHARE if len(parts) > 1 else 1.0)
        seams = options.time_budget_seconds - first_pass
        solver, slots = executor() if pooled and len(parts) > 1 else (None, 1)
        with phases.phase("solve"):
            plans = solve_parts(
                parts,
                params,
                executor=solver,
                slots=slots,
                budget_seconds=first_pass,
                seed=options.seed,
                progress=progress,
            )
        with phases.phase("seams"):
            plans = mend_seams(
                plans,
                params,
                executor=solver,
                slots=slots,
                budget_seconds=seams,
                seed=options.seed,
                neighbour_travel_seconds=options.neighbour_travel_seconds,
            )
    if passed:
        plans.append(passed_plan(problem, passed))
    return plans


def passed_plan(problem: Problem, passed: list[VisitSpec]) -> PartPlan:
    """The visits whose window had passed when a disruption re-planned the day, unallocated."""
    leftover = replace(problem, workers=(), visits=tuple(passed), name=f"{problem.name} passed")
    result = Result(
        assignments=(),
        dropped=tuple(
            DroppedVisit(
                v.id, "window_passed", "its time window had passed when the day was re-planned"
            )
            for v in passed
        ),
        objective={},
        status="NOT_SOLVED",
        wall_seconds=0.0,
    )
    return PartPlan(SubProblem("passed", 0, leftover), result)


def check_plans(plans: list[PartPlan], params: Parameters) -> list[str]:
    """Every violation the independent validator finds, as readable lines."""
    problems = []
    for plan in plans:
        for violation in validate(plan.part.problem, plan.result, params):
            problems.append(f"{plan.part.key}: {violation}")
    return problems


def summarise(plans: list[PartPlan]) -> tuple[dict[str, int], dict[str, object]]:
    """The objective by component and the plan's headline figures, over all parts."""
    objective: dict[str, int] = {}
    visits = dropped = travel = contact = 0
    reasons: dict[str, int] = {}
    for plan in plans:
        for name, value in plan.result.objective.items():
            objective[name] = objective.get(name, 0) + int(value)
        visits += len(plan.part.problem.visits)
        dropped += len(plan.result.dropped)
        travel += sum(a.travel for a in plan.result.assignments)
        contact += sum(a.end - a.start for a in plan.result.assignments)
        for drop in plan.result.dropped:
            reasons[drop.reason_code] = reasons.get(drop.reason_code, 0) + 1
    figures: dict[str, object] = {
        "visits": visits,
        "allocated": visits - dropped,
        "unallocated": dropped,
        "unallocated_by_reason": reasons,
        "travel_hours": round(travel / 3600, 2),
        "contact_hours": round(contact / 3600, 2),
        "travel_share": round(travel / (travel + contact), 4) if travel + contact else 0.0,
        "workers_on_duty": sum(len(p.part.problem.workers) for p in plans),
        "sub_problems": len(plans),
        "solver_status": sorted({p.result.status for p in plans}),
    }
    return objective, figures


def store_draft(session: Session, plan_run_id: int, plans: list[PartPlan]) -> None:
    """Write the assignments and unallocated visits of a run (not yet visible to readers)."""
    for plan in plans:
        origin = plan.part.problem.origin
        for a in plan.result.assignments:
            session.add(
                Assignment(
                    plan_run_id=plan_run_id,
                    visit_id=a.visit_id,
                    worker_id=a.worker_id,
                    sequence=a.sequence,
                    start=origin + timedelta(seconds=a.start),
                    end=origin + timedelta(seconds=a.end),
                    travel_seconds=a.travel,
                )
            )
        for d in plan.result.dropped:
            session.add(
                UnallocatedVisit(
                    plan_run_id=plan_run_id,
                    visit_id=d.visit_id,
                    reason_code=d.reason_code,
                    reason=d.reason[:400],
                )
            )


def publish(session: Session, plan_run_id: int) -> int:
    """Make a validated run the rota readers see for each of its areas, at once.

    Where it replaces a published rota, the workers and clients affected get
    change notices in the same transaction. Returns how many notices were made.
    """
    run = session.get(PlanRun, plan_run_id)
    if run is None or run.status != PlanRunStatus.VALIDATED:
        raise PlanFailed(f"plan run {plan_run_id} is not validated; it cannot be published")
    now = utc_now()
    replaced: dict[int, list[int]] = {}
    for area_id in plan_run_areas(session, plan_run_id):
        pointer = session.get(PublishedRota, (area_id, run.day))
        if pointer is None:
            session.add(
                PublishedRota(
                    area_id=area_id, day=run.day, plan_run_id=plan_run_id, published_at=now
                )
            )
            continue
        replaced.setdefault(pointer.plan_run_id, []).append(area_id)
        previous = session.get(PlanRun, pointer.plan_run_id)
        if previous is not None and previous.status == PlanRunStatus.PUBLISHED:
            previous.status = PlanRunStatus.SUPERSEDED
            session.add(previous)
        pointer.plan_run_id = plan_run_id
        pointer.published_at = now
        session.add(pointer)
    run.status = PlanRunStatus.PUBLISHED
    run.published_at = now
    session.add(run)
    notices = 0
    changed: list[VisitChange] = []
    routed: set[int] = set()
    for old_run_id, area_ids in replaced.items():
        changes = diff_runs(session, old_run_id, plan_run_id, area_ids)
        made = notices_for(session, run.day, plan_run_id, changes)
        session.add_all(made)
        notices += len(made)
        changed += changes
        routed |= set(
            session.exec(
                select(Assignment.worker_id).where(
                    col(Assignment.plan_run_id).in_([old_run_id, plan_run_id])
                )
            ).all()
        )
    if replaced:
        run.figures = {**run.figures, "changes": change_summary(run, changed, routed)}
        session.add(run)
    return notices


def change_summary(run: PlanRun, changes: list[VisitChange], routed: set[int]) -> dict[str, Any]:
    """How much a re-plan moved against the rota it replaced.

    Workers named in ``run.parameters["unavailable_workers"]`` (off sick, say) are
    left out of the share of other workers' routes that changed.
    """
    excluded = set(run.parameters.get("unavailable_workers", []))
    others = {w for c in changes for w in (*c.before_workers, *c.after_workers)} - excluded
    others_routed = routed - excluded
    return {
        "visits_changed": len(changes),
        "other_workers_changed": len(others),
        "other_workers_routed": len(others_routed),
        "share_of_other_routes_changed": (
            round(len(others) / len(others_routed), 4) if others_routed else 0.0
        ),
    }


FAULT_VARIABLE = "HOMECARE_FAULT_AT"
FAULT_POINTS = ("after_draft", "during_publish", "before_commit")


def fault_point(name: str) -> None:
    """Kill this process here (SIGKILL) if ``HOMECARE_FAULT_AT`` names this point.

    Used by the crash tests to prove that a planner dying at any point leaves
    the published rota intact; inert unless the variable is set.
    """
    if os.environ.get(FAULT_VARIABLE) == name:
        log.warning("fault injected at %s: killing the planner", name)
        os.kill(os.getpid(), signal.SIGKILL)


def execute_plan_run(
    engine: Engine,
    plan_run_id: int,
    *,
    params: Parameters | None = None,
    options: PlanningOptions | None = None,
    owner: str | None = None,
    claimed: bool = False,
    lease: timedelta = DEFAULT_LEASE,
) -> PlanRun:
    """Run a plan run to the end: solve, store the draft, validate, publish.

    While it works the run's lease is renewed (and, with ``claimed``, the
    exactly-once claims ``owner`` holds on its areas, which publishing then
    marks done in the same transaction or refuses). On any failure the run is
    marked failed with the reason, the claims are released for a retry, the
    published rota is left as it was, and :class:`PlanFailed` is raised.
    """
    params = params or Parameters()
    options = options or PlanningOptions()
    owner = owner or process_owner()
    started = time.monotonic()
    with session_scope(engine) as session:
        run = session.get(PlanRun, plan_run_id)
        if run is None:
            raise PlanFailed(f"no plan run {plan_run_id}")
        day = run.day
        area_ids = plan_run_areas(session, plan_run_id)
        if options.fixed_before is None and run.parameters.get("fixed_before"):
            options = replace(
                options, fixed_before=datetime.fromisoformat(run.parameters["fixed_before"])
            )
        run.status = PlanRunStatus.RUNNING
        run.started_at = utc_now()
        run.owner = owner
        session.add(run)
    try:
        with Heartbeat(
            engine,
            plan_run_id,
            owner=owner,
            claims=(area_ids, day) if claimed else None,
            lease=lease,
        ):
            phases = Phases()
            plans = solve_day(engine, plan_run_id, day, area_ids, params, options, phases)
            objective, figures = summarise(plans)
            with phases.phase("store"), session_scope(engine) as session:
                store_draft(session, plan_run_id, plans)
                run = session.get(PlanRun, plan_run_id)
                assert run is not None
                run.status = PlanRunStatus.DRAFT
                run.objective = objective
                run.figures = figures
                run.visits_total = int(figures["visits"])  # type: ignore[call-overload]
                run.visits_allocated = int(figures["allocated"])  # type: ignore[call-overload]
                session.add(run)
            fault_point("after_draft")
            with phases.phase("validate"):
                violations = check_plans(plans, params)
            if violations:
                raise PlanFailed(
                    f"the validator found {len(violations)} violation(s): "
                    + "; ".join(violations[:20])
                )
            _update_run(engine, plan_run_id, status=PlanRunStatus.VALIDATED)
            with phases.phase("publish"), session_scope(engine) as session:
                if claimed:
                    complete(session, area_ids, day, owner, plan_run_id)
                publish(session, plan_run_id)
                fault_point("during_publish")
                run = session.get(PlanRun, plan_run_id)
                assert run is not None
                run.finished_at = utc_now()
                run.figures = {
                    **run.figures,
                    "wall_seconds": round(time.monotonic() - started, 2),
                    "phase_seconds": phases.seconds,
                }
                session.add(run)
                session.flush()
                fault_point("before_commit")
    except Exception as error:
        log.exception("plan run %s failed", plan_run_id)
        _update_run(
            engine,
            plan_run_id,
            status=PlanRunStatus.FAILED,
            error=str(error)[:4000],
            finished_at=utc_now(),
        )
        if claimed:
            release_failed(engine, area_ids, day, owner)
        if isinstance(error, PlanFailed):
            raise
        raise PlanFailed(str(error)) from error
    with Session(engine) as session:
        finished = session.get(PlanRun, plan_run_id)
        assert finished is not None
        return finished


def plan_day(
    engine: Engine,
    day: date,
    area_ids: Collection[int] = (),
    *,
    params: Parameters | None = None,
    options: PlanningOptions | None = None,
    trigger: str = "manual",
    requested_by: int | None = None,
) -> PlanRun:
    """Create and execute a plan run for ``day`` (all areas when ``area_ids`` is empty)."""
    with session_scope(engine) as session:
        run = create_plan_run(session, day, area_ids, trigger=trigger, requested_by=requested_by)
        plan_run_id = run.id or 0
    return execute_plan_run(engine, plan_run_id, params=params, options=options)
