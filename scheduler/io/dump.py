"""Read each kind out of the database as rows keyed by the import columns.

Values keep their types (numbers stay numbers, dates stay dates) so that the
writer can neutralise text without touching numbers. Units match the import:
hours a week as decimal hours, pay in pounds, instants in Europe/London local
time with their offset. Rows are sorted in Python by natural key, so the output
is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from scheduler.db.models import (
    Absence,
    Area,
    AvailabilityPattern,
    CarePlan,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    CourseSkill,
    Region,
    TrainingCourse,
    TrainingRecord,
    Worker,
)
from scheduler.io.cells import LONDON, WEEKDAY_NAMES

Cell = str | int | float | bool | Decimal | date | time | datetime | list[str] | None
ExportRow = dict[str, Cell]
AreaIds = Collection[int] | None


def _within(statement: Any, column: Any, area_ids: AreaIds) -> Any:
    """``statement`` limited to rows whose ``column`` is one of ``area_ids`` (None: all)."""
    return statement if area_ids is None else statement.where(col(column).in_(list(area_ids)))


def hours(minutes: int) -> Decimal:
    """Whole minutes as decimal hours, to at most four places (2250 → 37.5)."""
    if minutes % 60 == 0:
        return Decimal(minutes // 60)
    return (Decimal(minutes) / 60).quantize(Decimal("0.0001")).normalize()


def pounds(pence: int) -> Decimal:
    """Pence as pounds with two places (1260 → 12.60)."""
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def dump_areas(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Areas with their region's code and name, by area code."""
    statement = select(Area, Region).where(Area.region_id == Region.id)
    rows: list[ExportRow] = [
        {
            "code": area.code,
            "name": area.name,
            "region_code": region.code,
            "region_name": region.name,
            "latitude": area.latitude,
            "longitude": area.longitude,
        }
        for area, region in session.exec(_within(statement, Area.id, area_ids))
    ]
    return sorted(rows, key=lambda row: str(row["code"]))


def dump_courses(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Every course (courses belong to no area) with its skills, by code."""
    skills: dict[int, list[str]] = {}
    for link in session.exec(select(CourseSkill)):
        skills.setdefault(link.course_id, []).append(link.skill_code)
    courses = sorted(session.exec(select(TrainingCourse)), key=lambda course: course.code)
    return [
        {
            "code": course.code,
            "name": course.name,
            "refresh_months": course.refresh_months,
            "skills": sorted(skills.get(course.id or 0, [])),
        }
        for course in courses
    ]


def dump_workers(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Workers employed in the areas, by ref."""
    statement = select(Worker, Area.code).where(Worker.area_id == Area.id)
    found = sorted(session.exec(_within(statement, Worker.area_id, area_ids)), key=_ref)
    return [
        {
            "ref": worker.ref,
            "name": worker.name,
            "area_code": area_code,
            "gender": worker.gender.value,
            "home_postcode": worker.home_postcode,
            "home_latitude": worker.home_latitude,
            "home_longitude": worker.home_longitude,
            "transport_mode": worker.transport_mode.value,
            "contracted_hours_per_week": hours(worker.contracted_minutes_per_week),
            "minimum_hours_per_week": hours(worker.minimum_minutes_per_week),
            "start_date": worker.start_date,
            "date_of_birth": worker.date_of_birth,
            "opted_out_of_48h": worker.opted_out_of_48h,
            "hourly_pay": pounds(worker.hourly_pay_pence),
            "active": worker.active,
        }
        for worker, area_code in found
    ]


def _ref(pair: tuple[Worker, str]) -> str:
    return pair[0].ref


def _owned(model: Any, area_ids: AreaIds) -> Any:
    """``model`` rows with their worker's ref, for workers in the areas."""
    statement = select(model, Worker.ref).where(model.worker_id == Worker.id)
    return _within(statement, Worker.area_id, area_ids)


def dump_availability(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Weekly patterns of the areas' workers, by worker, weekday and start time."""
    found: list[tuple[AvailabilityPattern, str]] = list(
        session.exec(_owned(AvailabilityPattern, area_ids))
    )
    found.sort(key=lambda p: (p[1], p[0].weekday, p[0].start_time, p[0].valid_from or date.min))
    return [
        {
            "worker_ref": ref,
            "weekday": WEEKDAY_NAMES[period.weekday],
            "start_time": period.start_time,
            "end_time": period.end_time,
            "valid_from": period.valid_from,
            "valid_until": period.valid_until,
        }
        for period, ref in found
    ]


def dump_absences(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Absences of the areas' workers, by worker and start, in Europe/London time."""
    found: list[tuple[Absence, str]] = list(session.exec(_owned(Absence, area_ids)))
    found.sort(key=lambda pair: (pair[1], pair[0].starts_at))
    return [
        {
            "worker_ref": ref,
            "kind": absence.kind.value,
            "starts_at": absence.starts_at.astimezone(LONDON),
            "ends_at": absence.ends_at.astimezone(LONDON),
            "note": absence.note,
        }
        for absence, ref in found
    ]


def dump_training(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Training records of the areas' workers, by worker, course and completion."""
    codes = {course.id: course.code for course in session.exec(select(TrainingCourse))}
    found: list[tuple[TrainingRecord, str]] = list(session.exec(_owned(TrainingRecord, area_ids)))
    rows: list[ExportRow] = [
        {
            "worker_ref": ref,
            "course_code": codes[record.course_id],
            "completed_on": record.completed_on,
            "expires_on": record.expires_on,
        }
        for record, ref in found
    ]
    return sorted(
        rows, key=lambda r: (str(r["worker_ref"]), str(r["course_code"]), str(r["completed_on"]))
    )


def dump_clients(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Clients of the areas with their preferred and declined carers, by NHS number."""
    carers: dict[tuple[int, CarerPreferenceKind], list[str]] = {}
    preferences = select(ClientCarerPreference, Worker.ref).where(
        ClientCarerPreference.worker_id == Worker.id
    )
    for preference, ref in session.exec(preferences):
        carers.setdefault((preference.client_id, preference.kind), []).append(ref)
    statement = select(Client, Area.code).where(Client.area_id == Area.id)
    found = sorted(
        session.exec(_within(statement, Client.area_id, area_ids)), key=lambda p: p[0].nhs_number
    )
    return [
        {
            "nhs_number": client.nhs_number,
            "name": client.name,
            "area_code": area_code,
            "address": client.address,
            "postcode": client.postcode,
            "latitude": client.latitude,
            "longitude": client.longitude,
            "carer_gender": client.carer_gender.value,
            "carer_gender_strict": client.carer_gender_strict,
            "access_notes": client.access_notes,
            "preferred_carers": sorted(
                carers.get((client.id or 0, CarerPreferenceKind.PREFERRED), [])
            ),
            "declined_carers": sorted(
                carers.get((client.id or 0, CarerPreferenceKind.DECLINED), [])
            ),
            "active": client.active,
        }
        for client, area_code in found
    ]


def dump_care_plans(session: Session, area_ids: AreaIds = None) -> list[ExportRow]:
    """Care plans of the areas' clients, by ref; every day of the week reads ``daily``."""
    statement = select(CarePlan, Client.nhs_number).where(CarePlan.client_id == Client.id)
    found = sorted(
        session.exec(_within(statement, Client.area_id, area_ids)), key=lambda p: p[0].ref
    )
    return [
        {
            "ref": plan.ref,
            "client_nhs_number": nhs_number,
            "weekdays": _weekdays(plan.weekdays),
            "window_start": plan.window_start,
            "window_end": plan.window_end,
            "preferred_start": plan.preferred_start,
            "duration_minutes": plan.duration_minutes,
            "required_skills": list(plan.required_skills),
            "carers_required": plan.carers_required,
            "time_critical": plan.time_critical,
            "priority": plan.priority,
            "tasks": plan.tasks,
            "valid_from": plan.valid_from,
            "valid_until": plan.valid_until,
        }
        for plan, nhs_number in found
    ]


def _weekdays(days: list[int]) -> str | list[str]:
    """``daily`` for all seven days, else the day names in order."""
    if sorted(set(days)) == list(range(7)):
        return "daily"
    return [WEEKDAY_NAMES[day] for day in sorted(set(days))]
