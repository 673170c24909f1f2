"""A worker's own route: the published stops of a day, what changed since they last
looked, and the coming days for a calendar feed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from scheduler.db.models import (
    Assignment,
    CheckKind,
    Client,
    PublishedRota,
    RouteSeen,
    Visit,
    VisitStatus,
    Worker,
)
from scheduler.db.types import utc_now
from scheduler.services.attendance import checks_by_visit, flag
from scheduler.visits import LONDON

CALENDAR_DAYS = 14


def london(instant: datetime) -> datetime:
    """An instant in Europe/London time (the offset shows in ISO 8601)."""
    return instant.astimezone(LONDON)


def navigation_links(latitude: float, longitude: float) -> dict[str, str]:
    """A ``geo:`` URI (phones offer their maps app) and a web maps URL for a location."""
    where = f"{latitude:.6f},{longitude:.6f}"
    return {
        "geo_uri": f"geo:{where}?q={quote(where)}",
        "maps_url": f"https://www.google.com/maps/dir/?api=1&destination={quote(where)}",
    }


def _stops(
    worker_ids: list[int], first_day: date, last_day: date, *, session: Session, now: datetime
) -> list[tuple[Assignment, Visit, Client, PublishedRota]]:
    """Published assignments of these workers on these days, by worker then start."""
    return [
        (a, v, c, p)
        for a, v, c, p in session.exec(
            select(Assignment, Visit, Client, PublishedRota)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .join(Client, col(Client.id) == Visit.client_id)
            .join(
                PublishedRota,
                (col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
                & (col(PublishedRota.area_id) == Visit.area_id)
                & (col(PublishedRota.day) == Visit.day),
            )
            .where(col(Assignment.worker_id).in_(worker_ids))
            .where(Visit.day >= first_day, Visit.day <= last_day)
            .order_by(col(Visit.day), col(Assignment.start), col(Assignment.sequence))
        ).all()
    ]


_STOP_COLUMNS = (
    col(Assignment.visit_id),
    col(Assignment.start),
    col(Assignment.end),
    col(Assignment.travel_seconds),
    col(Visit.earliest_start),
    col(Visit.latest_start),
    col(Visit.duration_minutes),
    col(Visit.tasks),
    col(Visit.required_skills),
    col(Visit.carers_required),
    col(Visit.time_critical),
    col(Visit.status),
    col(Client.id),
    col(Client.name),
    col(Client.address),
    col(Client.postcode),
    col(Client.latitude),
    col(Client.longitude),
    col(Client.access_notes),
    col(PublishedRota.plan_run_id),
    col(PublishedRota.published_at),
)


def _published_join() -> Any:
    """Assignments that belong to the published rota of their visit's (area, day)."""
    return (
        (col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
        & (col(PublishedRota.area_id) == Visit.area_id)
        & (col(PublishedRota.day) == Visit.day)
    )


# Built once: the busiest read of the service should not rebuild its SQL on every call.
_ROUTE_QUERY = (
    sa.select(*_STOP_COLUMNS)
    .select_from(Assignment)
    .join(Visit, col(Visit.id) == Assignment.visit_id)
    .join(Client, col(Client.id) == Visit.client_id)
    .join(PublishedRota, _published_join())
    .where(
        col(Assignment.worker_id) == sa.bindparam("worker_id"),
        col(Visit.day) == sa.bindparam("day"),
    )
    .order_by(col(Assignment.start), col(Assignment.sequence))
)
_PARTNERS_QUERY = (
    sa.select(col(Assignment.visit_id), col(Worker.id), col(Worker.name))
    .select_from(Assignment)
    .join(Worker, col(Worker.id) == Assignment.worker_id)
    .join(Visit, col(Visit.id) == Assignment.visit_id)
    .join(PublishedRota, _published_join())
    .where(
        col(Assignment.visit_id).in_(sa.bindparam("visit_ids", expanding=True)),
        col(Assignment.worker_id) != sa.bindparam("worker_id"),
    )
    .order_by(col(Worker.name))
)
_SEEN_QUERY = sa.select(col(RouteSeen.seen_at), col(RouteSeen.stops)).where(
    col(RouteSeen.worker_id) == sa.bindparam("worker_id"),
    col(RouteSeen.day) == sa.bindparam("day"),
)


def worker_route(
    worker: Worker, day: date, *, session: Session, now: datetime | None = None
) -> dict[str, Any]:
    """The worker's published stops on ``day``, in order, with all a carer needs at the door.

    Each stop has the planned start and end, travel from the previous stop, the
    client's name, address, location and access notes, navigation links, the
    tasks and skills the visit needs, the other carer on a double-handed visit,
    the visit's status, check times and late/missed flag. ``changes`` compares
    with what the worker last saw (see :func:`mark_seen`).

    Read with one query (plus one for partners when a visit is double-handed,
    one for checks once any visit has started, and one for what was last seen):
    this is the busiest read of the service.
    """
    now = now or utc_now()
    rows = session.execute(_ROUTE_QUERY, {"worker_id": worker.id, "day": day}).all()
    partners: dict[int, list[dict[str, Any]]] = defaultdict(list)
    doubles = [row[0] for row in rows if row[9] > 1]
    if doubles:
        for visit_id, other_id, other_name in session.execute(
            _PARTNERS_QUERY, {"visit_ids": doubles, "worker_id": worker.id}
        ).all():
            partners[visit_id].append({"worker_id": other_id, "name": other_name})
    started = [row[0] for row in rows if row[11] != VisitStatus.SCHEDULED]
    checks = checks_by_visit(started, session=session) if started else {}
    stops: list[dict[str, Any]] = []
    published_at: datetime | None = None
    plan_run_ids = set()
    for (
        visit_id,
        start,
        end,
        travel_seconds,
        earliest,
        latest,
        duration,
        tasks,
        skills,
        carers,
        time_critical,
        status,
        client_id,
        client_name,
        address,
        postcode,
        latitude,
        longitude,
        access_notes,
        plan_run_id,
        pointer_published_at,
    ) in rows:
        plan_run_ids.add(plan_run_id)
        published_at = max(published_at or pointer_published_at, pointer_published_at)
        mine = checks.get((visit_id, worker.id or 0), {})
        checked_in = mine.get(CheckKind.CHECK_IN)
        checked_out = mine.get(CheckKind.CHECK_OUT)
        stops.append(
            {
                "visit_id": visit_id,
                "sequence": len(stops) + 1,
                "start": london(start),
                "end": london(end),
                "travel_minutes": round(travel_seconds / 60, 1),
                "window_start": london(earliest),
                "window_end": london(latest),
                "duration_minutes": duration,
                "client": {
                    "id": client_id,
                    "name": client_name,
                    "address": address,
                    "postcode": postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                    "access_notes": access_notes,
                },
                "navigation": navigation_links(latitude, longitude),
                "tasks": tasks,
                "required_skills": list(skills),
                "carers_required": carers,
                "other_carers": partners.get(visit_id, []),
                "time_critical": time_critical,
                "status": VisitStatus(status).value,
                "checked_in_at": london(checked_in.at) if checked_in else None,
                "checked_out_at": london(checked_out.at) if checked_out else None,
                "flag": flag(start, end, checked_in.at if checked_in else None, status, now),
            }
        )
    seen = session.execute(_SEEN_QUERY, {"worker_id": worker.id, "day": day}).first()
    return {
        "worker": {"id": worker.id, "ref": worker.ref, "name": worker.name},
        "date": day,
        "published_at": london(published_at) if published_at else None,
        "plan_run_ids": sorted(plan_run_ids),
        "stops": stops,
        "last_seen_at": london(seen[0]) if seen else None,
        "changes": route_changes(seen[1] if seen else None, stops),
        "seen_stops": seen[1] if seen else None,
    }


def _snapshot(stops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "visit_id": s["visit_id"],
            "client_name": s["client"]["name"],
            "start": s["start"].isoformat(),
            "end": s["end"].isoformat(),
        }
        for s in stops
    ]


def route_changes(
    seen: list[dict[str, Any]] | None, stops: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What differs between the stops last seen and now: added, removed or moved visits.

    Nothing is reported the first time a worker looks at a day.
    """
    if seen is None:
        return []
    before = {s["visit_id"]: s for s in seen}
    now = {s["visit_id"]: s for s in _snapshot(stops)}
    changes: list[dict[str, Any]] = []
    for visit_id, stop in now.items():
        old = before.get(visit_id)
        if old is None:
            changes.append(
                {
                    "kind": "added",
                    "visit_id": visit_id,
                    "client_name": stop["client_name"],
                    "previous_start": None,
                    "start": datetime.fromisoformat(stop["start"]),
                }
            )
        elif old["start"] != stop["start"]:
            changes.append(
                {
                    "kind": "moved",
                    "visit_id": visit_id,
                    "client_name": stop["client_name"],
                    "previous_start": datetime.fromisoformat(old["start"]),
                    "start": datetime.fromisoformat(stop["start"]),
                }
            )
    for visit_id, old in before.items():
        if visit_id not in now:
            changes.append(
                {
                    "kind": "removed",
                    "visit_id": visit_id,
                    "client_name": old["client_name"],
                    "previous_start": datetime.fromisoformat(old["start"]),
                    "start": None,
                }
            )
    return changes


def mark_seen(
    worker_id: int,
    day: date,
    stops: list[dict[str, Any]],
    *,
    session: Session,
    previous: list[dict[str, Any]] | None = None,
) -> None:
    """Remember the stops the worker has just been shown (the caller commits).

    ``previous`` is what :func:`worker_route` found as last seen (its
    ``seen_stops``): nothing is written when the route has not changed since.
    Two first looks at once do not clash (an upsert).
    """
    snapshot = _snapshot(stops)
    if previous is not None and previous == snapshot:
        return
    values = {"worker_id": worker_id, "day": day, "stops": snapshot, "seen_at": utc_now()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RouteSeen).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["worker_id", "day"],
            set_={"stops": statement.excluded.stops, "seen_at": statement.excluded.seen_at},
        )
    )


def coming_stops(
    worker: Worker, first_day: date, *, days: int = CALENDAR_DAYS, session: Session
) -> list[dict[str, Any]]:
    """The worker's published stops from ``first_day`` for ``days`` days, for a calendar."""
    rows = _stops(
        [worker.id or 0],
        first_day,
        first_day + timedelta(days=days - 1),
        session=session,
        now=utc_now(),
    )
    return [
        {
            "visit_id": visit.id,
            "day": visit.day,
            "start": assignment.start,
            "end": assignment.end,
            "client_name": client.name,
            "address": f"{client.address}, {client.postcode}",
            "latitude": client.latitude,
            "longitude": client.longitude,
            "tasks": visit.tasks,
            "access_notes": client.access_notes,
            "status": visit.status.value,
        }
        for assignment, visit, client, _ in rows
    ]
