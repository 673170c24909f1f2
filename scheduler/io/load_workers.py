"""Loaders for ``workers`` and what belongs to them: availability, absences, training.

- workers: upserted by ref.
- availability: for every worker named in the file, the file's rows *replace*
  that worker's whole weekly pattern (a pattern has no natural key per period);
  workers the file does not name keep theirs.
- absences: upserted by (worker ref, starts_at); others are kept, so history is
  never lost by importing a shorter file.
- training: upserted by (worker ref, course code, completed_on), so renewals
  add records; an empty ``expires_on`` is completed_on + the course's
  ``refresh_months`` (none for a course that never expires).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, delete, select

from scheduler.db.models import Absence, AvailabilityPattern, TrainingCourse, TrainingRecord, Worker
from scheduler.io.cells import WEEKDAY_NAMES
from scheduler.io.errors import RowError
from scheduler.io.schemas import AbsenceRow, AvailabilityRow, TrainingRow, WorkerRow
from scheduler.io.store import (
    AREA,
    COURSE,
    WORKER,
    Outcome,
    Refused,
    area_ids,
    chunked,
    no_such,
    upsert,
    worker_ids,
)
from scheduler.io.validation import Parsed


def load_workers(session: Session, rows: Sequence[Parsed[WorkerRow]], refused: Refused) -> Outcome:
    """Upsert workers by ref; each names a known area."""
    outcome = Outcome()
    areas = area_ids(session)
    workers = {worker.ref: worker for worker in session.exec(select(Worker))}
    for parsed in rows:
        row = parsed.data
        area_id = areas.get(row.area_code)
        if area_id is None:
            outcome.errors.append(
                no_such(parsed.row, "area_code", AREA, [row.area_code], areas, refused)
            )
            continue
        values = row.model_dump(exclude={"area_code"}) | {"area_id": area_id}
        upsert(session, workers, row.ref, Worker, values, outcome, leave=row.absent())
    return outcome


def load_availability(
    session: Session, rows: Sequence[Parsed[AvailabilityRow]], refused: Refused
) -> Outcome:
    """Replace the weekly pattern of every worker the file names; periods may not overlap."""
    outcome = Outcome()
    workers = worker_ids(session)
    pattern: dict[int, list[Parsed[AvailabilityRow]]] = {}
    for parsed in rows:
        row = parsed.data
        worker_id = workers.get(row.worker_ref)
        if worker_id is None:
            outcome.errors.append(
                no_such(parsed.row, "worker_ref", WORKER, [row.worker_ref], workers, refused)
            )
            continue
        periods = pattern.setdefault(worker_id, [])
        clash = next((other for other in periods if _overlap(other.data, row)), None)
        if clash is not None:
            outcome.errors.append(
                RowError(
                    parsed.row,
                    "start_time",
                    f"overlaps row {clash.row} ({WEEKDAY_NAMES[row.weekday]} "
                    f"{clash.data.start_time:%H:%M}–{clash.data.end_time:%H:%M}) "
                    f"for worker {row.worker_ref}",
                )
            )
            continue
        periods.append(parsed)
    for chunk in chunked(list(pattern)):
        statement = delete(AvailabilityPattern).where(col(AvailabilityPattern.worker_id).in_(chunk))
        outcome.removed += session.exec(statement).rowcount
    for worker_id, periods in pattern.items():
        for parsed in periods:
            values = parsed.data.model_dump(exclude={"worker_ref"})
            session.add(AvailabilityPattern(worker_id=worker_id, **values))
            outcome.created += 1
    return outcome


def _overlap(first: AvailabilityRow, second: AvailabilityRow) -> bool:
    """Whether two periods share a moment: same weekday, times and validity overlapping."""
    if first.weekday != second.weekday:
        return False
    if not (first.start_time < second.end_time and second.start_time < first.end_time):
        return False
    return (first.valid_from or date.min) <= (second.valid_until or date.max) and (
        second.valid_from or date.min
    ) <= (first.valid_until or date.max)


def load_absences(
    session: Session, rows: Sequence[Parsed[AbsenceRow]], refused: Refused
) -> Outcome:
    """Upsert absences by (worker, starts_at)."""
    outcome = Outcome()
    workers = worker_ids(session)
    named = sorted({workers[p.data.worker_ref] for p in rows if p.data.worker_ref in workers})
    existing: dict[tuple[int, object], Absence] = {}
    for chunk in chunked(named):
        for absence in session.exec(select(Absence).where(col(Absence.worker_id).in_(chunk))):
            existing[(absence.worker_id, absence.starts_at)] = absence
    for parsed in rows:
        row = parsed.data
        worker_id = workers.get(row.worker_ref)
        if worker_id is None:
            outcome.errors.append(
                no_such(parsed.row, "worker_ref", WORKER, [row.worker_ref], workers, refused)
            )
            continue
        values = row.model_dump(exclude={"worker_ref"}) | {"worker_id": worker_id}
        key = (worker_id, row.starts_at)
        upsert(session, existing, key, Absence, values, outcome, leave=row.absent())
    return outcome


def load_training(
    session: Session, rows: Sequence[Parsed[TrainingRow]], refused: Refused
) -> Outcome:
    """Upsert training records by (worker, course, completed_on), computing missing expiry."""
    outcome = Outcome()
    workers = worker_ids(session)
    courses = {course.code: course for course in session.exec(select(TrainingCourse))}
    named = sorted({workers[p.data.worker_ref] for p in rows if p.data.worker_ref in workers})
    existing: dict[tuple[int, int, date], TrainingRecord] = {}
    for chunk in chunked(named):
        statement = select(TrainingRecord).where(col(TrainingRecord.worker_id).in_(chunk))
        for record in session.exec(statement):
            existing[(record.worker_id, record.course_id, record.completed_on)] = record
    for parsed in rows:
        row = parsed.data
        worker_id = workers.get(row.worker_ref)
        course = courses.get(row.course_code)
        if worker_id is None:
            outcome.errors.append(
                no_such(parsed.row, "worker_ref", WORKER, [row.worker_ref], workers, refused)
            )
        if course is None or course.id is None:
            outcome.errors.append(
                no_such(parsed.row, "course_code", COURSE, [row.course_code], courses, refused)
            )
        if worker_id is None or course is None or course.id is None:
            continue
        expires_on = row.expires_on
        if expires_on is None and course.refresh_months:
            expires_on = add_months(row.completed_on, course.refresh_months)
        values = {
            "worker_id": worker_id,
            "course_id": course.id,
            "completed_on": row.completed_on,
            "expires_on": expires_on,
        }
        key = (worker_id, course.id, row.completed_on)
        upsert(session, existing, key, TrainingRecord, values, outcome)
    return outcome


def add_months(start: date, months: int) -> date:
    """``start`` plus whole ``months``, on the last day of the month when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
