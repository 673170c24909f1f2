"""Check-in and check-out on visits, and the late and missed flags coordinators see.

A visit is **late** when its carer checked in more than ``LATE_AFTER`` after the
planned start, or has not checked in and that moment has passed; it is
**missed** when nobody has checked in by the planned end (or it is marked
missed). Times are instants (UTC); people see them in Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from scheduler.db.models import (
    Assignment,
    CheckKind,
    PublishedRota,
    Visit,
    VisitCheck,
    VisitStatus,
    Worker,
)
from scheduler.db.types import utc_now

LATE_AFTER = timedelta(minutes=15)
EARLIEST_CHECK_IN = timedelta(hours=2)
"""A carer may check in at most this long before the planned start."""
BACKDATE_LIMIT = timedelta(hours=12)
"""A check made offline may be sent later, dated up to this long ago."""
CLOCK_SKEW = timedelta(minutes=5)


class CheckRefused(ValueError):
    """A check-in or check-out that cannot be accepted; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.conflict = conflict


def flag(
    planned_start: datetime,
    planned_end: datetime,
    checked_in_at: datetime | None,
    status: VisitStatus,
    now: datetime,
) -> str | None:
    """ "late", "missed" or None for one carer's visit at ``now``."""
    if status == VisitStatus.MISSED:
        return "missed"
    if status == VisitStatus.CANCELLED:
        return None
    if checked_in_at is not None:
        return "late" if checked_in_at > planned_start + LATE_AFTER else None
    if now >= planned_end:
        return "missed"
    if now > planned_start + LATE_AFTER:
        return "late"
    return None


def checks_by_visit(
    visit_ids: list[int], *, session: Session
) -> dict[tuple[int, int], dict[CheckKind, VisitCheck]]:
    """Every check of these visits, keyed by (visit id, worker id) then kind."""
    found: dict[tuple[int, int], dict[CheckKind, VisitCheck]] = {}
    if not visit_ids:
        return found
    for check in session.exec(select(VisitCheck).where(col(VisitCheck.visit_id).in_(visit_ids))):
        found.setdefault((check.visit_id, check.worker_id), {})[check.kind] = check
    return found


def published_assignment(
    visit_id: int, worker_id: int, *, session: Session
) -> tuple[Assignment, Visit] | None:
    """The worker's assignment to this visit in the published rota, if there is one."""
    row = session.exec(
        select(Assignment, Visit)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .join(
            PublishedRota,
            (col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
            & (col(PublishedRota.area_id) == Visit.area_id)
            & (col(PublishedRota.day) == Visit.day),
        )
        .where(Assignment.visit_id == visit_id, Assignment.worker_id == worker_id)
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What the phone sends: optional time (for checks made offline) and location."""

    at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_metres: float | None = None


def record_check(
    worker_id: int,
    visit_id: int,
    kind: CheckKind,
    given: CheckInput,
    *,
    session: Session,
    now: datetime | None = None,
) -> VisitCheck:
    """Check a worker in or out of their own published visit; the caller commits.

    Raises :class:`LookupError` when the visit is not on the worker's published
    route (the caller answers 404, as for a missing visit) and
    :class:`CheckRefused` for a check that makes no sense (twice, out before in,
    a time in the future or too far in the past).
    """
    now = now or utc_now()
    found = published_assignment(visit_id, worker_id, session=session)
    if found is None:
        raise LookupError(visit_id)
    assignment, visit = found
    at = given.at or now
    if at > now + CLOCK_SKEW:
        raise CheckRefused("at must not be in the future", "at")
    if at < now - BACKDATE_LIMIT:
        raise CheckRefused("at is more than 12 hours ago; ask your coordinator", "at")
    if (given.latitude is None) != (given.longitude is None):
        raise CheckRefused("give latitude and longitude together", "latitude")
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.MISSED):
        raise CheckRefused(f"the visit is {visit.status.value}", conflict=True)
    existing = checks_by_visit([visit_id], session=session).get((visit_id, worker_id), {})
    if kind in existing:
        raise CheckRefused(f"already recorded: {kind.value.replace('_', ' ')}", conflict=True)
    if kind == CheckKind.CHECK_IN and at < assignment.start - EARLIEST_CHECK_IN:
        raise CheckRefused("too early: the visit starts more than 2 hours later", "at")
    if kind == CheckKind.CHECK_OUT:
        checked_in = existing.get(CheckKind.CHECK_IN)
        if checked_in is None:
            raise CheckRefused("check in before checking out", conflict=True)
        if at < checked_in.at:
            raise CheckRefused("at is before the check-in", "at")
    check = VisitCheck(
        visit_id=visit_id,
        worker_id=worker_id,
        kind=kind,
        at=at,
        latitude=given.latitude,
        longitude=given.longitude,
        accuracy_metres=given.accuracy_metres,
    )
    session.add(check)
    status = VisitStatus.CHECKED_IN if kind == CheckKind.CHECK_IN else VisitStatus.COMPLETED
    if kind == CheckKind.CHECK_OUT and visit.carers_required > 1:
        others_out = [
            c
            for (v, w), kinds in checks_by_visit([visit_id], session=session).items()
            if w != worker_id
            for k, c in kinds.items()
            if k == CheckKind.CHECK_OUT
        ]
        if not others_out:
            status = VisitStatus.CHECKED_IN
    session.execute(
        update(Visit)
        .where(col(Visit.id) == visit_id)
        .values(status=status, version=Visit.version + 1)
    )
    session.flush()
    return check


def area_attendance(
    area_id: int, day: date, *, session: Session, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Each carer's visit of the published rota of (area, day) with its checks and flag."""
    now = now or utc_now()
    pointer = session.get(PublishedRota, (area_id, day))
    if pointer is None:
        return []
    rows = session.exec(
        select(Assignment, Visit, Worker)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .where(Assignment.plan_run_id == pointer.plan_run_id, Visit.area_id == area_id)
        .order_by(col(Assignment.start), col(Assignment.worker_id))
    ).all()
    checks = checks_by_visit([v.id or 0 for _, v, _ in rows], session=session)
    result = []
    for assignment, visit, worker in rows:
        mine = checks.get((visit.id or 0, worker.id or 0), {})
        checked_in = mine.get(CheckKind.CHECK_IN)
        checked_out = mine.get(CheckKind.CHECK_OUT)
        result.append(
            {
                "visit_id": visit.id,
                "worker_id": worker.id,
                "worker_name": worker.name,
                "planned_start": assignment.start,
                "planned_end": assignment.end,
                "checked_in_at": checked_in.at if checked_in else None,
                "checked_out_at": checked_out.at if checked_out else None,
                "status": visit.status.value,
                "flag": flag(
                    assignment.start,
                    assignment.end,
                    checked_in.at if checked_in else None,
                    visit.status,
                    now,
                ),
            }
        )
    return result
