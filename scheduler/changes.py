"""What changed between two versions of a rota, and the notices people get about it.

Workers are told what changed in their day (a visit added, taken away, or moved
in time); clients are told when a different carer is coming. Times in messages
are Europe/London wall-clock HH:MM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.db.models import (
    Assignment,
    ChangeNotice,
    NoticeAudience,
    PlanRun,
    PlanRunArea,
    PlanRunStatus,
    Visit,
    Worker,
)
from scheduler.visits import LONDON


@dataclass(frozen=True)
class VisitChange:
    """One visit whose carers or start differ between two versions (None: not planned)."""

    visit_id: int
    client_id: int
    before_workers: tuple[int, ...]
    after_workers: tuple[int, ...]
    before_start: datetime | None
    after_start: datetime | None

    @property
    def kind(self) -> str:
        """``added``, ``removed``, ``reassigned`` or ``retimed``."""
        if not self.before_workers:
            return "added"
        if not self.after_workers:
            return "removed"
        if self.before_workers != self.after_workers:
            return "reassigned"
        return "retimed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "client_id": self.client_id,
            "kind": self.kind,
            "before": {
                "workers": list(self.before_workers),
                "start": self.before_start.astimezone(LONDON).isoformat()
                if self.before_start
                else None,
            },
            "after": {
                "workers": list(self.after_workers),
                "start": self.after_start.astimezone(LONDON).isoformat()
                if self.after_start
                else None,
            },
        }


def _plan(
    session: Session, plan_run_id: int | None, area_ids: Collection[int]
) -> dict[int, tuple[tuple[int, ...], datetime, int]]:
    """visit id → (workers, start, client id) in a run, for visits of these areas."""
    if plan_run_id is None:
        return {}
    rows = session.exec(
        select(Assignment, Visit)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .where(Assignment.plan_run_id == plan_run_id, col(Visit.area_id).in_(area_ids))
        .order_by(col(Assignment.visit_id), col(Assignment.worker_id))
    ).all()
    plan: dict[int, tuple[tuple[int, ...], datetime, int]] = {}
    for assignment, visit in rows:
        workers, start, client = plan.get(
            assignment.visit_id, ((), assignment.start, visit.client_id)
        )
        plan[assignment.visit_id] = (
            (*workers, assignment.worker_id),
            min(start, assignment.start),
            client,
        )
    return plan


def diff_runs(
    session: Session, before_run_id: int | None, after_run_id: int, area_ids: Collection[int]
) -> list[VisitChange]:
    """Every visit of these areas whose carers or start differ from one run to the other."""
    before = _plan(session, before_run_id, area_ids)
    after = _plan(session, after_run_id, area_ids)
    changes = []
    for visit_id in sorted(set(before) | set(after)):
        old = before.get(visit_id)
        new = after.get(visit_id)
        if old is not None and new is not None and old[:2] == new[:2]:
            continue
        client = (new or old)[2]  # type: ignore[index]
        changes.append(
            VisitChange(
                visit_id=visit_id,
                client_id=client,
                before_workers=old[0] if old else (),
                after_workers=new[0] if new else (),
                before_start=old[1] if old else None,
                after_start=new[1] if new else None,
            )
        )
    return changes


def previous_published_run(session: Session, run: PlanRun) -> int | None:
    """The run this one replaced as the published rota (or would replace, if not yet published)."""
    area_ids = list(
        session.exec(select(PlanRunArea.area_id).where(PlanRunArea.plan_run_id == run.id)).all()
    )
    query = (
        select(PlanRun.id)
        .join(PlanRunArea, col(PlanRunArea.plan_run_id) == PlanRun.id)
        .where(PlanRun.day == run.day, col(PlanRunArea.area_id).in_(area_ids))
        .where(col(PlanRun.id) != run.id)
        .where(col(PlanRun.status).in_([PlanRunStatus.PUBLISHED, PlanRunStatus.SUPERSEDED]))
    )
    if run.published_at is not None:
        query = query.where(col(PlanRun.published_at) < run.published_at)
    return session.exec(query.order_by(col(PlanRun.published_at).desc())).first()


def _clock(instant: datetime | None) -> str:
    return instant.astimezone(LONDON).strftime("%H:%M") if instant else "--:--"


def notices_for(
    session: Session, day: date, plan_run_id: int, changes: list[VisitChange]
) -> list[ChangeNotice]:
    """Notices for the workers whose day changed and the clients whose carer changed."""
    names = {
        w.id: w.name
        for w in session.exec(
            select(Worker).where(
                col(Worker.id).in_(
                    {w for c in changes for w in (*c.before_workers, *c.after_workers)}
                )
            )
        )
    }
    notices: list[ChangeNotice] = []
    per_worker: dict[int, list[str]] = defaultdict(list)
    for change in changes:
        for worker in set(change.before_workers) - set(change.after_workers):
            per_worker[worker].append(f"visit at {_clock(change.before_start)} is no longer yours")
        for worker in set(change.after_workers) - set(change.before_workers):
            per_worker[worker].append(f"new visit at {_clock(change.after_start)}")
        for worker in set(change.after_workers) & set(change.before_workers):
            if change.before_start != change.after_start:
                per_worker[worker].append(
                    f"visit at {_clock(change.before_start)} moves to {_clock(change.after_start)}"
                )
        if (
            change.before_workers
            and change.after_workers
            and set(change.after_workers) != set(change.before_workers)
        ):
            coming = ", ".join(names.get(w, "a carer") for w in change.after_workers)
            message = f"a different carer is coming at {_clock(change.after_start)}: {coming}"
            notices.append(
                ChangeNotice(
                    day=day,
                    plan_run_id=plan_run_id,
                    audience=NoticeAudience.CLIENT,
                    client_id=change.client_id,
                    visit_id=change.visit_id,
                    kind="different_carer",
                    message=message[:400],
                )
            )
    for worker, lines in sorted(per_worker.items()):
        notices.append(
            ChangeNotice(
                day=day,
                plan_run_id=plan_run_id,
                audience=NoticeAudience.WORKER,
                worker_id=worker,
                kind="route_changed",
                message=("your day changed: " + "; ".join(lines))[:400],
            )
        )
    return notices
