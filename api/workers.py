"""Workers' API: my route today, my coming days as a calendar, check-in and check-out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import ValidationError

from api.auth import bearer_token, current_user
from api.contract import Contract, api_route, current_scope
from api.database import get_session
from api.errors import ApiError
from api.route_fast import route_fast
from api.schemas import CalendarQuery, CheckOut, CheckRequest, DayQuery, RouteOut
from scheduler.audit import record
from scheduler.db.models import CheckKind, Role, UserAccount, Worker
from scheduler.db.types import utc_now
from scheduler.services.attendance import CheckInput, CheckRefused, record_check
from scheduler.services.records import worker_in_scope
from scheduler.services.route_cache import CachedRoute, valid_until
from scheduler.services.routes import LONDON, coming_stops, london, mark_seen, worker_route
from scheduler.services.tokens import token_digest

blueprint = Blueprint("workers", __name__, url_prefix="/api/v1")
READERS = (Role.WORKER, Role.COORDINATOR, Role.MANAGER, Role.ADMIN)


def own_worker() -> Worker:
    """The worker record of the signed-in worker (404 if the account has none)."""
    worker: Worker | None = g.get("worker")
    if worker is None or worker.id != current_scope().worker_id:
        raise ApiError(404, "this account has no worker record")
    return worker


def read_route(worker: Worker, query: DayQuery, *, own: bool) -> dict[str, Any]:
    """The worker's route, audited; a worker's own look is remembered for 'what changed'."""
    session = get_session()
    route = worker_route(worker, query.date, session=session)
    if own:
        mark_seen(
            worker.id or 0,
            query.date,
            route["stops"],
            session=session,
            previous=route["seen_stops"],
        )
    record(
        session,
        current_user(),
        "read",
        "route",
        f"{worker.id}:{query.date.isoformat()}",
        {"stops": len(route["stops"])},
    )
    session.commit()
    return route


def my_route_from_cache() -> Response | None:
    """``GET /me/route`` on PostgreSQL: one statement checks the token and reads the
    route's version; a route already rendered for that version is served as it is.

    Answers exactly as the standard path does (401, 403, 404, the same JSON), and
    audits every read; returns None (the standard path answers) on SQLite, without
    a bearer token, or for a query the standard path must refuse with a 400.
    """
    fast = route_fast()
    token = bearer_token() if fast is not None else None
    if fast is None or token is None:
        return None
    try:
        query = DayQuery.model_validate(request.args.to_dict(flat=True))
    except ValidationError:
        return None
    now = utc_now()
    found = fast.lookup(token_digest(token), query.date, now)
    if found is None:
        raise ApiError(401, "sign in: a valid bearer token is required")
    if found.role != Role.WORKER.value:
        raise ApiError(403, "your role does not allow this")
    if found.worker_id is None or found.version is None:
        raise ApiError(404, "this account has no worker record")
    key = (found.worker_id, query.date, found.version)
    cached = fast.cache.get(key, now)
    if cached is not None:
        fast.audit.add(
            found.user_id,
            found.username,
            "route",
            f"{found.worker_id}:{query.date.isoformat()}",
            {"stops": cached.stops},
        )
        return Response(cached.body, mimetype="application/json")
    session = get_session()
    user = session.get(UserAccount, found.user_id)
    worker = session.get(Worker, found.worker_id)
    if user is None or worker is None:  # deleted since the statement: as the standard path
        raise ApiError(404, "this account has no worker record")
    g.user = user
    g.worker = worker
    route = read_route(worker, query, own=True)  # audited in its own transaction
    body = RouteOut.model_validate(route).model_dump_json(by_alias=True).encode()
    fast.cache.put(key, CachedRoute(body, len(route["stops"]), valid_until(route["stops"], now)))
    return Response(body, mimetype="application/json")


@api_route(
    blueprint,
    "/me/route",
    Contract(
        "GET",
        "My route on a day: ordered stops with all I need at each door",
        "workers",
        (Role.WORKER,),
        query=DayQuery,
        response=RouteOut,
        shortcut=my_route_from_cache,
    ),
)
def my_route(query: DayQuery) -> RouteOut:
    """The signed-in worker's published stops on ``date``, with what changed since they looked."""
    return RouteOut.model_validate(read_route(own_worker(), query, own=True))


@api_route(
    blueprint,
    "/workers/<int:worker_id>/route",
    Contract(
        "GET",
        "A worker's route on a day",
        "workers",
        READERS,
        query=DayQuery,
        response=RouteOut,
        scoped="worker",
    ),
)
def worker_route_view(worker_id: int, query: DayQuery) -> RouteOut:
    """A worker's published stops (a worker may read only their own)."""
    worker = worker_in_scope(worker_id, current_scope(), session=get_session())
    if worker is None:
        raise ApiError(404, f"no worker {worker_id}")
    return RouteOut.model_validate(read_route(worker, query, own=False))


def _ics_text(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


@api_route(
    blueprint,
    "/me/route.ics",
    Contract(
        "GET",
        "My coming days as an iCalendar feed",
        "workers",
        (Role.WORKER,),
        query=CalendarQuery,
        media=("text/calendar",),
    ),
)
def my_calendar(query: CalendarQuery) -> Response:
    """The signed-in worker's published visits from today for ``days`` days (iCalendar)."""
    from icalendar import Calendar, Event

    worker = own_worker()
    session = get_session()
    today = datetime.now(LONDON).date()
    stops = coming_stops(worker, today, days=query.days, session=session)
    calendar = Calendar()
    calendar.add("prodid", "-//NHS homecare rota//route//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Visits: {worker.name}")
    calendar.add("x-wr-timezone", "Europe/London")
    for stop in stops:
        event = Event()
        event.add("uid", f"visit-{stop['visit_id']}-worker-{worker.id}@homecare-rota")
        event.add("dtstamp", datetime.now(LONDON))
        event.add("dtstart", stop["start"])
        event.add("dtend", stop["end"])
        event.add("summary", _ics_text(f"Visit: {stop['client_name']}"))
        event.add("location", _ics_text(stop["address"]))
        event.add("geo", (stop["latitude"], stop["longitude"]))
        notes = [
            f"Tasks: {stop['tasks']}" if stop["tasks"] else "",
            f"Access: {stop['access_notes']}" if stop["access_notes"] else "",
            f"Status: {stop['status']}",
        ]
        event.add("description", _ics_text(" | ".join(n for n in notes if n)))
        calendar.add_component(event)
    record(
        session,
        current_user(),
        "read",
        "route_calendar",
        str(worker.id),
        {"from": today.isoformat(), "days": query.days, "stops": len(stops)},
    )
    session.commit()
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="route.ics"'},
    )


def check(visit_id: int, kind: CheckKind, body: CheckRequest) -> tuple[CheckOut, int]:
    """Record the check, audit it, and answer 201 (404 when the visit is not on my route)."""
    worker = own_worker()
    session = get_session()
    try:
        made = record_check(
            worker.id or 0,
            visit_id,
            kind,
            CheckInput(body.at, body.latitude, body.longitude, body.accuracy_metres),
            session=session,
        )
    except LookupError:
        session.rollback()
        raise ApiError(404, f"no visit {visit_id} on your route") from None
    except CheckRefused as refused:
        session.rollback()
        raise ApiError(409 if refused.conflict else 400, str(refused), refused.field) from None
    record(
        session,
        current_user(),
        "create",
        kind.value,
        str(visit_id),
        {"at": made.at.isoformat(), "located": made.latitude is not None},
    )
    session.commit()
    status = "checked_in" if kind == CheckKind.CHECK_IN else "checked_out"
    return CheckOut(visit_id=visit_id, kind=kind.value, at=london(made.at), status=status), 201


CHECK_CONTRACT: dict[str, Any] = dict(
    tag="workers",
    roles=(Role.WORKER,),
    body=CheckRequest,
    response=CheckOut,
    status=201,
    errors=(409,),
    scoped="own-visit",
)


@api_route(
    blueprint,
    "/me/visits/<int:visit_id>/check-in",
    Contract("POST", "Check in at one of my visits (time and location)", **CHECK_CONTRACT),
)
def check_in(visit_id: int, body: CheckRequest) -> tuple[CheckOut, int]:
    """Check in at a visit on my published route."""
    return check(visit_id, CheckKind.CHECK_IN, body)


@api_route(
    blueprint,
    "/me/visits/<int:visit_id>/check-out",
    Contract("POST", "Check out of one of my visits (time and location)", **CHECK_CONTRACT),
)
def check_out(visit_id: int, body: CheckRequest) -> tuple[CheckOut, int]:
    """Check out of a visit I checked in at."""
    return check(visit_id, CheckKind.CHECK_OUT, body)
