"""Coordinators' API: areas, rota, unallocated visits, attendance, planning requests,
changes to visits, and the records of their areas (clients, care plans, workers,
availability, training), plus file import.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel

from api.auth import current_user
from api.contract import Contract, api_route, current_scope
from api.database import get_session
from api.errors import ApiError
from api.schemas import (
    AreaList,
    AreaOut,
    AttendanceOut,
    AvailabilityFields,
    AvailabilityList,
    AvailabilityOut,
    CarePlanFields,
    CarePlanList,
    CarePlanOut,
    CarePlanUpdate,
    ClientFields,
    ClientOut,
    ClientPage,
    ClientUpdate,
    DayQuery,
    DisruptionIn,
    DisruptionRequest,
    ImportQuery,
    ImportReportOut,
    PageQuery,
    PlanDiffOut,
    PlanRequest,
    PlanRunOut,
    RotaOut,
    TrainingFields,
    TrainingList,
    TrainingOut,
    UnallocatedOut,
    VisitOut,
    VisitPatch,
    WorkerFields,
    WorkerOut,
    WorkerPage,
    WorkerUpdate,
)
from scheduler.audit import record
from scheduler.changes import diff_runs, previous_published_run
from scheduler.db.models import Area, PlanRun, Role
from scheduler.db.types import utc_now
from scheduler.disruptions import (
    CancelledVisit,
    Disruption,
    DisruptionRejected,
    UrgentVisit,
    WorkerUnavailable,
    record_disruptions,
)
from scheduler.rota import area_rota
from scheduler.services import records
from scheduler.services.attendance import area_attendance
from scheduler.services.board import unallocated_visits
from scheduler.services.planning import plan_areas, plan_status, request_plan
from scheduler.services.records import RecordRefused
from scheduler.services.routes import london
from scheduler.services.scope import visible_areas
from scheduler.services.visits import (
    UNSET,
    VersionConflict,
    VisitChange,
    VisitChangeRefused,
    change_visit,
    visit_in_scope,
)

blueprint = Blueprint("coordinators", __name__, url_prefix="/api/v1")
READ = (Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
WRITE = (Role.COORDINATOR, Role.ADMIN)


def area_in_scope(area_id: int) -> Area:
    """The area if the caller may see it; 404 otherwise, exactly as if it did not exist."""
    area = get_session().get(Area, area_id)
    if area is None or not current_scope().covers_area(area_id):
        raise ApiError(404, f"no area {area_id}")
    return area


def audit(action: str, entity: str, entity_id: Any, detail: dict[str, Any] | None = None) -> None:
    """Add an audit entry for the signed-in account and commit the request's work."""
    session = get_session()
    record(session, current_user(), action, entity, str(entity_id), detail)
    session.commit()


def refused(error: RecordRefused) -> ApiError:
    """A record rule broken, as the API error naming the field."""
    get_session().rollback()
    return ApiError(error.status, str(error), error.field)


def changes(body: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body sets (explicit nulls on required columns are refused)."""
    data = body.model_dump(exclude_unset=True)
    for name, value in data.items():
        if value is None and name not in ("preferred_start", "valid_until", "date_of_birth"):
            raise ApiError(400, f"{name}: must not be null", name)
    return data


# --------------------------------------------------------------------------- areas and rota


@api_route(
    blueprint,
    "/areas",
    Contract("GET", "The areas I can see", "coordinators", READ, response=AreaList),
)
def list_areas() -> AreaList:
    """The areas in the caller's scope, by code."""
    areas = visible_areas(current_scope(), session=get_session())
    return AreaList(items=[AreaOut.model_validate(a) for a in areas])


@api_route(
    blueprint,
    "/areas/<int:area_id>/rota",
    Contract(
        "GET",
        "Every worker's route in an area on a day",
        "coordinators",
        READ,
        query=DayQuery,
        response=RotaOut,
        scoped="area",
    ),
)
def get_rota(area_id: int, query: DayQuery) -> RotaOut:
    """The published rota of (area, day) and what could not be allocated."""
    area = area_in_scope(area_id)
    body = area_rota(get_session(), area, query.date)
    audit("read", "rota", f"{area_id}:{query.date.isoformat()}")
    return RotaOut.model_validate(body)


@api_route(
    blueprint,
    "/areas/<int:area_id>/unallocated",
    Contract(
        "GET",
        "Visits without a carer on a day, with the reason for each",
        "coordinators",
        READ,
        query=DayQuery,
        response=UnallocatedOut,
        scoped="area",
    ),
)
def get_unallocated(area_id: int, query: DayQuery) -> UnallocatedOut:
    """Unallocated visits of (area, day): the planner's reason, or 'not planned yet'."""
    area_in_scope(area_id)
    body = unallocated_visits(area_id, query.date, session=get_session())
    audit(
        "read",
        "unallocated",
        f"{area_id}:{query.date.isoformat()}",
        {"visits": len(body["visits"])},
    )
    return UnallocatedOut.model_validate(body)


@api_route(
    blueprint,
    "/areas/<int:area_id>/attendance",
    Contract(
        "GET",
        "Check-ins of the day's visits, with late and missed flags",
        "coordinators",
        READ,
        query=DayQuery,
        response=AttendanceOut,
        scoped="area",
    ),
)
def get_attendance(area_id: int, query: DayQuery) -> AttendanceOut:
    """Each carer's published visit of (area, day) with check times and its flag now."""
    area_in_scope(area_id)
    rows = area_attendance(area_id, query.date, session=get_session())
    for row in rows:
        for name in ("planned_start", "planned_end", "checked_in_at", "checked_out_at"):
            if row[name] is not None:
                row[name] = london(row[name])
    audit("read", "attendance", f"{area_id}:{query.date.isoformat()}")
    return AttendanceOut(area_id=area_id, date=query.date, visits=rows)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- planning


@api_route(
    blueprint,
    "/plans",
    Contract(
        "POST",
        "Ask for a day to be planned (runs in the job process)",
        "coordinators",
        WRITE,
        body=PlanRequest,
        response=PlanRunOut,
        status=202,
        location=True,
        errors=(404,),
        description="Answers 202 at once with the pending plan run; poll GET /plans/{id}.",
    ),
)
def post_plan(body: PlanRequest) -> tuple[PlanRunOut, int, dict[str, str]]:
    """Record a pending plan run for the areas (all in scope); planning never runs here."""
    for area_id in body.area_ids:
        area = get_session().get(Area, area_id)
        if area is None or not current_scope().covers_area(area_id):
            raise ApiError(404, f"no area {area_id}", "area_ids")
    session = get_session()
    run = request_plan(body.date, body.area_ids, requested_by=current_user().id, session=session)
    record(
        session,
        current_user(),
        "plan",
        "plan_run",
        str(run.id),
        {"date": body.date.isoformat(), "area_ids": sorted(set(body.area_ids))},
    )
    session.commit()
    out = PlanRunOut.model_validate(plan_status(run, session=session))
    return out, 202, {"Location": f"/api/v1/plans/{run.id}"}


@api_route(
    blueprint,
    "/plans/<int:plan_run_id>",
    Contract(
        "GET",
        "A plan run's status, progress and figures",
        "coordinators",
        READ,
        response=PlanRunOut,
        scoped="plan",
    ),
)
def get_plan(plan_run_id: int) -> PlanRunOut:
    """A plan run, if every area it covers is in the caller's scope."""
    session = get_session()
    run = session.get(PlanRun, plan_run_id)
    scope = current_scope()
    if run is None or not all(
        scope.covers_area(a) for a in plan_areas(plan_run_id, session=session)
    ):
        raise ApiError(404, f"no plan run {plan_run_id}")
    return PlanRunOut.model_validate(plan_status(run, session=session))


@api_route(
    blueprint,
    "/plans/<int:plan_run_id>/diff",
    Contract(
        "GET",
        "What a plan run changes against the published version before it",
        "coordinators",
        READ,
        response=PlanDiffOut,
        scoped="plan",
    ),
)
def get_plan_diff(plan_run_id: int) -> PlanDiffOut:
    """Visits whose carers or start differ from the version this run replaced (or would)."""
    session = get_session()
    run = session.get(PlanRun, plan_run_id)
    areas = plan_areas(plan_run_id, session=session)
    scope = current_scope()
    if run is None or not all(scope.covers_area(a) for a in areas):
        raise ApiError(404, f"no plan run {plan_run_id}")
    before = previous_published_run(session, run)
    changes = diff_runs(session, before, plan_run_id, areas)
    audit("read", "plan_diff", plan_run_id)
    return PlanDiffOut.model_validate(
        {
            "plan_run_id": plan_run_id,
            "compared_with": before,
            "changes": [c.as_dict() for c in changes],
        }
    )


def _disruption(item: DisruptionIn) -> Disruption:
    """The planning core's disruption for one request item; 400 naming a missing field."""

    def need(name: str) -> Any:
        value = getattr(item, name)
        if value is None:
            raise ApiError(400, f"{name} is required for {item.kind}", name)
        return value

    if item.kind == "worker_unavailable":
        return WorkerUnavailable(need("worker_id"), need("starts_at"))
    if item.kind == "urgent_visit":
        return UrgentVisit(
            need("client_id"),
            need("earliest_start"),
            need("latest_start"),
            need("duration_minutes"),
            required_skills=tuple(item.required_skills),
            carers_required=item.carers_required,
            time_critical=item.time_critical,
        )
    return CancelledVisit(need("visit_id"))


@api_route(
    blueprint,
    "/areas/<int:area_id>/disruptions",
    Contract(
        "POST",
        "Report disruptions to an area's day; the rest of the day is re-planned",
        "coordinators",
        WRITE,
        body=DisruptionRequest,
        response=PlanRunOut,
        status=202,
        location=True,
        scoped="area",
        errors=(400, 404),
        description=(
            "Records the disruptions and answers 202 with the re-plan's run at once; the "
            "job process re-plans the rest of the day with the least change and publishes it."
        ),
    ),
)
def post_disruptions(
    area_id: int, body: DisruptionRequest
) -> tuple[PlanRunOut, int, dict[str, str]]:
    """Sickness, an urgent visit or a cancellation: recorded now, re-planned by the job."""
    area_in_scope(area_id)
    disruptions = [_disruption(item) for item in body.disruptions]
    session = get_session()
    try:
        run = record_disruptions(
            session,
            area_id,
            body.date,
            disruptions,
            now=utc_now(),
            requested_by=current_user().id,
        )
    except DisruptionRejected as error:
        session.rollback()
        raise ApiError(400, str(error), error.field) from error
    audit("create", "disruption", run.id, {"kinds": [d.kind for d in body.disruptions]})
    session.commit()
    out = PlanRunOut.model_validate(plan_status(run, session=session))
    return out, 202, {"Location": f"/api/v1/plans/{run.id}"}


# --------------------------------------------------------------------------- visits


def etag(version: int) -> str:
    """The ETag of a visit at ``version``."""
    return f'"v{version}"'


def visit_or_404(visit_id: int) -> Any:
    """A visit in scope, else 404."""
    visit = visit_in_scope(visit_id, current_scope(), session=get_session())
    if visit is None:
        raise ApiError(404, f"no visit {visit_id}")
    return visit


@api_route(
    blueprint,
    "/visits/<int:visit_id>",
    Contract(
        "GET",
        "One visit, with its ETag for changes",
        "coordinators",
        READ,
        response=VisitOut,
        etag=True,
        scoped="visit",
    ),
)
def get_visit(visit_id: int) -> tuple[VisitOut, int, dict[str, str]]:
    """A visit in the caller's areas; the ETag is its version."""
    visit = visit_or_404(visit_id)
    audit("read", "visit", visit_id)
    return VisitOut.model_validate(visit), 200, {"ETag": etag(visit.version)}


@api_route(
    blueprint,
    "/visits/<int:visit_id>",
    Contract(
        "PATCH",
        "Pin to a worker, unpin, or move within the window",
        "coordinators",
        WRITE,
        body=VisitPatch,
        response=VisitOut,
        etag=True,
        if_match=True,
        errors=(412, 428),
        scoped="visit",
        description="Send If-Match with the ETag you read; 412 if someone changed it since.",
    ),
)
def patch_visit(visit_id: int, body: VisitPatch) -> tuple[VisitOut, int, dict[str, str]]:
    """Change a visit with optimistic concurrency (ETag / If-Match)."""
    visit = visit_or_404(visit_id)
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise ApiError(428, "send If-Match with the ETag from GET /visits/{id}", "If-Match")
    given = header.removeprefix("W/").strip().strip('"')
    if not given.startswith("v") or not given[1:].isdigit() or len(given) > 12:
        raise ApiError(412, "If-Match does not match this visit's ETag", "If-Match")
    data = body.model_dump(exclude_unset=True)
    if "preferred_start" in data and data["preferred_start"] is None:
        raise ApiError(400, "preferred_start: must not be null", "preferred_start")
    change = VisitChange(
        pinned_worker_id=data.get("pinned_worker_id", UNSET),
        pinned_second_worker_id=data.get("pinned_second_worker_id", UNSET),
        preferred_start=data.get("preferred_start", UNSET),
    )
    session = get_session()
    try:
        updated = change_visit(visit, int(given[1:]), change, current_scope(), session=session)
    except VersionConflict:
        session.rollback()
        raise ApiError(
            412, "the visit changed since you read it: read it again", "If-Match"
        ) from None
    except VisitChangeRefused as error:
        session.rollback()
        raise ApiError(409 if error.field == "status" else 400, str(error), error.field) from None
    audit("update", "visit", visit_id, {k: str(v) for k, v in data.items()})
    return VisitOut.model_validate(updated), 200, {"ETag": etag(updated.version)}


# --------------------------------------------------------------------------- clients


@api_route(
    blueprint,
    "/areas/<int:area_id>/clients",
    Contract(
        "GET",
        "The clients of an area",
        "records",
        READ,
        query=PageQuery,
        response=ClientPage,
        scoped="area",
    ),
)
def list_clients(area_id: int, query: PageQuery) -> ClientPage:
    """A page of an area's clients, by name."""
    area_in_scope(area_id)
    items, total = records.list_clients(
        area_id, limit=query.limit, offset=query.offset, session=get_session()
    )
    audit("read", "client", f"area:{area_id}", {"count": len(items)})
    return ClientPage(
        items=[ClientOut.model_validate(c) for c in items],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


@api_route(
    blueprint,
    "/areas/<int:area_id>/clients",
    Contract(
        "POST",
        "Add a client to an area",
        "records",
        WRITE,
        body=ClientFields,
        response=ClientOut,
        status=201,
        errors=(409,),
        scoped="area",
    ),
)
def create_client(area_id: int, body: ClientFields) -> tuple[ClientOut, int]:
    """A new client; the NHS number must be valid (Modulus 11) and not already used."""
    area_in_scope(area_id)
    try:
        client = records.create_client(
            {**body.model_dump(), "area_id": area_id}, current_scope(), session=get_session()
        )
    except RecordRefused as error:
        raise refused(error) from None
    audit("create", "client", client.id)
    return ClientOut.model_validate(client), 201


def client_or_404(client_id: int) -> Any:
    """A client in scope, else 404."""
    client = records.client_in_scope(client_id, current_scope(), session=get_session())
    if client is None:
        raise ApiError(404, f"no client {client_id}")
    return client


@api_route(
    blueprint,
    "/clients/<int:client_id>",
    Contract("GET", "One client", "records", READ, response=ClientOut, scoped="client"),
)
def get_client(client_id: int) -> ClientOut:
    """A client in the caller's areas."""
    client = client_or_404(client_id)
    audit("read", "client", client_id)
    return ClientOut.model_validate(client)


@api_route(
    blueprint,
    "/clients/<int:client_id>",
    Contract(
        "PATCH",
        "Change a client",
        "records",
        WRITE,
        body=ClientUpdate,
        response=ClientOut,
        errors=(409,),
        scoped="client",
    ),
)
def patch_client(client_id: int, body: ClientUpdate) -> ClientOut:
    """Change the fields sent; moving a client needs the new area in scope too."""
    client = client_or_404(client_id)
    try:
        client = records.update_client(
            client, changes(body), current_scope(), session=get_session()
        )
    except RecordRefused as error:
        raise refused(error) from None
    audit("update", "client", client_id, {"fields": sorted(body.model_fields_set)})
    return ClientOut.model_validate(client)


# --------------------------------------------------------------------------- care plans


@api_route(
    blueprint,
    "/clients/<int:client_id>/care-plans",
    Contract(
        "GET", "A client's care plans", "records", READ, response=CarePlanList, scoped="client"
    ),
)
def list_care_plans(client_id: int) -> CarePlanList:
    """Every care plan of a client in scope."""
    client_or_404(client_id)
    plans = records.list_care_plans(client_id, session=get_session())
    audit("read", "care_plan", f"client:{client_id}", {"count": len(plans)})
    return CarePlanList(items=[CarePlanOut.model_validate(p) for p in plans])


@api_route(
    blueprint,
    "/clients/<int:client_id>/care-plans",
    Contract(
        "POST",
        "Add a care plan (a recurring visit)",
        "records",
        WRITE,
        body=CarePlanFields,
        response=CarePlanOut,
        status=201,
        errors=(409,),
        scoped="client",
    ),
)
def create_care_plan(client_id: int, body: CarePlanFields) -> tuple[CarePlanOut, int]:
    """A new care plan for a client in scope."""
    client = client_or_404(client_id)
    try:
        plan = records.create_care_plan(client, body.model_dump(), session=get_session())
    except RecordRefused as error:
        raise refused(error) from None
    audit("create", "care_plan", plan.id)
    return CarePlanOut.model_validate(plan), 201


def care_plan_or_404(plan_id: int) -> Any:
    """A care plan in scope, else 404."""
    plan = records.care_plan_in_scope(plan_id, current_scope(), session=get_session())
    if plan is None:
        raise ApiError(404, f"no care plan {plan_id}")
    return plan


@api_route(
    blueprint,
    "/care-plans/<int:plan_id>",
    Contract("GET", "One care plan", "records", READ, response=CarePlanOut, scoped="care_plan"),
)
def get_care_plan(plan_id: int) -> CarePlanOut:
    """A care plan of a client in scope."""
    plan = care_plan_or_404(plan_id)
    audit("read", "care_plan", plan_id)
    return CarePlanOut.model_validate(plan)


@api_route(
    blueprint,
    "/care-plans/<int:plan_id>",
    Contract(
        "PATCH",
        "Change a care plan",
        "records",
        WRITE,
        body=CarePlanUpdate,
        response=CarePlanOut,
        errors=(409,),
        scoped="care_plan",
    ),
)
def patch_care_plan(plan_id: int, body: CarePlanUpdate) -> CarePlanOut:
    """Change the fields sent; the whole plan must still make sense."""
    plan = care_plan_or_404(plan_id)
    try:
        plan = records.update_care_plan(plan, changes(body), session=get_session())
    except RecordRefused as error:
        raise refused(error) from None
    audit("update", "care_plan", plan_id, {"fields": sorted(body.model_fields_set)})
    return CarePlanOut.model_validate(plan)


# --------------------------------------------------------------------------- workers


@api_route(
    blueprint,
    "/areas/<int:area_id>/workers",
    Contract(
        "GET",
        "The workers of an area",
        "records",
        READ,
        query=PageQuery,
        response=WorkerPage,
        scoped="area",
    ),
)
def list_workers(area_id: int, query: PageQuery) -> WorkerPage:
    """A page of an area's workers, by name."""
    area_in_scope(area_id)
    items, total = records.list_workers(
        area_id, limit=query.limit, offset=query.offset, session=get_session()
    )
    audit("read", "worker", f"area:{area_id}", {"count": len(items)})
    return WorkerPage(
        items=[WorkerOut.model_validate(w) for w in items],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


@api_route(
    blueprint,
    "/areas/<int:area_id>/workers",
    Contract(
        "POST",
        "Add a worker to an area",
        "records",
        WRITE,
        body=WorkerFields,
        response=WorkerOut,
        status=201,
        errors=(409,),
        scoped="area",
    ),
)
def create_worker(area_id: int, body: WorkerFields) -> tuple[WorkerOut, int]:
    """A new worker in an area in scope."""
    area_in_scope(area_id)
    data = {**body.model_dump(), "area_id": area_id}
    if data["minimum_minutes_per_week"] > data["contracted_minutes_per_week"]:
        raise ApiError(
            400,
            "minimum_minutes_per_week must not exceed contracted_minutes_per_week",
            "minimum_minutes_per_week",
        )
    try:
        worker = records.create_worker(data, current_scope(), session=get_session())
    except RecordRefused as error:
        raise refused(error) from None
    audit("create", "worker", worker.id)
    return WorkerOut.model_validate(worker), 201


def worker_or_404(worker_id: int) -> Any:
    """A worker in scope, else 404."""
    worker = records.worker_in_scope(worker_id, current_scope(), session=get_session())
    if worker is None:
        raise ApiError(404, f"no worker {worker_id}")
    return worker


@api_route(
    blueprint,
    "/workers/<int:worker_id>",
    Contract("GET", "One worker", "records", READ, response=WorkerOut, scoped="worker"),
)
def get_worker(worker_id: int) -> WorkerOut:
    """A worker in the caller's areas."""
    worker = worker_or_404(worker_id)
    audit("read", "worker", worker_id)
    return WorkerOut.model_validate(worker)


@api_route(
    blueprint,
    "/workers/<int:worker_id>",
    Contract(
        "PATCH",
        "Change a worker",
        "records",
        WRITE,
        body=WorkerUpdate,
        response=WorkerOut,
        errors=(409,),
        scoped="worker",
    ),
)
def patch_worker(worker_id: int, body: WorkerUpdate) -> WorkerOut:
    """Change the fields sent."""
    worker = worker_or_404(worker_id)
    try:
        worker = records.update_worker(
            worker, changes(body), current_scope(), session=get_session()
        )
    except RecordRefused as error:
        raise refused(error) from None
    audit("update", "worker", worker_id, {"fields": sorted(body.model_fields_set)})
    return WorkerOut.model_validate(worker)


@api_route(
    blueprint,
    "/workers/<int:worker_id>/availability",
    Contract(
        "GET",
        "A worker's weekly availability",
        "records",
        READ,
        response=AvailabilityList,
        scoped="worker",
    ),
)
def list_availability(worker_id: int) -> AvailabilityList:
    """The weekly pattern of a worker in scope."""
    worker_or_404(worker_id)
    rows = records.list_availability(worker_id, session=get_session())
    audit("read", "availability", f"worker:{worker_id}")
    return AvailabilityList(items=[AvailabilityOut.model_validate(r) for r in rows])


@api_route(
    blueprint,
    "/workers/<int:worker_id>/availability",
    Contract(
        "POST",
        "Add a working period to a worker's week",
        "records",
        WRITE,
        body=AvailabilityFields,
        response=AvailabilityOut,
        status=201,
        errors=(409,),
        scoped="worker",
    ),
)
def add_availability(worker_id: int, body: AvailabilityFields) -> tuple[AvailabilityOut, int]:
    """One more working period (local times); overlapping periods are refused."""
    worker = worker_or_404(worker_id)
    try:
        row = records.add_availability(worker, body.model_dump(), session=get_session())
    except RecordRefused as error:
        raise refused(error) from None
    audit("create", "availability", row.id)
    return AvailabilityOut.model_validate(row), 201


@api_route(
    blueprint,
    "/availability/<int:pattern_id>",
    Contract(
        "DELETE", "Remove a working period", "records", WRITE, status=204, scoped="availability"
    ),
)
def delete_availability(pattern_id: int) -> Response:
    """Remove one period of a worker in scope."""
    session = get_session()
    row = records.availability_in_scope(pattern_id, current_scope(), session=session)
    if row is None:
        raise ApiError(404, f"no availability {pattern_id}")
    session.delete(row)
    audit("delete", "availability", pattern_id)
    return Response(status=204)


@api_route(
    blueprint,
    "/workers/<int:worker_id>/training",
    Contract(
        "GET",
        "A worker's training records",
        "records",
        READ,
        response=TrainingList,
        scoped="worker",
    ),
)
def list_training(worker_id: int) -> TrainingList:
    """Training records of a worker in scope, newest first."""
    worker_or_404(worker_id)
    rows = records.list_training(worker_id, session=get_session())
    audit("read", "training", f"worker:{worker_id}")
    return TrainingList(items=[TrainingOut.model_validate(r) for r in rows])


@api_route(
    blueprint,
    "/workers/<int:worker_id>/training",
    Contract(
        "POST",
        "Record a completed course",
        "records",
        WRITE,
        body=TrainingFields,
        response=TrainingOut,
        status=201,
        scoped="worker",
    ),
)
def add_training(worker_id: int, body: TrainingFields) -> tuple[TrainingOut, int]:
    """A completed course; the expiry defaults to the course's refresh period."""
    worker = worker_or_404(worker_id)
    try:
        row = records.add_training(worker, body.model_dump(), session=get_session())
    except RecordRefused as error:
        raise refused(error) from None
    audit("create", "training", row.id)
    return TrainingOut.model_validate(row), 201


# --------------------------------------------------------------------------- import


@api_route(
    blueprint,
    "/imports/<kind>",
    Contract(
        "POST",
        "Import one CSV or JSON file of a kind, whole or not at all",
        "records",
        WRITE,
        query=ImportQuery,
        response=ImportReportOut,
        errors=(413, 415, 422),
        body_media=("text/csv", "application/json"),
        description="Kinds: areas, courses, workers, availability, absences, training, "
        "clients, care_plans (coordinators: only the kinds of one area, and only rows of "
        "their areas). Refused files answer 422 listing every row and column at fault.",
    ),
)
def import_kind(kind: str, query: ImportQuery) -> Any:
    """Import the request body as a file of ``kind``, inside the caller's areas."""
    from flask import jsonify

    from scheduler.io import KINDS, ImportRejected
    from scheduler.services.imports import OutsideScope, import_in_scope

    if kind not in KINDS:
        raise ApiError(404, f"no import kind {kind[:40]!r}; kinds: {', '.join(KINDS)}")
    fmt = query.format or {"text/csv": "csv", "application/json": "json"}.get(request.mimetype)
    if fmt is None:
        raise ApiError(415, "send text/csv or application/json (or ?format=csv|json)", "format")
    session = get_session()
    try:
        report = import_in_scope(
            kind, request.get_data(cache=False), fmt, current_scope(), session=session
        )
    except OutsideScope:
        raise ApiError(
            403, "the file reaches beyond your areas: nothing was imported", "file"
        ) from None
    except ImportRejected as rejected:
        session.rollback()
        response = jsonify(
            {
                "status": 422,
                "message": f"nothing was imported: {len(rejected.errors)} problem(s) found",
                "field": "file",
                "errors": [
                    {"row": e.row, "column": e.column, "reason": e.reason, "file": e.file}
                    for e in rejected.errors[:1000]
                ],
            }
        )
        response.status_code = 422
        record(session, current_user(), "import", kind, "", {"rejected": len(rejected.errors)})
        session.commit()
        return response
    audit(
        "import",
        kind,
        "",
        {"rows": report.rows, "created": report.created, "updated": report.updated},
    )
    return ImportReportOut(
        kind=report.kind,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        removed=report.removed,
    )
