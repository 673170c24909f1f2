"""The daily job: plan tomorrow for every area at a set time, exactly once, and catch up.

It runs in its own process (``homecare scheduler``), never inside a web worker.
APScheduler fires the daily plan (default 16:00 Europe/London); on start, and
every few minutes after, a catch-up plans any (area, day) that is due and not yet
done — a missed run, or one whose planner crashed (its claim's lease ran out).
Requests for plans made through the API (pending plan runs) are executed here too.
Exactly-once comes from the database (:mod:`scheduler.claims`), not from luck.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.claims import (
    DEFAULT_LEASE,
    claim_areas,
    fail_abandoned_runs,
    process_owner,
    unfinished_areas,
)
from scheduler.db.engine import session_scope
from scheduler.db.models import Area
from scheduler.db.types import utc_now
from scheduler.executors import planning_executor
from scheduler.parameters import Parameters
from scheduler.pipeline import PlanFailed, PlanningOptions, create_plan_run, execute_plan_run
from scheduler.visits import LONDON, materialise_visits
from scheduler.week_job import ROUTED_SECONDS, route_week_plans

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSettings:
    """When and how the job plans. ``run_at`` is a Europe/London wall-clock time."""

    run_at: time = time(16, 0)
    catch_up_minutes: int = 5
    pending_poll_seconds: int = 5
    lease: timedelta = DEFAULT_LEASE
    options: PlanningOptions = field(default_factory=PlanningOptions)
    params: Parameters = field(default_factory=Parameters)
    #: The weekly job (next week's routed week plans): weekday (0 Monday … 6 Sunday)
    #: and Europe/London time, and solver seconds per sub-problem and solve.
    week_plan_weekday: int = 5
    week_plan_at: time = time(2, 0)
    week_plan_seconds: float = ROUTED_SECONDS


@dataclass(frozen=True)
class DayReport:
    """What one pass of the job did for one day."""

    day: date
    claimed: list[int]
    plan_run_id: int | None
    status: str

    def __str__(self) -> str:
        if not self.claimed:
            return f"{self.day.isoformat()}: nothing to do"
        return (
            f"{self.day.isoformat()}: plan run {self.plan_run_id} for {len(self.claimed)} "
            f"area(s): {self.status}"
        )


def plan_day_once(
    engine: Engine, day: date, *, owner: str | None = None, settings: JobSettings | None = None
) -> DayReport:
    """Plan every area of ``day`` that is not yet done and that this process can claim."""
    settings = settings or JobSettings()
    owner = owner or process_owner()
    fail_abandoned_runs(engine)
    with Session(engine) as session:
        areas = [a for a in session.exec(select(Area.id).order_by(col(Area.id))).all() if a]
        todo = unfinished_areas(session, areas, day)
    mine = claim_areas(engine, todo, day, owner, lease=settings.lease)
    if not mine:
        return DayReport(day, [], None, "nothing to do")
    with session_scope(engine) as session:
        materialise_visits(session, day, mine)
        run = create_plan_run(
            session,
            day,
            mine,
            trigger="scheduled",
            key=f"scheduled:{day.isoformat()}:{owner}:{uuid.uuid4().hex[:8]}",
        )
        plan_run_id = run.id or 0
    try:
        finished = execute_plan_run(
            engine,
            plan_run_id,
            params=settings.params,
            options=settings.options,
            owner=owner,
            claimed=True,
            lease=settings.lease,
        )
        status = finished.status.value
    except PlanFailed as error:
        log.error("scheduled plan of %s failed: %s", day, error)
        status = "failed"
    return DayReport(day, mine, plan_run_id, status)


def due_days(now: datetime, run_at: time) -> list[date]:
    """Days the job should have planned by ``now``: today, and tomorrow once past ``run_at``."""
    local = now.astimezone(LONDON)
    days = [local.date()]
    if local.time() >= run_at:
        days.append(local.date() + timedelta(days=1))
    return days


def catch_up(
    engine: Engine, *, owner: str, settings: JobSettings, now: datetime | None = None
) -> list[DayReport]:
    """Plan every due day that is not done: the daily run, a missed run, or a crashed one."""
    return [
        plan_day_once(engine, day, owner=owner, settings=settings)
        for day in due_days(now or utc_now(), settings.run_at)
    ]


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week ahead if ``today`` is a Monday)."""
    return today + timedelta(days=7 - today.weekday())


def plan_week_ahead(
    engine: Engine,
    settings: JobSettings,
    *,
    today: date | None = None,
    area_ids: list[int] | None = None,
) -> int:
    """The weekly job: route next week's week plans for ``area_ids`` (default every
    area), making the week's visits from the care plans first; returns how many
    areas got one."""
    monday = next_monday(today or datetime.now(LONDON).date())
    with Session(engine) as session:
        if area_ids is None:
            area_ids = [
                a.id or 0 for a in session.exec(select(Area).order_by(col(Area.id))).all()
            ]
        for offset in range(7):
            materialise_visits(session, monday + timedelta(days=offset), area_ids)
        session.commit()
    options = settings.options
    pooled = options.processes != 1 or options.dask_address
    with ExitStack() as stack:
        executor = None
        if pooled:
            executor, _ = stack.enter_context(planning_executor(
                processes=options.processes, dask_address=options.dask_address
            ))
        made = route_week_plans(
            engine, area_ids, monday, settings.params, seconds=settings.week_plan_seconds,
            executor=executor, max_visits=options.max_visits,
        )
    log.info("week plans of %s routed for %d areas", monday, made)
    return made


def run_scheduler(engine: Engine, settings: JobSettings | None = None) -> None:
    """Run the job process until stopped (blocking)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    from scheduler.services.planning import run_pending_plan_runs

    settings = settings or JobSettings()
    owner = process_owner()
    # One job at a time: OR-Tools must not build two models at once in one process.
    scheduler = BlockingScheduler(
        timezone=LONDON, executors={"default": ThreadPoolExecutor(max_workers=1)}
    )
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        catch_up,
        CronTrigger(hour=settings.run_at.hour, minute=settings.run_at.minute, timezone=LONDON),
        kwargs={"engine": engine, "owner": owner, "settings": settings},
        id="daily-plan",
        **common,
    )
    scheduler.add_job(
        catch_up,
        "interval",
        minutes=settings.catch_up_minutes,
        kwargs={"engine": engine, "owner": owner, "settings": settings},
        id="catch-up",
        next_run_time=datetime.now(LONDON),
        **common,
    )
    scheduler.add_job(
        plan_week_ahead,
        CronTrigger(
            day_of_week=settings.week_plan_weekday,
            hour=settings.week_plan_at.hour,
            minute=settings.week_plan_at.minute,
            timezone=LONDON,
        ),
        args=[engine, settings],
        id="week-plan",
        **common,
    )
    scheduler.add_job(
        run_pending_plan_runs,
        "interval",
        seconds=settings.pending_poll_seconds,
        args=[engine],
        kwargs={"time_limit_seconds": settings.options.time_budget_seconds},
        id="pending-plans",
        **common,
    )
    log.info(
        "scheduler %s: daily plan at %s, next week's plans on weekday %d at %s, Europe/London",
        owner, settings.run_at, settings.week_plan_weekday, settings.week_plan_at,
    )
    scheduler.start()
