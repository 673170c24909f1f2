"""Exactly once per (area, day): claims with leases, fenced at publication.

The daily job may run in two processes by mistake, or crash half way. Each
(area, day) has one :class:`PlanClaim` row. A process *claims* it when the row
is new, failed, or its holder's lease has run out (conditional UPDATE, so two
claimants cannot both win; on PostgreSQL an advisory lock serialises them as
well). The holder renews its lease while it plans, and publishing marks the
claim done **in the publishing transaction, only if the holder still owns it**:
a process that lost its claim cannot publish.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from scheduler.db.models import ClaimStatus, PlanClaim, PlanRun, PlanRunStatus
from scheduler.db.types import utc_now

DEFAULT_LEASE = timedelta(minutes=2)


class ClaimLost(RuntimeError):
    """This process no longer holds the claim: another took it over; do not publish."""


def process_owner() -> str:
    """A name for this process that no other process shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _advisory_lock(session: Session, area_id: int, day: date) -> None:
    """On PostgreSQL, serialise claimants of one (area, day) until the transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"plan:{area_id}:{day.isoformat()}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def claim(
    engine: Engine,
    area_id: int,
    day: date,
    owner: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> bool:
    """Try to claim (area, day) for ``owner``; True if this process now holds it."""
    now = now or utc_now()
    with Session(engine) as session:
        _advisory_lock(session, area_id, day)
        existing = session.get(PlanClaim, (area_id, day))
        if existing is None:
            session.add(
                PlanClaim(
                    area_id=area_id,
                    day=day,
                    owner=owner,
                    status=ClaimStatus.CLAIMED,
                    lease_expires_at=now + lease,
                    attempts=1,
                    updated_at=now,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True
        if existing.status == ClaimStatus.DONE:
            session.rollback()
            return False
        result = session.execute(
            update(PlanClaim)
            .where(col(PlanClaim.area_id) == area_id, col(PlanClaim.day) == day)
            .where(col(PlanClaim.status) != ClaimStatus.DONE)
            .where(
                or_(
                    col(PlanClaim.status) == ClaimStatus.FAILED,
                    col(PlanClaim.lease_expires_at) < now,
                )
            )
            .values(
                owner=owner,
                status=ClaimStatus.CLAIMED,
                lease_expires_at=now + lease,
                attempts=col(PlanClaim.attempts) + 1,
                updated_at=now,
            )
        )
        session.commit()
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def claim_areas(
    engine: Engine,
    area_ids: Collection[int],
    day: date,
    owner: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
) -> list[int]:
    """The areas of ``area_ids`` this process managed to claim for ``day``."""
    return [a for a in sorted(area_ids) if claim(engine, a, day, owner, lease=lease)]


def renew(
    engine: Engine,
    area_ids: Collection[int],
    day: date,
    owner: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
) -> int:
    """Extend the lease of the claims ``owner`` still holds; how many it holds."""
    now = utc_now()
    with Session(engine) as session:
        result = session.execute(
            update(PlanClaim)
            .where(col(PlanClaim.area_id).in_(list(area_ids)), col(PlanClaim.day) == day)
            .where(col(PlanClaim.owner) == owner, col(PlanClaim.status) == ClaimStatus.CLAIMED)
            .values(lease_expires_at=now + lease, updated_at=now)
        )
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def complete(
    session: Session, area_ids: Collection[int], day: date, owner: str, plan_run_id: int
) -> None:
    """Inside the publishing transaction: mark the claims done, or raise :class:`ClaimLost`."""
    for area_id in sorted(area_ids):
        _advisory_lock(session, area_id, day)
    result = session.execute(
        update(PlanClaim)
        .where(col(PlanClaim.area_id).in_(list(area_ids)), col(PlanClaim.day) == day)
        .where(col(PlanClaim.owner) == owner, col(PlanClaim.status) == ClaimStatus.CLAIMED)
        .values(status=ClaimStatus.DONE, plan_run_id=plan_run_id, updated_at=utc_now())
    )
    if result.rowcount != len(set(area_ids)):  # type: ignore[attr-defined]
        raise ClaimLost(f"{owner} no longer holds every claim for {day.isoformat()}")


def release_failed(engine: Engine, area_ids: Collection[int], day: date, owner: str) -> None:
    """Mark ``owner``'s claims failed so the next catch-up retries them at once."""
    with Session(engine) as session:
        session.execute(
            update(PlanClaim)
            .where(col(PlanClaim.area_id).in_(list(area_ids)), col(PlanClaim.day) == day)
            .where(col(PlanClaim.owner) == owner, col(PlanClaim.status) == ClaimStatus.CLAIMED)
            .values(status=ClaimStatus.FAILED, updated_at=utc_now())
        )
        session.commit()


def unfinished_areas(session: Session, area_ids: Collection[int], day: date) -> list[int]:
    """Areas of ``area_ids`` whose (area, day) has not been planned to the end."""
    done = set(
        session.exec(
            select(PlanClaim.area_id).where(
                col(PlanClaim.day) == day, col(PlanClaim.status) == ClaimStatus.DONE
            )
        ).all()
    )
    return [a for a in sorted(area_ids) if a not in done]


def fail_abandoned_runs(engine: Engine, *, now: datetime | None = None) -> int:
    """Mark failed the runs left running, draft or validated by a planner that stopped.

    A run is abandoned when its lease ran out: its planner renews the lease while
    it is alive. The published rota is untouched (it never pointed at these runs).
    """
    now = now or utc_now()
    with Session(engine) as session:
        result = session.execute(
            update(PlanRun)
            .where(
                col(PlanRun.status).in_(
                    [PlanRunStatus.RUNNING, PlanRunStatus.DRAFT, PlanRunStatus.VALIDATED]
                )
            )
            .where(
                and_(
                    col(PlanRun.lease_expires_at).is_not(None), col(PlanRun.lease_expires_at) < now
                )
            )
            .values(
                status=PlanRunStatus.FAILED, error="abandoned: the planner stopped", finished_at=now
            )
        )
        session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


class Heartbeat:
    """Renews a run's lease (and its claims) in a background thread while it plans."""

    def __init__(
        self,
        engine: Engine,
        plan_run_id: int,
        *,
        owner: str,
        claims: tuple[Collection[int], date] | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.engine, self.plan_run_id, self.owner = engine, plan_run_id, owner
        self.claims, self.lease = claims, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plan-heartbeat", daemon=True)

    def beat(self) -> None:
        """Renew once now."""
        now = utc_now()
        with Session(self.engine) as session:
            session.execute(
                update(PlanRun)
                .where(col(PlanRun.id) == self.plan_run_id)
                .values(lease_expires_at=now + self.lease, owner=self.owner)
            )
            session.commit()
        if self.claims is not None:
            renew(self.engine, self.claims[0], self.claims[1], self.owner, lease=self.lease)

    def _run(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 4):
            try:
                self.beat()
            except Exception:  # the database may blip; the next beat tries again
                continue

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
