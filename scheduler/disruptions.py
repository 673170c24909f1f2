"""Disruptions during the day: re-plan the rest of it with the least change, and publish.

A worker going off sick, an urgent new visit (a hospital discharge) or a
cancellation is recorded, then the area's day is planned again with every
published visit that starts before the disruption kept exactly as it was, and
moving any other published assignment penalised (the solver's stability cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Absence,
    AbsenceKind,
    Assignment,
    Client,
    PlanRun,
    Visit,
    VisitStatus,
    Worker,
)
from scheduler.parameters import Parameters
from scheduler.pipeline import PlanningOptions, create_plan_run, execute_plan_run
from scheduler.rota import published_run
from scheduler.travel import Point, TravelModel
from scheduler.visits import local_instant


class DisruptionRejected(ValueError):
    """The disruption does not fit the area or day; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class WorkerUnavailable:
    """A worker cannot work from ``starts_at`` to the end of the day (e.g. sickness)."""

    worker_id: int
    starts_at: datetime
    kind: AbsenceKind = AbsenceKind.SICKNESS


@dataclass(frozen=True)
class UrgentVisit:
    """A new visit today, e.g. after a hospital discharge; starts within the window."""

    client_id: int
    earliest_start: datetime
    latest_start: datetime
    duration_minutes: int
    required_skills: tuple[str, ...] = ()
    carers_required: int = 1
    time_critical: bool = False
    priority: int = 1
    tasks: str = ""


@dataclass(frozen=True)
class CancelledVisit:
    """A visit that will not happen (e.g. the client is in hospital)."""

    visit_id: int


Disruption = WorkerUnavailable | UrgentVisit | CancelledVisit


def _after_visit_in_progress(
    session: Session, worker: Worker, area_id: int, day: date, instant: datetime
) -> datetime:
    """``instant``, or later: when the worker is home from their last visit begun before it.

    A worker who falls ill during a visit finishes it and goes home; their working
    time (which includes the journey home) ends when they get there.
    """
    run = published_run(session, area_id, day)
    if run is None:
        return instant
    in_progress = session.exec(
        select(Assignment, Client)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(
            Assignment.plan_run_id == run.id,
            Assignment.worker_id == worker.id,
            col(Assignment.start) < instant,
        )
        .order_by(col(Assignment.start).desc())
    ).first()
    if in_progress is None:
        return instant
    assignment, client = in_progress
    home = TravelModel().seconds(
        Point(client.latitude, client.longitude),
        Point(worker.home_latitude, worker.home_longitude),
        worker.transport_mode.value,
    )
    return max(instant, assignment.end + timedelta(seconds=home))


def _record(
    session: Session, area_id: int, day: date, disruption: Disruption, now: datetime
) -> datetime:
    """Write the disruption; return the instant from which the day may change."""
    end_of_day = local_instant(day + timedelta(days=1), time(0, 0))
    if isinstance(disruption, WorkerUnavailable):
        worker = session.get(Worker, disruption.worker_id)
        if worker is None or worker.area_id != area_id:
            raise DisruptionRejected("worker_id", f"no worker {disruption.worker_id} in this area")
        if not local_instant(day, time(0, 0)) <= disruption.starts_at < end_of_day:
            raise DisruptionRejected("starts_at", "must be on the day being re-planned")
        starts_at = _after_visit_in_progress(session, worker, area_id, day, disruption.starts_at)
        session.add(
            Absence(
                worker_id=worker.id or 0,
                kind=disruption.kind,
                starts_at=starts_at,
                ends_at=end_of_day,
                note="reported during the day",
            )
        )
        return starts_at
    if isinstance(disruption, UrgentVisit):
        client = session.get(Client, disruption.client_id)
        if client is None or client.area_id != area_id:
            raise DisruptionRejected("client_id", f"no client {disruption.client_id} in this area")
        if disruption.latest_start < disruption.earliest_start:
            raise DisruptionRejected("latest_start", "must not be before earliest_start")
        if disruption.latest_start < now or disruption.latest_start >= end_of_day:
            raise DisruptionRejected("latest_start", "must be later today")
        if not 1 <= disruption.carers_required <= 2:
            raise DisruptionRejected("carers_required", "must be 1 or 2")
        if not 1 <= disruption.duration_minutes <= 600:
            raise DisruptionRejected("duration_minutes", "must be between 1 and 600")
        earliest = max(disruption.earliest_start, now)
        session.add(
            Visit(
                client_id=client.id or 0,
                area_id=area_id,
                day=day,
                earliest_start=earliest,
                latest_start=disruption.latest_start,
                preferred_start=min(
                    max(earliest, disruption.earliest_start), disruption.latest_start
                ),
                duration_minutes=disruption.duration_minutes,
                required_skills=list(disruption.required_skills),
                carers_required=disruption.carers_required,
                time_critical=disruption.time_critical,
                priority=disruption.priority,
                tasks=disruption.tasks,
            )
        )
        return now
    visit = session.get(Visit, disruption.visit_id)
    if visit is None or visit.area_id != area_id or visit.day != day:
        raise DisruptionRejected("visit_id", f"no visit {disruption.visit_id} in this area today")
    if visit.status in (VisitStatus.CHECKED_IN, VisitStatus.COMPLETED):
        raise DisruptionRejected("visit_id", "the visit has already started")
    visit.status = VisitStatus.CANCELLED
    visit.version += 1
    session.add(visit)
    return now


def apply_disruption(
    engine: Engine,
    area_id: int,
    day: date,
    disruption: Disruption,
    *,
    now: datetime,
    params: Parameters | None = None,
    options: PlanningOptions | None = None,
) -> PlanRun:
    """Record one disruption and re-plan the rest of the day (see :func:`apply_disruptions`)."""
    return apply_disruptions(
        engine, area_id, day, [disruption], now=now, params=params, options=options
    )


def record_disruptions(
    session: Session,
    area_id: int,
    day: date,
    disruptions: Sequence[Disruption],
    *,
    now: datetime,
    requested_by: int | None = None,
) -> PlanRun:
    """Write ``disruptions`` and a pending re-plan of the area's day (the caller commits).

    The run carries ``fixed_before`` (published visits starting earlier stay as
    they are: the earliest worker unavailability, or ``now`` for the others) and
    the unavailable workers, left out of the share of routes changed.
    Raises :class:`DisruptionRejected` when one does not fit; write nothing then.
    """
    if not disruptions:
        raise DisruptionRejected("disruptions", "name at least one disruption")
    for disruption in disruptions:
        _record(session, area_id, day, disruption, now)
    fixed_before = min(
        d.starts_at if isinstance(d, WorkerUnavailable) else now for d in disruptions
    )
    run = create_plan_run(session, day, [area_id], trigger="disruption", requested_by=requested_by)
    run.parameters = {
        "fixed_before": fixed_before.isoformat(),
        "unavailable_workers": sorted(
            {d.worker_id for d in disruptions if isinstance(d, WorkerUnavailable)}
        ),
    }
    session.add(run)
    session.flush()
    return run


def apply_disruptions(
    engine: Engine,
    area_id: int,
    day: date,
    disruptions: Sequence[Disruption],
    *,
    now: datetime,
    params: Parameters | None = None,
    options: PlanningOptions | None = None,
) -> PlanRun:
    """Record ``disruptions`` and re-plan the rest of ``day`` for the area once; publish it.

    Published visits starting before the earliest disruption (a worker's
    unavailability time, or ``now`` for the others) are kept exactly as they are;
    the run's ``figures["changes"]`` says how much the re-plan moved.
    Raises :class:`DisruptionRejected` (nothing written) when one does not fit.
    """
    with session_scope(engine) as session:
        run = record_disruptions(session, area_id, day, disruptions, now=now)
        plan_run_id = run.id or 0
    return execute_plan_run(
        engine,
        plan_run_id,
        params=params,
        options=options or PlanningOptions(time_budget_seconds=5.0, processes=1),
    )
