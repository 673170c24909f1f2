"""Read the published rota of an area and day, as plain dictionaries for the API."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.db.models import (
    Area,
    Assignment,
    Client,
    PlanRun,
    PublishedRota,
    UnallocatedVisit,
    Visit,
    Worker,
)
from scheduler.visits import LONDON


def local_iso(instant: datetime) -> str:
    """An instant as ISO 8601 in Europe/London time, with its offset."""
    return instant.astimezone(LONDON).isoformat()


def published_run(session: Session, area_id: int, day: date) -> PlanRun | None:
    """The plan run published for (area, day), or None."""
    pointer = session.get(PublishedRota, (area_id, day))
    return session.get(PlanRun, pointer.plan_run_id) if pointer else None


def area_rota(session: Session, area: Area, day: date) -> dict[str, Any]:
    """Every worker's route in ``area`` on ``day`` from the published plan, and what
    could not be allocated with the reason. Empty lists when nothing is published.
    """
    run = published_run(session, area.id or 0, day)
    body: dict[str, Any] = {
        "area": {"id": area.id, "code": area.code, "name": area.name},
        "date": day.isoformat(),
        "plan_run_id": run.id if run else None,
        "published_at": local_iso(run.published_at) if run and run.published_at else None,
        "workers": [],
        "unallocated": [],
    }
    if run is None:
        return body
    rows = session.exec(
        select(Assignment, Visit, Client, Worker)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .join(Client, col(Client.id) == Visit.client_id)
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .where(Assignment.plan_run_id == run.id, Visit.area_id == area.id)
        .order_by(col(Assignment.worker_id), col(Assignment.sequence))
    ).all()
    carers: dict[int, list[int]] = defaultdict(list)
    for assignment, visit, _, _ in rows:
        carers[visit.id or 0].append(assignment.worker_id)
    routes: dict[int, dict[str, Any]] = {}
    for assignment, visit, client, worker in rows:
        route = routes.setdefault(
            worker.id or 0,
            {"worker_id": worker.id, "worker_ref": worker.ref, "name": worker.name, "stops": []},
        )
        route["stops"].append(
            {
                "visit_id": visit.id,
                "sequence": assignment.sequence,
                "start": local_iso(assignment.start),
                "end": local_iso(assignment.end),
                "travel_minutes": round(assignment.travel_seconds / 60, 1),
                "client_id": client.id,
                "client_name": client.name,
                "postcode": client.postcode,
                "window": [local_iso(visit.earliest_start), local_iso(visit.latest_start)],
                "required_skills": visit.required_skills,
                "carers_required": visit.carers_required,
                "other_carers": [w for w in carers[visit.id or 0] if w != worker.id],
                "time_critical": visit.time_critical,
                "status": visit.status.value,
            }
        )
    body["workers"] = list(routes.values())
    dropped = session.exec(
        select(UnallocatedVisit, Visit, Client)
        .join(Visit, col(Visit.id) == UnallocatedVisit.visit_id)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(UnallocatedVisit.plan_run_id == run.id, Visit.area_id == area.id)
        .order_by(col(Visit.earliest_start))
    ).all()
    body["unallocated"] = [
        {
            "visit_id": visit.id,
            "client_id": client.id,
            "client_name": client.name,
            "window": [local_iso(visit.earliest_start), local_iso(visit.latest_start)],
            "duration_minutes": visit.duration_minutes,
            "required_skills": visit.required_skills,
            "carers_required": visit.carers_required,
            "reason_code": unallocated.reason_code,
            "reason": unallocated.reason,
        }
        for unallocated, visit, client in dropped
    ]
    return body
