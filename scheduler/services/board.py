"""Coordinators' view of a day: what is unallocated and why, and the rota board.

A visit of the day is unallocated when the published plan could not place it
(the planner's reason is given) or when no published plan covers it yet (it was
added after planning, or the day has not been planned).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.db.models import (
    Assignment,
    Client,
    PublishedRota,
    UnallocatedVisit,
    Visit,
    VisitStatus,
    Worker,
)
from scheduler.db.types import utc_now
from scheduler.services.attendance import area_attendance
from scheduler.services.routes import london

NOT_PLANNED = "not_planned"


def unallocated_visits(area_id: int, day: date, *, session: Session) -> dict[str, Any]:
    """Every visit of (area, day) without a carer in the published rota, with the reason."""
    pointer = session.get(PublishedRota, (area_id, day))
    reasons: dict[int, tuple[str, str]] = {}
    placed: set[int] = set()
    if pointer is not None:
        for row in session.exec(
            select(UnallocatedVisit).where(UnallocatedVisit.plan_run_id == pointer.plan_run_id)
        ):
            reasons[row.visit_id] = (row.reason_code, row.reason)
        placed = set(
            session.exec(
                select(Assignment.visit_id).where(Assignment.plan_run_id == pointer.plan_run_id)
            )
        )
    rows = session.exec(
        select(Visit, Client)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(Visit.area_id == area_id, Visit.day == day, Visit.status != VisitStatus.CANCELLED)
        .order_by(col(Visit.earliest_start), col(Visit.id))
    ).all()
    visits = []
    for visit, client in rows:
        if visit.id in placed and visit.id not in reasons:
            continue
        code, reason = reasons.get(
            visit.id or 0,
            (NOT_PLANNED, "no published plan covers this visit yet: plan the day again"),
        )
        visits.append(
            {
                "visit_id": visit.id,
                "client_id": client.id,
                "client_name": client.name,
                "window_start": london(visit.earliest_start),
                "window_end": london(visit.latest_start),
                "duration_minutes": visit.duration_minutes,
                "required_skills": list(visit.required_skills),
                "carers_required": visit.carers_required,
                "reason_code": code,
                "reason": reason,
            }
        )
    return {
        "area_id": area_id,
        "date": day,
        "plan_run_id": pointer.plan_run_id if pointer else None,
        "visits": visits,
    }


def board(
    area_id: int, day: date, *, session: Session, now: datetime | None = None
) -> dict[str, Any]:
    """The rota board: each worker of the area as a row of visits along the day,
    with late and missed visits flagged, and the unallocated visits beside.
    """
    now = now or utc_now()
    attendance = area_attendance(area_id, day, session=session, now=now)
    clients = {
        v.id: c.name
        for v, c in session.exec(
            select(Visit, Client)
            .join(Client, col(Client.id) == Visit.client_id)
            .where(Visit.area_id == area_id, Visit.day == day)
        )
    }
    rows: dict[int, dict[str, Any]] = {}
    for worker in session.exec(
        select(Worker)
        .where(Worker.area_id == area_id, col(Worker.active).is_(True))
        .order_by(col(Worker.name))
    ):
        rows[worker.id or 0] = {"worker_id": worker.id, "name": worker.name, "visits": []}
    for item in attendance:
        row = rows.setdefault(
            item["worker_id"],
            {"worker_id": item["worker_id"], "name": item["worker_name"], "visits": []},
        )
        start, end = london(item["planned_start"]), london(item["planned_end"])
        row["visits"].append(
            {
                **item,
                "client_name": clients.get(item["visit_id"], ""),
                "start": start,
                "end": end,
                "start_minute": start.hour * 60 + start.minute,
                "end_minute": end.hour * 60
                + end.minute
                + (1440 if end.date() > start.date() else 0),
            }
        )
    starts = [v["start_minute"] for r in rows.values() for v in r["visits"]]
    ends = [v["end_minute"] for r in rows.values() for v in r["visits"]]
    first_hour = min([*starts, 7 * 60]) // 60
    last_hour = -(-max([*ends, 22 * 60]) // 60)
    late = sum(1 for a in attendance if a["flag"] == "late")
    missed = sum(1 for a in attendance if a["flag"] == "missed")
    return {
        "area_id": area_id,
        "date": day,
        "rows": list(rows.values()),
        "unallocated": unallocated_visits(area_id, day, session=session)["visits"],
        "first_hour": first_hour,
        "last_hour": min(last_hour, 24),
        "late": late,
        "missed": missed,
        "now": london(now),
    }
