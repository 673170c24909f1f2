"""Dated visits made from recurring care plans, and the local-time helpers they use.

A care plan holds Europe/London wall-clock times (``window_start`` 07:30); a dated
:class:`~scheduler.db.models.Visit` holds timezone-aware UTC instants. The
conversion happens here, once, with :mod:`zoneinfo`, so the days the clocks change
(last Sunday of March and of October) come out right.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from scheduler.db.models import CarePlan, Client, Visit, VisitStatus

LONDON = ZoneInfo("Europe/London")
VISIT_TABLE = "visit"
INSERT_CHUNK_ROWS = 2_000
"""Visits written per INSERT batch (keeps every statement well inside driver limits)."""

log = logging.getLogger(__name__)


def local_instant(day: date, wall_clock: time) -> datetime:
    """The UTC instant at which London clocks show ``wall_clock`` on ``day``.

    ``wall_clock`` must be naive (a local time). A time skipped when the clocks go
    forward (01:30 on 2026-03-29) is read with the offset in force before the
    change, so it lands an hour later on the clock (01:30 UTC = 02:30 BST); a time
    that happens twice when they go back (01:30 on 2026-10-25) is read as the
    first, BST, occurrence unless ``wall_clock.fold`` is 1.
    """
    if wall_clock.tzinfo is not None:
        raise ValueError("local_instant takes a naive Europe/London wall-clock time")
    return datetime.combine(day, wall_clock, tzinfo=LONDON).astimezone(UTC)


def day_origin(day: date) -> datetime:
    """Local midnight at the start of ``day``, as a UTC instant (the problem's origin)."""
    return local_instant(day, time(0, 0))


def materialise_visits(session: Session, day: date, area_ids: Collection[int] | None = None) -> int:
    """Make the dated visits of ``day`` from the care plans due on it; return how many.

    A plan is due when its client is active, ``day``'s weekday (0 = Monday) is in
    ``plan.weekdays`` and ``valid_from <= day <= valid_until`` (an open
    ``valid_until`` never ends). ``area_ids`` limits the work to clients of those
    areas (``None``: every area). The window and preferred start become UTC
    instants (:func:`local_instant`); a plan without a preferred start gets the
    middle of its window, rounded down to the whole minute. Duration (minutes),
    skills, carers required, time-critical flag, priority and tasks are copied,
    and the visit's area is the client's.

    Idempotent: plans that already have a visit on ``day`` are skipped, and the
    insert ignores a clash on ``(care_plan_id, day)`` made meanwhile by another
    process. Rows are written with bulk core INSERTs inside the session's
    transaction; the caller commits.
    """
    if area_ids is not None and not area_ids:
        return 0
    connection = session.connection()
    existing = set(
        connection.execute(
            sa.select(col(Visit.care_plan_id)).where(
                col(Visit.day) == day, col(Visit.care_plan_id).is_not(None)
            )
        ).scalars()
    )
    rows = [
        row for row in _visit_rows(connection, day, area_ids) if row["care_plan_id"] not in existing
    ]
    return _insert_visits(connection, rows)


def _due_plans(connection: Connection, day: date, area_ids: Collection[int] | None) -> Any:
    """The plans of active clients valid on ``day``, in id order (weekday not yet checked)."""
    statement = (
        sa.select(
            col(CarePlan.id),
            col(CarePlan.client_id),
            col(CarePlan.weekdays),
            col(CarePlan.window_start),
            col(CarePlan.window_end),
            col(CarePlan.preferred_start),
            col(CarePlan.duration_minutes),
            col(CarePlan.required_skills),
            col(CarePlan.carers_required),
            col(CarePlan.time_critical),
            col(CarePlan.priority),
            col(CarePlan.tasks),
            col(CarePlan.ref),
            col(Client.area_id),
        )
        .join(Client, col(Client.id) == col(CarePlan.client_id))
        .where(
            col(Client.active).is_(True),
            col(CarePlan.valid_from) <= day,
            sa.or_(col(CarePlan.valid_until).is_(None), col(CarePlan.valid_until) >= day),
        )
        .order_by(col(CarePlan.id))
    )
    if area_ids is not None:
        statement = statement.where(col(Client.area_id).in_(sorted(area_ids)))
    return connection.execute(statement)


def _visit_rows(
    connection: Connection, day: date, area_ids: Collection[int] | None
) -> Iterator[dict[str, Any]]:
    """One INSERT parameter set per plan due on ``day``."""
    weekday = day.weekday()
    for plan in _due_plans(connection, day, area_ids):
        if weekday not in plan.weekdays:
            continue
        earliest = local_instant(day, plan.window_start)
        latest = local_instant(day, plan.window_end)
        if latest < earliest:
            log.warning("care plan %s skipped: its window closes before it opens", plan.ref)
            continue
        if plan.preferred_start is None:
            half_minutes = int((latest - earliest).total_seconds() // 120)
            preferred = earliest + timedelta(minutes=half_minutes)
        else:
            preferred = min(max(local_instant(day, plan.preferred_start), earliest), latest)
        yield {
            "care_plan_id": plan.id,
            "client_id": plan.client_id,
            "area_id": plan.area_id,
            "day": day,
            "earliest_start": earliest,
            "latest_start": latest,
            "preferred_start": preferred,
            "duration_minutes": plan.duration_minutes,
            "required_skills": list(plan.required_skills),
            "carers_required": plan.carers_required,
            "time_critical": plan.time_critical,
            "priority": plan.priority,
            "tasks": plan.tasks,
            "status": VisitStatus.SCHEDULED,
            "pinned_worker_id": None,
            "pinned_second_worker_id": None,
            "version": 1,
        }


def _insert_visits(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` in chunks, skipping (care_plan_id, day) clashes; return rows written."""
    table = SQLModel.metadata.tables[VISIT_TABLE]
    dialect = connection.dialect.name
    written = 0
    for start in range(0, len(rows), INSERT_CHUNK_ROWS):
        chunk = rows[start : start + INSERT_CHUNK_ROWS]
        if dialect in ("sqlite", "postgresql"):
            module = sqlite if dialect == "sqlite" else postgresql
            statement = (
                module.insert(table)
                .on_conflict_do_nothing(index_elements=["care_plan_id", "day"])
                .returning(table.c.id)
            )
            written += len(connection.execute(statement, chunk).all())
        else:
            connection.execute(sa.insert(table), chunk)
            written += len(chunk)
    return written
