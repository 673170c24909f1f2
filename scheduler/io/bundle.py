"""The neutral export of a published day: everything needed to check the rota without our code.

:func:`day_bundle` reads the published rota of one date (every area whose rota
of that date is published, or the areas asked for) and returns it as plain
JSON-ready data: the workers on duty (shifts, skills valid that day, home,
transport mode and speed), the visits, the travel-time function's parameters,
and the assignments with the travel from the previous stop. The schema is
``docs/bundle.schema.json``, described in ``docs/bundle.md``.

Instants are ISO 8601 in Europe/London time with their UTC offset; durations
are whole minutes (``*_minutes``) or seconds (``*_seconds``); places are WGS84
decimal degrees; speeds km/h. Shifts, skills, homes and client locations are
read as the database holds them at export time. No names, NHS numbers or
addresses are written, but homes and clients' locations are personal data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from scheduler.build import worker_shifts
from scheduler.db.models import (
    Assignment,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    PlanRun,
    PublishedRota,
    UnallocatedVisit,
    Visit,
    Worker,
)
from scheduler.parameters import Parameters
from scheduler.rota import local_iso
from scheduler.skills import valid_skills
from scheduler.travel import EARTH_RADIUS_METRES, OsrmTableTravel, TravelModel
from scheduler.visits import day_origin

BUNDLE_FORMAT = "homecare-day-bundle"
BUNDLE_VERSION = 1
TRAVEL_FORMULA = (
    "0 if both places are identical, else "
    "ceil(haversine_metres(a, b) * road_factor / (speed_kmh / 3.6)) + overhead_seconds, "
    "where haversine_metres = 2 * earth_radius_metres * asin(min(1, sqrt(h))), "
    "h = sin(dlat / 2)^2 + cos(lat1) * cos(lat2) * sin(dlon / 2)^2, angles in radians, "
    "evaluated in IEEE 754 double precision in this order"
)


class NoPublishedRota(LookupError):
    """The date (in the areas asked for) has no published rota to export."""


def _place(latitude: float, longitude: float) -> dict[str, float]:
    return {"latitude": latitude, "longitude": longitude}


def travel_parameters(travel: TravelModel) -> dict[str, Any]:
    """The parameters of the haversine travel function, per transport mode."""
    if isinstance(travel, OsrmTableTravel):
        raise ValueError("travel times from a routing service cannot be exported as parameters")
    return {
        "function": "haversine_road_factor",
        "formula": TRAVEL_FORMULA,
        "earth_radius_metres": EARTH_RADIUS_METRES,
        "modes": {
            mode: {
                "speed_kmh": travel.speeds_kmh[mode],
                "road_factor": travel.road_factors[mode],
                "overhead_seconds": travel.overhead_seconds[mode],
            }
            for mode in travel.modes
        },
    }


def day_bundle(
    session: Session,
    day: date,
    area_ids: Collection[int] | None = None,
    *,
    travel: TravelModel | None = None,
    params: Parameters | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The published rota of ``day`` as a self-contained bundle (see the module docstring).

    ``area_ids`` limits it to those areas (None: every area published that day).
    ``travel`` and ``params`` are the travel model and rules the planner used
    (defaults: the pipeline's). Raises :class:`NoPublishedRota` when nothing is
    published for ``day`` in those areas.
    """
    travel = travel or TravelModel()
    params = params or Parameters()
    query = select(PublishedRota).where(PublishedRota.day == day)
    if area_ids is not None:
        query = query.where(col(PublishedRota.area_id).in_(list(area_ids)))
    pointers = session.exec(query.order_by(col(PublishedRota.area_id))).all()
    if not pointers:
        scope = "" if area_ids is None else f" in area(s) {', '.join(map(str, sorted(area_ids)))}"
        raise NoPublishedRota(f"no published rota for {day.isoformat()}{scope}")
    run_of_area = {p.area_id: p.plan_run_id for p in pointers}
    assignments = [
        a
        for a, area_id in session.exec(
            select(Assignment, Visit.area_id)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .where(col(Assignment.plan_run_id).in_(set(run_of_area.values())))
            .order_by(col(Assignment.worker_id), col(Assignment.sequence))
        ).all()
        if run_of_area.get(area_id) == a.plan_run_id
    ]
    unallocated = [
        u
        for u, area_id in session.exec(
            select(UnallocatedVisit, Visit.area_id)
            .join(Visit, col(Visit.id) == UnallocatedVisit.visit_id)
            .where(col(UnallocatedVisit.plan_run_id).in_(set(run_of_area.values())))
            .order_by(col(UnallocatedVisit.visit_id))
        ).all()
        if run_of_area.get(area_id) == u.plan_run_id
    ]
    origin = day_origin(day)

    def at(seconds: int) -> str:
        return local_iso(origin + timedelta(seconds=seconds))

    visit_ids = {a.visit_id for a in assignments} | {u.visit_id for u in unallocated}
    visits = session.exec(
        select(Visit, Client)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(col(Visit.id).in_(visit_ids))
        .order_by(col(Visit.id))
    ).all()
    declined: dict[int, set[int]] = defaultdict(set)
    for pref in session.exec(
        select(ClientCarerPreference)
        .where(col(ClientCarerPreference.client_id).in_({c.id for _, c in visits}))
        .where(ClientCarerPreference.kind == CarerPreferenceKind.DECLINED)
    ).all():
        declined[pref.client_id].add(pref.worker_id)
    assigned_workers = {a.worker_id for a in assignments}
    candidates = session.exec(
        select(Worker)
        .where(
            (col(Worker.id).in_(assigned_workers))
            | (
                col(Worker.area_id).in_(list(run_of_area))
                & col(Worker.active).is_(True)
                & (col(Worker.start_date) <= day)
            )
        )
        .order_by(col(Worker.id))
    ).all()
    shifts = worker_shifts(session, list(candidates), day)
    workers = [w for w in candidates if shifts.get(w.id or 0) or w.id in assigned_workers]
    skills = valid_skills(session, [w.id or 0 for w in workers], day)
    runs = {
        r.id: r
        for r in session.exec(select(PlanRun).where(col(PlanRun.id).in_(set(run_of_area.values()))))
    }
    return {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "date": day.isoformat(),
        "timezone": "Europe/London",
        "generated_at": local_iso(generated_at or datetime.now(origin.tzinfo)),
        "published": [
            {
                "area_id": p.area_id,
                "plan_run_id": p.plan_run_id,
                "published_at": local_iso(p.published_at),
                "plan_run_status": runs[p.plan_run_id].status.value,
            }
            for p in pointers
        ],
        "travel": travel_parameters(travel),
        "rules": {
            "time_critical_tolerance_seconds": params.time_critical_tolerance_seconds,
            "double_handed_sync_tolerance_seconds": params.double_handed_sync_tolerance_seconds,
        },
        "workers": [
            {
                "id": w.id,
                "ref": w.ref,
                "area_id": w.area_id,
                "home": _place(w.home_latitude, w.home_longitude),
                "transport_mode": w.transport_mode.value,
                "speed_kmh": travel.speeds_kmh[w.transport_mode.value],
                "shifts": [
                    {"start": at(s.start), "end": at(s.end)} for s in shifts.get(w.id or 0, ())
                ],
                "skills": sorted(skills.get(w.id or 0, ())),
            }
            for w in workers
        ],
        "visits": [
            {
                "id": v.id,
                "client_id": c.id,
                "area_id": v.area_id,
                "location": _place(c.latitude, c.longitude),
                "earliest_start": local_iso(v.earliest_start),
                "latest_start": local_iso(v.latest_start),
                "preferred_start": local_iso(v.preferred_start),
                "duration_minutes": v.duration_minutes,
                "required_skills": sorted(v.required_skills),
                "carers_required": v.carers_required,
                "declined_worker_ids": sorted(declined[c.id or 0]),
                "time_critical": v.time_critical,
                "status": v.status.value,
            }
            for v, c in visits
        ],
        "assignments": [
            {
                "visit_id": a.visit_id,
                "worker_id": a.worker_id,
                "sequence": a.sequence,
                "start": local_iso(a.start),
                "end": local_iso(a.end),
                "travel_seconds": a.travel_seconds,
            }
            for a in assignments
        ],
        "unallocated": [
            {"visit_id": u.visit_id, "reason_code": u.reason_code, "reason": u.reason}
            for u in unallocated
        ],
    }
