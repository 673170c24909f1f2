"""Coordinators' changes to one visit: pin to a worker, unpin, move within its window.

Optimistic concurrency: every change names the version it was made against and
succeeds only if the visit is still at that version (a conditional UPDATE), so
two coordinators never overwrite each other silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from scheduler.db.models import Visit, VisitStatus, Worker
from scheduler.services.scope import Scope

UNSET: Any = object()


class VisitChangeRefused(ValueError):
    """A change that breaks a rule; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class VersionConflict(RuntimeError):
    """The visit changed since the caller read it."""


@dataclass(frozen=True)
class VisitChange:
    """The fields to change; ``UNSET`` leaves a field as it is, None unpins."""

    pinned_worker_id: Any = UNSET
    pinned_second_worker_id: Any = UNSET
    preferred_start: Any = UNSET


def visit_in_scope(visit_id: int, scope: Scope, *, session: Session) -> Visit | None:
    """The visit if it exists and its area is in scope; None otherwise (answer 404)."""
    visit = session.get(Visit, visit_id)
    if visit is None or not scope.covers_area(visit.area_id):
        return None
    return visit


def _check_worker(worker_id: int, scope: Scope, field: str, *, session: Session) -> None:
    worker = session.get(Worker, worker_id)
    if worker is None or not scope.covers_worker(worker):
        raise VisitChangeRefused(f"no worker {worker_id}", field)
    if not worker.active:
        raise VisitChangeRefused(f"worker {worker_id} is not active", field)


def change_visit(
    visit: Visit, expected_version: int, change: VisitChange, scope: Scope, *, session: Session
) -> Visit:
    """Apply ``change`` if ``visit`` is still at ``expected_version``; the caller commits.

    Raises :class:`VersionConflict` when it is not, and :class:`VisitChangeRefused`
    for a worker outside the caller's areas, a start outside the visit's window,
    or a visit already under way or over.
    """
    if visit.version != expected_version:
        raise VersionConflict(visit.id)
    if visit.status not in (VisitStatus.SCHEDULED,):
        raise VisitChangeRefused(
            f"the visit is {visit.status.value}; it cannot be changed", "status"
        )
    values: dict[str, Any] = {}
    first = visit.pinned_worker_id if change.pinned_worker_id is UNSET else change.pinned_worker_id
    second = (
        visit.pinned_second_worker_id
        if change.pinned_second_worker_id is UNSET
        else change.pinned_second_worker_id
    )
    if change.pinned_worker_id is not UNSET:
        if change.pinned_worker_id is not None:
            _check_worker(change.pinned_worker_id, scope, "pinned_worker_id", session=session)
        values["pinned_worker_id"] = change.pinned_worker_id
    if change.pinned_second_worker_id is not UNSET:
        if change.pinned_second_worker_id is not None:
            if visit.carers_required < 2:
                raise VisitChangeRefused(
                    "this visit needs one carer; it has no second carer", "pinned_second_worker_id"
                )
            _check_worker(
                change.pinned_second_worker_id, scope, "pinned_second_worker_id", session=session
            )
        values["pinned_second_worker_id"] = change.pinned_second_worker_id
    if second is not None and first is None:
        raise VisitChangeRefused("pin the first carer before the second", "pinned_second_worker_id")
    if first is not None and first == second:
        raise VisitChangeRefused(
            "the two carers must be different people", "pinned_second_worker_id"
        )
    if change.preferred_start is not UNSET:
        start: datetime = change.preferred_start
        if not visit.earliest_start <= start <= visit.latest_start:
            raise VisitChangeRefused(
                "preferred_start must lie within the visit's window "
                f"({visit.earliest_start.isoformat()} to {visit.latest_start.isoformat()})",
                "preferred_start",
            )
        values["preferred_start"] = start
    if not values:
        return visit
    result = session.execute(
        update(Visit)
        .where(col(Visit.id) == visit.id, col(Visit.version) == expected_version)
        .values(**values, version=expected_version + 1)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise VersionConflict(visit.id)
    session.expire(visit)
    refreshed = session.get(Visit, visit.id)
    assert refreshed is not None
    return refreshed
