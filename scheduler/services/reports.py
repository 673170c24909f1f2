"""Managers' reports: capacity, training compliance and expiry, continuity of care, pay.

Every report takes the areas to cover (already limited to the caller's scope) and
returns plain data: hours as floats to two places, money in pence. Planned
figures come from the published rotas; demand for days without dated visits
comes from the care plans due on them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from scheduler.build import worker_shifts
from scheduler.db.models import (
    Area,
    Assignment,
    CarePlan,
    Client,
    CourseSkill,
    PublishedRota,
    TrainingCourse,
    TrainingRecord,
    UnallocatedVisit,
    Visit,
    VisitStatus,
    Worker,
)

TARGET_UTILISATION = 0.8
"""The share of available time that can sensibly be filled with visits."""
HOURS_PER_CARER_DAY = 6.0
"""Visit hours one carer can cover in a day, for skill shortages."""
NATIONAL_LIVING_WAGE_PENCE = (
    (date(2024, 4, 1), 1144),
    (date(2025, 4, 1), 1221),
    (date(2026, 4, 1), 1271),
)
"""The National Living Wage (21 and over) by the date it took effect, in pence per hour."""
MAX_REPORT_DAYS = 62


def national_living_wage(day: date) -> int:
    """The National Living Wage in force on ``day``, in pence per hour."""
    rate = NATIONAL_LIVING_WAGE_PENCE[0][1]
    for since, pence in NATIONAL_LIVING_WAGE_PENCE:
        if day >= since:
            rate = pence
    return rate


def days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def hours(minutes_or_seconds: float, *, seconds: bool = False) -> float:
    """A duration as hours to two decimal places."""
    return round(minutes_or_seconds / (3600 if seconds else 60), 2)


def _areas(area_ids: list[int], *, session: Session) -> list[Area]:
    if not area_ids:
        return []
    return list(
        session.exec(select(Area).where(col(Area.id).in_(area_ids)).order_by(col(Area.code)))
    )


def plan_minutes_due(plan: CarePlan, day: date) -> int:
    """Carer-minutes a care plan asks for on ``day`` (0 when not due)."""
    if day.weekday() not in plan.weekdays or day < plan.valid_from:
        return 0
    if plan.valid_until is not None and day > plan.valid_until:
        return 0
    return plan.duration_minutes * plan.carers_required


def planned_demand(
    area_ids: list[int], first: date, last: date, *, session: Session
) -> dict[tuple[int, date], int]:
    """Carer-minutes of care per (area, day) from the care plans of active clients."""
    demand: dict[tuple[int, date], int] = defaultdict(int)
    if not area_ids:
        return demand
    rows = session.exec(
        select(CarePlan, Client.area_id)
        .join(Client, col(Client.id) == CarePlan.client_id)
        .where(col(Client.area_id).in_(area_ids), col(Client.active).is_(True))
    ).all()
    for plan, area_id in rows:
        for day in days(first, last):
            demand[(area_id, day)] += plan_minutes_due(plan, day)
    return demand


def available_minutes(
    area_ids: list[int], first: date, last: date, *, session: Session
) -> dict[tuple[int, date], int]:
    """Minutes of worker availability per (area, day): weekly patterns less absences."""
    available: dict[tuple[int, date], int] = defaultdict(int)
    if not area_ids:
        return available
    workers = list(
        session.exec(
            select(Worker).where(col(Worker.area_id).in_(area_ids), col(Worker.active).is_(True))
        )
    )
    area_of = {w.id: w.area_id for w in workers}
    for day in days(first, last):
        for worker_id, shifts in worker_shifts(session, workers, day).items():
            available[(area_of[worker_id], day)] += sum(s.end - s.start for s in shifts) // 60
    return available


def capacity_report(
    area_ids: list[int], first: date, last: date, *, session: Session
) -> dict[str, Any]:
    """Demand against available hours by day and area, with the published plans' figures,
    and the new care hours each area could take in the seven days after ``last``.
    """
    areas = _areas(area_ids, session=session)
    ids = [a.id or 0 for a in areas]
    demand_plans = planned_demand(ids, first, last, session=session)
    available = available_minutes(ids, first, last, session=session)
    visits = (
        session.exec(
            select(Visit).where(
                col(Visit.area_id).in_(ids),
                Visit.day >= first,
                Visit.day <= last,
                Visit.status != VisitStatus.CANCELLED,
            )
        ).all()
        if ids
        else []
    )
    visit_demand: dict[tuple[int, date], int] = defaultdict(int)
    double: dict[tuple[int, date], set[int]] = defaultdict(set)
    for visit in visits:
        visit_demand[(visit.area_id, visit.day)] += visit.duration_minutes * visit.carers_required
        if visit.carers_required > 1:
            double[(visit.area_id, visit.day)].add(visit.id or 0)
    pointers = (
        session.exec(
            select(PublishedRota).where(
                col(PublishedRota.area_id).in_(ids),
                PublishedRota.day >= first,
                PublishedRota.day <= last,
            )
        ).all()
        if ids
        else []
    )
    travel: dict[tuple[int, date], int] = defaultdict(int)
    contact: dict[tuple[int, date], int] = defaultdict(int)
    carers: dict[tuple[int, date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    unallocated: dict[tuple[int, date], int] = defaultdict(int)
    published = {(pointer.area_id, pointer.day) for pointer in pointers}
    for assignment, visit in _published_assignments(ids, first, last, session=session):
        key = (visit.area_id, visit.day)
        travel[key] += assignment.travel_seconds
        contact[key] += int((assignment.end - assignment.start).total_seconds())
        carers[key][visit.id or 0] += 1
    if ids:
        for area_id, day, count in session.execute(
            sa.select(col(Visit.area_id), col(Visit.day), sa.func.count())
            .select_from(UnallocatedVisit)
            .join(Visit, col(Visit.id) == UnallocatedVisit.visit_id)
            .join(
                PublishedRota,
                (col(PublishedRota.plan_run_id) == UnallocatedVisit.plan_run_id)
                & (col(PublishedRota.area_id) == Visit.area_id)
                & (col(PublishedRota.day) == Visit.day),
            )
            .where(col(Visit.area_id).in_(ids), col(Visit.day) >= first, col(Visit.day) <= last)
            .group_by(col(Visit.area_id), col(Visit.day))
        ).all():
            unallocated[(area_id, day)] = int(count)
    rows = []
    for day in days(first, last):
        for area in areas:
            key = (area.id or 0, day)
            demand = visit_demand[key] if key in visit_demand else demand_plans[key]
            avail = available[key]
            moving = travel[key] + contact[key]
            doubles = double[key]
            rows.append(
                {
                    "date": day,
                    "area_id": area.id,
                    "area_code": area.code,
                    "demand_hours": hours(demand),
                    "available_hours": hours(avail),
                    "utilisation": round(demand / avail, 4) if avail else None,
                    "published": key in published,
                    "travel_share": round(travel[key] / moving, 4) if moving else None,
                    "unallocated_visits": unallocated[key],
                    "double_handed_visits": len(doubles),
                    "double_handed_covered": sum(1 for v in doubles if carers[key].get(v, 0) >= 2),
                }
            )
    week_first, week_last = last + timedelta(days=1), last + timedelta(days=7)
    week_demand = planned_demand(ids, week_first, week_last, session=session)
    week_available = available_minutes(ids, week_first, week_last, session=session)
    next_week = []
    for area in areas:
        need = sum(week_demand[(area.id or 0, d)] for d in days(week_first, week_last))
        have = sum(week_available[(area.id or 0, d)] for d in days(week_first, week_last))
        next_week.append(
            {
                "area_id": area.id,
                "area_code": area.code,
                "from": week_first,
                "to": week_last,
                "demand_hours": hours(need),
                "available_hours": hours(have),
                "new_care_hours_possible": hours(max(0.0, have * TARGET_UTILISATION - need)),
            }
        )
    return {"from": first, "to": last, "rows": rows, "next_week": next_week}


def training_report(
    area_ids: list[int], today: date, within_days: int, *, session: Session
) -> dict[str, Any]:
    """Expired and expiring training per worker and course, compliance by course and area,
    and the skills that will be short for the next 30 days' demand once expiries count.
    """
    areas = {a.id: a for a in _areas(area_ids, session=session)}
    workers = (
        {
            w.id: w
            for w in session.exec(
                select(Worker).where(
                    col(Worker.area_id).in_(list(areas)), col(Worker.active).is_(True)
                )
            )
        }
        if areas
        else {}
    )
    courses = {c.id: c for c in session.exec(select(TrainingCourse))}
    latest: dict[tuple[int, int], TrainingRecord] = {}
    if workers:
        for record in session.exec(
            select(TrainingRecord)
            .where(col(TrainingRecord.worker_id).in_(list(workers)))
            .order_by(col(TrainingRecord.completed_on))
        ):
            latest[(record.worker_id, record.course_id)] = record
    horizon = today + timedelta(days=within_days)
    items = []
    compliance: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (worker_id, course_id), record in sorted(latest.items()):
        worker, course = workers[worker_id], courses[course_id]
        valid = record.completed_on <= today and (
            record.expires_on is None or record.expires_on > today
        )
        tally = compliance[(worker.area_id, course_id)]
        tally[0] += 1
        tally[1] += int(valid)
        if record.expires_on is None or record.expires_on > horizon:
            continue
        items.append(
            {
                "worker_id": worker_id,
                "worker_name": worker.name,
                "area_id": worker.area_id,
                "course_id": course_id,
                "course_code": course.code,
                "expires_on": record.expires_on,
                "status": "expired" if record.expires_on <= today else "expiring",
                "days_left": (record.expires_on - today).days,
            }
        )
    items.sort(key=lambda i: (i["expires_on"], i["worker_name"]))
    compliance_rows = [
        {
            "area_id": area_id,
            "area_code": areas[area_id].code,
            "course_id": course_id,
            "course_code": courses[course_id].code,
            "holders": held,
            "valid": valid,
            "compliance": round(valid / held, 4) if held else None,
        }
        for (area_id, course_id), (held, valid) in sorted(compliance.items())
    ]
    month_first, month_last = today + timedelta(days=1), today + timedelta(days=30)
    skills_of: dict[int, set[str]] = defaultdict(set)
    for link in session.exec(select(CourseSkill)):
        skills_of[link.course_id].add(link.skill_code)
    holders_now: dict[tuple[int, str], set[int]] = defaultdict(set)
    holders_after: dict[tuple[int, str], set[int]] = defaultdict(set)
    for (worker_id, course_id), record in latest.items():
        area_id = workers[worker_id].area_id
        for skill in skills_of[course_id]:
            if record.completed_on <= today and (
                record.expires_on is None or record.expires_on > today
            ):
                holders_now[(area_id, skill)].add(worker_id)
            if record.completed_on <= month_first and (
                record.expires_on is None or record.expires_on > month_last
            ):
                holders_after[(area_id, skill)].add(worker_id)
    skill_minutes: dict[tuple[int, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    if areas:
        for plan, area_id in session.exec(
            select(CarePlan, Client.area_id)
            .join(Client, col(Client.id) == CarePlan.client_id)
            .where(col(Client.area_id).in_(list(areas)), col(Client.active).is_(True))
        ):
            for skill in plan.required_skills:
                for day in days(month_first, month_last):
                    skill_minutes[(area_id, skill)][day] += plan_minutes_due(plan, day)
    shortages = []
    for (area_id, skill), by_day in sorted(skill_minutes.items()):
        total = sum(by_day.values())
        if not total:
            continue
        peak = max(by_day.values())
        needed = max(1, math.ceil(peak / 60 / HOURS_PER_CARER_DAY))
        after = len(holders_after[(area_id, skill)])
        shortages.append(
            {
                "area_id": area_id,
                "area_code": areas[area_id].code,
                "skill": skill,
                "demand_hours": hours(total),
                "carers_needed": needed,
                "holders_now": len(holders_now[(area_id, skill)]),
                "holders_after_expiry": after,
                "short": after < needed,
            }
        )
    return {
        "today": today,
        "within_days": within_days,
        "items": items,
        "compliance": compliance_rows,
        "skills": shortages,
    }


def _published_assignments(
    ids: list[int], first: date, last: date, *, session: Session
) -> list[tuple[Assignment, Visit]]:
    if not ids:
        return []
    return list(
        session.exec(
            select(Assignment, Visit)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .join(
                PublishedRota,
                (col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
                & (col(PublishedRota.area_id) == Visit.area_id)
                & (col(PublishedRota.day) == Visit.day),
            )
            .where(col(Visit.area_id).in_(ids), Visit.day >= first, Visit.day <= last)
        ).all()
    )


def continuity_report(
    area_ids: list[int], first: date, last: date, *, session: Session
) -> dict[str, Any]:
    """Distinct carers per client per ISO week in the published rotas (fewer is better)."""
    rows = _published_assignments(area_ids, first, last, session=session)
    carers: dict[tuple[int, str], set[int]] = defaultdict(set)
    visits: dict[tuple[int, str], set[int]] = defaultdict(set)
    for assignment, visit in rows:
        year, week, _ = visit.day.isocalendar()
        key = (visit.client_id, f"{year}-W{week:02d}")
        carers[key].add(assignment.worker_id)
        visits[key].add(visit.id or 0)
    clients = (
        {
            c.id: c
            for c in session.exec(select(Client).where(col(Client.id).in_({k[0] for k in carers})))
        }
        if carers
        else {}
    )
    table: list[dict[str, Any]] = [
        {
            "client_id": client_id,
            "client_name": clients[client_id].name,
            "area_id": clients[client_id].area_id,
            "week": week,
            "visits": len(visits[(client_id, week)]),
            "distinct_carers": len(people),
        }
        for (client_id, week), people in sorted(carers.items())
    ]
    mean = round(sum(int(r["distinct_carers"]) for r in table) / len(table), 2) if table else None
    return {"from": first, "to": last, "rows": table, "mean_distinct_carers": mean}


def pay_report(area_ids: list[int], first: date, last: date, *, session: Session) -> dict[str, Any]:
    """Effective hourly pay per worker in the published rotas, against the National Living Wage.

    Pay is the worker's hourly rate for contact time (the common homecare
    contract); effective pay spreads it over contact, travel and the waiting
    between visits (the gaps in the day not spent travelling).
    """
    rows = _published_assignments(area_ids, first, last, session=session)
    per_day: dict[tuple[int, date], list[Assignment]] = defaultdict(list)
    for assignment, visit in rows:
        per_day[(assignment.worker_id, visit.day)].append(assignment)
    workers = (
        {
            w.id: w
            for w in session.exec(select(Worker).where(col(Worker.id).in_({k[0] for k in per_day})))
        }
        if per_day
        else {}
    )
    totals: dict[int, dict[str, Any]] = {}
    for (worker_id, day), day_rows in sorted(per_day.items()):
        worker = workers[worker_id]
        contact = sum((a.end - a.start).total_seconds() for a in day_rows)
        travel = sum(a.travel_seconds for a in day_rows)
        span = (max(a.end for a in day_rows) - min(a.start for a in day_rows)).total_seconds()
        first_leg = min(day_rows, key=lambda a: a.start).travel_seconds
        waiting = max(0.0, span - contact - (travel - first_leg))
        entry = totals.setdefault(
            worker_id,
            {
                "worker_id": worker_id,
                "worker_name": worker.name,
                "area_id": worker.area_id,
                "hourly_pay_pence": worker.hourly_pay_pence,
                "days_worked": 0,
                "contact": 0.0,
                "travel": 0.0,
                "waiting": 0.0,
                "nlw": national_living_wage(day),
            },
        )
        entry["days_worked"] += 1
        entry["contact"] += contact
        entry["travel"] += travel
        entry["waiting"] += waiting
        entry["nlw"] = max(entry["nlw"], national_living_wage(day))
    table = []
    for entry in totals.values():
        paid = entry["hourly_pay_pence"] * entry["contact"] / 3600
        working = entry["contact"] + entry["travel"] + entry["waiting"]
        effective = round(paid / (working / 3600)) if working else entry["hourly_pay_pence"]
        table.append(
            {
                "worker_id": entry["worker_id"],
                "worker_name": entry["worker_name"],
                "area_id": entry["area_id"],
                "days_worked": entry["days_worked"],
                "contact_hours": hours(entry["contact"], seconds=True),
                "travel_hours": hours(entry["travel"], seconds=True),
                "waiting_hours": hours(entry["waiting"], seconds=True),
                "hourly_pay_pence": entry["hourly_pay_pence"],
                "pay_pence": round(paid),
                "effective_hourly_pence": effective,
                "national_living_wage_pence": entry["nlw"],
                "below_national_living_wage": effective < entry["nlw"],
            }
        )
    table.sort(key=lambda r: (r["effective_hourly_pence"], r["worker_name"]))
    return {"from": first, "to": last, "rows": table}
