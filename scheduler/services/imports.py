"""File import through the API, kept inside the caller's areas.

The import itself is :func:`scheduler.io.import_file` (whole or not at all).
For a caller who does not cover every area, every record the import adds,
changes or deletes is collected as the session flushes, and the import is
refused (nothing written) if any lies outside the caller's areas — a worker,
client or care plan of another area, or a record every area shares (areas,
courses, skills).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from scheduler.db.models import (
    Absence,
    AvailabilityPattern,
    CarePlan,
    Client,
    ClientCarerPreference,
    TrainingRecord,
    Worker,
)
from scheduler.services.scope import Scope

AREA_KINDS = ("workers", "availability", "absences", "training", "clients", "care_plans")
"""Kinds whose every record belongs to one area (coordinators may import these)."""


class OutsideScope(PermissionError):
    """The file touches a record outside the caller's areas."""


def record_area(record: Any, *, session: Session) -> int | None:
    """The area a record belongs to, or None for records every area shares."""
    if isinstance(record, Worker | Client):
        return record.area_id
    if isinstance(record, AvailabilityPattern | Absence | TrainingRecord):
        worker = session.get(Worker, record.worker_id)
        return worker.area_id if worker else None
    if isinstance(record, CarePlan | ClientCarerPreference):
        client = session.get(Client, record.client_id)
        return client.area_id if client else None
    return None


def check_records(records: Iterable[Any], scope: Scope, *, session: Session) -> None:
    """Raise :class:`OutsideScope` unless every record lies in the caller's areas."""
    with session.no_autoflush:
        for record in records:
            if not scope.covers_area(record_area(record, session=session)):
                raise OutsideScope(type(record).__name__)


def import_in_scope(kind: str, content: bytes, fmt: str, scope: Scope, *, session: Session) -> Any:
    """Import one file for a caller with ``scope`` (the caller commits on success).

    Raises :class:`scheduler.io.ImportRejected` for a bad file and
    :class:`OutsideScope` (after rolling back) for one that reaches beyond the
    caller's areas.
    """
    from scheduler.io import import_file

    if scope.area_ids is None:
        return import_file(session, kind, content, format=fmt)
    if kind not in AREA_KINDS:
        raise OutsideScope(kind)
    touched: list[Any] = []

    def collect(flushing: Session, _context: Any, _instances: Any) -> None:
        touched.extend(flushing.new)
        touched.extend(o for o in flushing.dirty if flushing.is_modified(o))
        touched.extend(flushing.deleted)

    event.listen(session, "before_flush", collect)
    try:
        report = import_file(session, kind, content, format=fmt)
        session.flush()
        check_records(touched, scope, session=session)
    except OutsideScope:
        session.rollback()
        raise
    finally:
        event.remove(session, "before_flush", collect)
    return report
