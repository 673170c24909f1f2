"""Who may see what: a signed-in account's scope, decided once per request.

A worker sees their own worker record (and the clients on their route); a
coordinator, the areas linked to their account; a manager, the areas of their
region; an admin, everything. Anything outside the scope is treated exactly as
if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from scheduler.accounts import user_area_ids
from scheduler.db.models import Area, Role, UserAccount, Worker


@dataclass(frozen=True, slots=True)
class Scope:
    """The reach of one account. ``area_ids`` None means every area (admin)."""

    user_id: int
    username: str
    role: Role
    worker_id: int | None
    area_ids: frozenset[int] | None

    def covers_area(self, area_id: int | None) -> bool:
        """True if records of ``area_id`` are visible to this account."""
        if area_id is None:
            return False
        return self.area_ids is None or area_id in self.area_ids

    def covers_worker(self, worker: Worker) -> bool:
        """A worker sees only themself; other roles see the workers of their areas."""
        if self.role == Role.WORKER:
            return worker.id is not None and worker.id == self.worker_id
        return self.covers_area(worker.area_id)


def scope_for(user: UserAccount, *, session: Session) -> Scope:
    """The scope of ``user`` as stored now (areas are read afresh on every request)."""
    areas = user_area_ids(session, user)
    return Scope(
        user_id=user.id or 0,
        username=user.username,
        role=user.role,
        worker_id=user.worker_id if user.role == Role.WORKER else None,
        area_ids=None if areas is None else frozenset(areas),
    )


def visible_areas(scope: Scope, *, session: Session) -> list[Area]:
    """The areas in scope, by code (a worker's list is empty)."""
    query = select(Area).order_by(col(Area.code))
    if scope.area_ids is not None:
        if not scope.area_ids:
            return []
        query = query.where(col(Area.id).in_(scope.area_ids))
    return list(session.exec(query).all())


def report_area_ids(
    scope: Scope, *, area: int | None, region: int | None, session: Session
) -> list[int]:
    """The areas a report covers: one area, one region's areas, or all in scope.

    Raises :class:`LookupError` naming the parameter (``area`` or ``region``)
    when it is missing or outside the scope, so the caller answers 404 as for a
    missing one.
    """
    query = select(Area.id).order_by(col(Area.id))
    if area is not None:
        if not scope.covers_area(area) or session.get(Area, area) is None:
            raise LookupError("area")
        return [area]
    if region is not None:
        query = query.where(Area.region_id == region)
    ids = [a for a in session.exec(query).all() if a is not None and scope.covers_area(a)]
    if region is not None and not ids:
        raise LookupError("region")
    return ids
