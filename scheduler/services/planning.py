"""Plan runs requested from the web: record a pending run; a separate process runs it.

Web requests only call :func:`request_plan` and :func:`plan_status`. The job
process (``homecare`` scheduler, or a test) calls :func:`run_pending_plan_runs`,
which claims each pending run with a conditional update, so two job processes
never run the same one, and executes it with :func:`scheduler.pipeline.execute_plan_run`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.db.engine import session_scope
from scheduler.db.models import PlanRun, PlanRunArea, PlanRunStatus

log = logging.getLogger(__name__)


def request_plan(
    day: date, area_ids: Collection[int], *, requested_by: int | None, session: Session
) -> PlanRun:
    """A pending plan run for ``day`` and these areas (the caller commits); nothing is solved."""
    from scheduler.pipeline import create_plan_run

    if not area_ids:
        raise ValueError("name at least one area")
    return create_plan_run(
        session, day, sorted(set(area_ids)), trigger="web", requested_by=requested_by
    )


def plan_areas(plan_run_id: int, *, session: Session) -> list[int]:
    """The areas a plan run covers, in order."""
    return list(
        session.exec(
            select(PlanRunArea.area_id)
            .where(PlanRunArea.plan_run_id == plan_run_id)
            .order_by(col(PlanRunArea.area_id))
        ).all()
    )


def plan_status(run: PlanRun, *, session: Session) -> dict[str, Any]:
    """A plan run's status, progress (areas done of total) and headline figures."""
    return {
        "id": run.id,
        "date": run.day,
        "status": run.status.value,
        "area_ids": plan_areas(run.id or 0, session=session),
        "progress": {"done": run.progress_done, "total": run.progress_total},
        "visits_total": run.visits_total,
        "visits_allocated": run.visits_allocated,
        "figures": dict(run.figures),
        "error": run.error or None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "published_at": run.published_at,
    }


def claim_plan_run(engine: Engine, plan_run_id: int) -> bool:
    """Mark a pending run running, owned by this process under a lease; False if another
    process took it first. A claimer that dies before planning lets the lease run out,
    and :func:`scheduler.claims.fail_abandoned_runs` marks the run failed.
    """
    from scheduler.claims import DEFAULT_LEASE, process_owner
    from scheduler.db.types import utc_now

    with session_scope(engine) as session:
        result = session.execute(
            update(PlanRun)
            .where(col(PlanRun.id) == plan_run_id, col(PlanRun.status) == PlanRunStatus.PENDING)
            .values(
                status=PlanRunStatus.RUNNING,
                owner=process_owner(),
                lease_expires_at=utc_now() + DEFAULT_LEASE,
            )
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def run_pending_plan_runs(
    engine: Engine,
    *,
    limit: int | None = None,
    time_limit_seconds: float = 10.0,
    processes: int | None = 1,
) -> list[int]:
    """Execute pending plan runs, oldest first; return the ids this call ran.

    ``time_limit_seconds`` is each run's wall-time budget; ``processes`` the
    local solver processes (1: solve in this process; None: one per core).

    Each run's dated visits are made from the care plans first (idempotent), then
    the pipeline solves, validates and publishes it. A failed run is marked
    failed by the pipeline and the loop goes on with the next.
    """
    from scheduler.pipeline import PlanFailed, PlanningOptions, execute_plan_run
    from scheduler.visits import materialise_visits

    with Session(engine) as session:
        pending = list(
            session.exec(
                select(col(PlanRun.id), col(PlanRun.day))
                .where(PlanRun.status == PlanRunStatus.PENDING)
                .order_by(col(PlanRun.id))
                .limit(limit)
            ).all()
        )
    ran: list[int] = []
    for plan_run_id, day in pending:
        if plan_run_id is None or not claim_plan_run(engine, plan_run_id):
            continue
        with session_scope(engine) as session:
            materialise_visits(session, day, plan_areas(plan_run_id, session=session))
        try:
            execute_plan_run(
                engine,
                plan_run_id,
                options=PlanningOptions(
                    time_budget_seconds=time_limit_seconds, processes=processes
                ),
            )
        except PlanFailed:
            log.warning("plan run %s failed; see its error", plan_run_id)
        ran.append(plan_run_id)
    return ran
