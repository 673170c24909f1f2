"""Create, change and list the records coordinators keep: clients, care plans, workers,
weekly availability and training, always inside the caller's areas.

Input arrives already typed (the API validates shapes); these functions check the
rules that need the database — unique NHS numbers and references, skills and
courses that exist, areas in scope — and raise :class:`RecordRefused` naming the
field. Nothing is committed here.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from scheduler.db.models import (
    Area,
    AvailabilityPattern,
    CarePlan,
    Client,
    Skill,
    TrainingCourse,
    TrainingRecord,
    Worker,
)
from scheduler.nhs_number import InvalidNHSNumber, normalise_nhs_number
from scheduler.services.scope import Scope

T = TypeVar("T", bound=SQLModel)


class RecordRefused(ValueError):
    """A record breaks a rule: ``status`` 400 (bad value), 404 (unknown reference) or 409."""

    def __init__(self, message: str, field: str | None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def page(query: Any, limit: int, offset: int, *, session: Session) -> tuple[list[Any], int]:
    """One page of ``query`` and the total number of rows it matches."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.limit(limit).offset(offset)).all()), int(total)


def _area_in_scope(area_id: int, scope: Scope, *, session: Session, field: str = "area_id") -> Area:
    area = session.get(Area, area_id)
    if area is None or not scope.covers_area(area_id):
        raise RecordRefused(f"no area {area_id}", field, 404)
    return area


def _apply(row: T, data: dict[str, Any]) -> T:
    for name, value in data.items():
        setattr(row, name, value)
    return row


# --------------------------------------------------------------------------- clients


def client_in_scope(client_id: int, scope: Scope, *, session: Session) -> Client | None:
    """The client if it exists in the caller's areas, else None (answer 404)."""
    client = session.get(Client, client_id)
    return client if client is not None and scope.covers_area(client.area_id) else None


def list_clients(
    area_id: int, *, limit: int, offset: int, session: Session
) -> tuple[list[Client], int]:
    """The clients of an area (the caller has checked the area is in scope), by name."""
    query = (
        select(Client).where(Client.area_id == area_id).order_by(col(Client.name), col(Client.id))
    )
    return page(query, limit, offset, session=session)


def _check_client(
    data: dict[str, Any], scope: Scope, own_id: int | None, *, session: Session
) -> None:
    if "nhs_number" in data:
        try:
            data["nhs_number"] = normalise_nhs_number(data["nhs_number"])
        except InvalidNHSNumber as error:
            raise RecordRefused(f"nhs_number is not valid: {error}", "nhs_number") from error
        clash = session.exec(
            select(Client.id).where(Client.nhs_number == data["nhs_number"])
        ).first()
        if clash is not None and clash != own_id:
            raise RecordRefused("a client with this NHS number already exists", "nhs_number", 409)
    if "area_id" in data:
        _area_in_scope(data["area_id"], scope, session=session)


def create_client(data: dict[str, Any], scope: Scope, *, session: Session) -> Client:
    """A new client in an area in scope; the NHS number must be valid and new."""
    _check_client(data, scope, None, session=session)
    client = Client(**data)
    session.add(client)
    session.flush()
    return client


def update_client(
    client: Client, data: dict[str, Any], scope: Scope, *, session: Session
) -> Client:
    """Change some of a client's fields (moving them only to an area in scope)."""
    _check_client(data, scope, client.id, session=session)
    session.add(_apply(client, data))
    session.flush()
    return client


# --------------------------------------------------------------------------- care plans


def care_plan_in_scope(plan_id: int, scope: Scope, *, session: Session) -> CarePlan | None:
    """The care plan if its client is in the caller's areas, else None."""
    plan = session.get(CarePlan, plan_id)
    if plan is None or client_in_scope(plan.client_id, scope, session=session) is None:
        return None
    return plan


def list_care_plans(client_id: int, *, session: Session) -> list[CarePlan]:
    """A client's care plans, by reference."""
    return list(
        session.exec(
            select(CarePlan).where(CarePlan.client_id == client_id).order_by(col(CarePlan.ref))
        )
    )


def _check_care_plan(merged: dict[str, Any], own_id: int | None, *, session: Session) -> None:
    clash = session.exec(select(CarePlan.id).where(CarePlan.ref == merged["ref"])).first()
    if clash is not None and clash != own_id:
        raise RecordRefused("a care plan with this ref already exists", "ref", 409)
    if merged["window_end"] < merged["window_start"]:
        raise RecordRefused("window_end must not be before window_start", "window_end")
    preferred = merged.get("preferred_start")
    if preferred is not None and not merged["window_start"] <= preferred <= merged["window_end"]:
        raise RecordRefused("preferred_start must lie within the window", "preferred_start")
    until = merged.get("valid_until")
    if until is not None and until < merged["valid_from"]:
        raise RecordRefused("valid_until must not be before valid_from", "valid_until")
    skills = set(merged.get("required_skills") or [])
    if skills:
        known = set(session.exec(select(Skill.code).where(col(Skill.code).in_(skills))))
        unknown = sorted(skills - known)
        if unknown:
            raise RecordRefused(f"unknown skill(s): {', '.join(unknown)}", "required_skills")


def create_care_plan(client: Client, data: dict[str, Any], *, session: Session) -> CarePlan:
    """A new recurring visit for a client in scope."""
    data = {**data, "weekdays": sorted(set(data["weekdays"]))}
    _check_care_plan(data, None, session=session)
    plan = CarePlan(client_id=client.id or 0, **data)
    session.add(plan)
    session.flush()
    return plan


def update_care_plan(plan: CarePlan, data: dict[str, Any], *, session: Session) -> CarePlan:
    """Change some of a care plan's fields; the whole plan must still make sense."""
    if "weekdays" in data:
        data = {**data, "weekdays": sorted(set(data["weekdays"]))}
    merged = {**plan.model_dump(), **data}
    _check_care_plan(merged, plan.id, session=session)
    session.add(_apply(plan, data))
    session.flush()
    return plan


# --------------------------------------------------------------------------- workers


def worker_in_scope(worker_id: int, scope: Scope, *, session: Session) -> Worker | None:
    """The worker if the caller may see them, else None."""
    worker = session.get(Worker, worker_id)
    return worker if worker is not None and scope.covers_worker(worker) else None


def list_workers(
    area_id: int, *, limit: int, offset: int, session: Session
) -> tuple[list[Worker], int]:
    """The workers of an area, by name."""
    query = (
        select(Worker).where(Worker.area_id == area_id).order_by(col(Worker.name), col(Worker.id))
    )
    return page(query, limit, offset, session=session)


def _check_worker(
    data: dict[str, Any], scope: Scope, own_id: int | None, *, session: Session
) -> None:
    if "ref" in data:
        clash = session.exec(select(Worker.id).where(Worker.ref == data["ref"])).first()
        if clash is not None and clash != own_id:
            raise RecordRefused("a worker with this ref already exists", "ref", 409)
    if "area_id" in data:
        _area_in_scope(data["area_id"], scope, session=session)


def create_worker(data: dict[str, Any], scope: Scope, *, session: Session) -> Worker:
    """A new worker in an area in scope."""
    _check_worker(data, scope, None, session=session)
    worker = Worker(**data)
    session.add(worker)
    session.flush()
    return worker


def update_worker(
    worker: Worker, data: dict[str, Any], scope: Scope, *, session: Session
) -> Worker:
    """Change some of a worker's fields."""
    _check_worker(data, scope, worker.id, session=session)
    merged = {**worker.model_dump(), **data}
    if merged["minimum_minutes_per_week"] > merged["contracted_minutes_per_week"]:
        raise RecordRefused(
            "minimum_minutes_per_week must not exceed contracted_minutes_per_week",
            "minimum_minutes_per_week",
        )
    session.add(_apply(worker, data))
    session.flush()
    return worker


# --------------------------------------------------------------------------- availability


def list_availability(worker_id: int, *, session: Session) -> list[AvailabilityPattern]:
    """A worker's weekly pattern, Monday first."""
    return list(
        session.exec(
            select(AvailabilityPattern)
            .where(AvailabilityPattern.worker_id == worker_id)
            .order_by(col(AvailabilityPattern.weekday), col(AvailabilityPattern.start_time))
        )
    )


def add_availability(
    worker: Worker, data: dict[str, Any], *, session: Session
) -> AvailabilityPattern:
    """Add one working period to a worker's weekly pattern."""
    if data["end_time"] <= data["start_time"]:
        raise RecordRefused("end_time must be after start_time", "end_time")
    until, since = data.get("valid_until"), data.get("valid_from")
    if until is not None and since is not None and until < since:
        raise RecordRefused("valid_until must not be before valid_from", "valid_until")
    for other in list_availability(worker.id or 0, session=session):
        if (
            other.weekday == data["weekday"]
            and other.start_time < data["end_time"]
            and data["start_time"] < other.end_time
        ):
            raise RecordRefused("overlaps another period on that weekday", "start_time", 409)
    row = AvailabilityPattern(worker_id=worker.id or 0, **data)
    session.add(row)
    session.flush()
    return row


def availability_in_scope(
    pattern_id: int, scope: Scope, *, session: Session
) -> AvailabilityPattern | None:
    """The availability period if its worker is in scope."""
    row = session.get(AvailabilityPattern, pattern_id)
    if row is None or worker_in_scope(row.worker_id, scope, session=session) is None:
        return None
    return row


# --------------------------------------------------------------------------- training


def list_training(worker_id: int, *, session: Session) -> list[TrainingRecord]:
    """A worker's training records, newest first."""
    return list(
        session.exec(
            select(TrainingRecord)
            .where(TrainingRecord.worker_id == worker_id)
            .order_by(col(TrainingRecord.completed_on).desc(), col(TrainingRecord.id))
        )
    )


def add_training(worker: Worker, data: dict[str, Any], *, session: Session) -> TrainingRecord:
    """Record a completed course; the expiry defaults to the course's refresh period."""
    course = session.get(TrainingCourse, data["course_id"])
    if course is None:
        raise RecordRefused(f"no course {data['course_id']}", "course_id", 404)
    expires = data.get("expires_on")
    if expires is None and course.refresh_months:
        expires = add_months(data["completed_on"], course.refresh_months)
    if expires is not None and expires <= data["completed_on"]:
        raise RecordRefused("expires_on must be after completed_on", "expires_on")
    row = TrainingRecord(
        worker_id=worker.id or 0,
        course_id=course.id or 0,
        completed_on=data["completed_on"],
        expires_on=expires,
    )
    session.add(row)
    session.flush()
    return row
