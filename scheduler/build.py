"""Build the plain :class:`Problem` for one day and some areas from the database.

This is where the database's rows become the solver's plain data: shifts from
weekly patterns less dated absences, skills from training valid on the day,
preferences, pins, and the history that rules beyond one day need (previous
day's finish, hours this week and over the reference period, who visited whom
in the last 14 days). Times become seconds since the day's local midnight.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from scheduler.db.models import (
    Absence,
    Assignment,
    AvailabilityPattern,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    PublishedRota,
    UnallocatedVisit,
    Visit,
    VisitStatus,
    Worker,
)
from scheduler.problem import Problem, Shift, VisitSpec, WorkerHistory, WorkerSpec
from scheduler.skills import valid_skills
from scheduler.teams import WeekPlan, week_carers
from scheduler.travel import Point, TravelModel
from scheduler.visits import day_origin, local_instant
from scheduler.week_plans import week_plan

CONTINUITY_LOOKBACK_DAYS = 14
REFERENCE_PERIOD_DAYS = 17 * 7
YOUNG_WORKER_AGE = 18


def seconds_since(origin: datetime, instant: datetime) -> int:
    """Whole seconds from ``origin`` to ``instant`` (negative if before)."""
    return int((instant - origin).total_seconds())


def subtract(shifts: Iterable[Shift], gaps: Iterable[tuple[int, int]]) -> tuple[Shift, ...]:
    """The parts of ``shifts`` outside every gap [start, end), in order."""
    pieces = [(s.start, s.end) for s in shifts]
    for gap_start, gap_end in gaps:
        kept: list[tuple[int, int]] = []
        for start, end in pieces:
            if gap_end <= start or gap_start >= end:
                kept.append((start, end))
                continue
            if start < gap_start:
                kept.append((start, gap_start))
            if gap_end < end:
                kept.append((gap_end, end))
        pieces = kept
    return tuple(Shift(s, e) for s, e in sorted(pieces) if e > s)


def worker_shifts(
    session: Session, workers: list[Worker], day: date
) -> dict[int, tuple[Shift, ...]]:
    """Each worker's periods of availability on ``day``: weekly pattern less absences."""
    origin = day_origin(day)
    ids = [w.id for w in workers if w.id is not None]
    patterns = session.exec(
        select(AvailabilityPattern)
        .where(col(AvailabilityPattern.worker_id).in_(ids))
        .where(AvailabilityPattern.weekday == day.weekday())
        .where(
            or_(
                col(AvailabilityPattern.valid_from).is_(None),
                col(AvailabilityPattern.valid_from) <= day,
            )
        )
        .where(
            or_(
                col(AvailabilityPattern.valid_until).is_(None),
                col(AvailabilityPattern.valid_until) >= day,
            )
        )
    ).all()
    day_end = local_instant(day + timedelta(days=1), datetime.min.time())
    absences = session.exec(
        select(Absence)
        .where(col(Absence.worker_id).in_(ids))
        .where(and_(col(Absence.starts_at) < day_end, col(Absence.ends_at) > origin))
    ).all()
    raw: dict[int, list[Shift]] = defaultdict(list)
    for pattern in patterns:
        start = seconds_since(origin, local_instant(day, pattern.start_time))
        end = seconds_since(origin, local_instant(day, pattern.end_time))
        if end > start:
            raw[pattern.worker_id].append(Shift(start, end))
    gaps: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for absence in absences:
        gaps[absence.worker_id].append(
            (seconds_since(origin, absence.starts_at), seconds_since(origin, absence.ends_at))
        )
    return {
        worker_id: subtract(sorted(shifts, key=lambda s: s.start), gaps[worker_id])
        for worker_id, shifts in raw.items()
    }


def published_assignments(
    session: Session, first_day: date, last_day: date, worker_ids: Collection[int]
) -> list[Assignment]:
    """Assignments of published rotas dated ``first_day`` … ``last_day`` for these workers."""
    if not worker_ids or last_day < first_day:
        return []
    return list(
        session.exec(
            select(Assignment)
            .join(PublishedRota, col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
            .join(Visit, col(Visit.id) == Assignment.visit_id)
            .where(col(Assignment.worker_id).in_(worker_ids))
            .where(PublishedRota.day >= first_day, PublishedRota.day <= last_day)
            .where(col(Visit.area_id) == PublishedRota.area_id)
        ).all()
    )


def worker_histories(
    session: Session, worker_ids: Collection[int], day: date
) -> dict[int, WorkerHistory]:
    """History for the multi-day rules, from the published rotas of earlier days.

    Worked time counts visits and the travel to them (both are working time).
    """
    origin = day_origin(day)
    first = day - timedelta(days=max(REFERENCE_PERIOD_DAYS, CONTINUITY_LOOKBACK_DAYS))
    week_start = day - timedelta(days=day.weekday())
    continuity_start = day - timedelta(days=CONTINUITY_LOOKBACK_DAYS)
    rows = published_assignments(session, first, day - timedelta(days=1), worker_ids)
    visit_ids = {a.visit_id for a in rows}
    visits = {
        v.id: v for v in session.exec(select(Visit).where(col(Visit.id).in_(visit_ids))).all()
    }
    last_end: dict[int, datetime] = {}
    week: Counter[int] = Counter()
    reference: Counter[int] = Counter()
    recent: dict[int, Counter[int]] = defaultdict(Counter)
    for a in rows:
        visit = visits[a.visit_id]
        worked = int((a.end - a.start).total_seconds()) + a.travel_seconds
        reference[a.worker_id] += worked
        if visit.day >= week_start:
            week[a.worker_id] += worked
        if visit.day >= continuity_start:
            recent[a.worker_id][visit.client_id] += 1
        if a.worker_id not in last_end or a.end > last_end[a.worker_id]:
            last_end[a.worker_id] = a.end
    return {
        worker_id: WorkerHistory(
            previous_shift_end=(
                seconds_since(origin, last_end[worker_id]) if worker_id in last_end else None
            ),
            week_worked=week[worker_id],
            reference_worked=reference[worker_id],
            reference_days=REFERENCE_PERIOD_DAYS,
            recent_clients=tuple(sorted(recent[worker_id].items())),
        )
        for worker_id in worker_ids
    }


def published_plan(
    session: Session, area_ids: Collection[int], day: date
) -> dict[int, tuple[tuple[int, ...], datetime]]:
    """The published assignment of each visit of ``day`` in these areas: workers and start."""
    rows = session.exec(
        select(Assignment)
        .join(PublishedRota, col(PublishedRota.plan_run_id) == Assignment.plan_run_id)
        .join(Visit, col(Visit.id) == Assignment.visit_id)
        .where(col(PublishedRota.area_id).in_(area_ids), PublishedRota.day == day)
        .where(col(Visit.area_id) == PublishedRota.area_id)
        .order_by(col(Assignment.visit_id), col(Assignment.worker_id))
    ).all()
    plan: dict[int, tuple[tuple[int, ...], datetime]] = {}
    for a in rows:
        workers, start = plan.get(a.visit_id, ((), a.start))
        plan[a.visit_id] = ((*workers, a.worker_id), min(start, a.start))
    return plan


def published_unallocated(session: Session, area_ids: Collection[int], day: date) -> set[int]:
    """Visits of ``day`` in these areas that their area's published rota left unallocated."""
    rows = session.exec(
        select(UnallocatedVisit.visit_id)
        .join(PublishedRota, col(PublishedRota.plan_run_id) == UnallocatedVisit.plan_run_id)
        .join(Visit, col(Visit.id) == UnallocatedVisit.visit_id)
        .where(col(PublishedRota.area_id).in_(area_ids), PublishedRota.day == day)
        .where(col(Visit.area_id) == PublishedRota.area_id)
    ).all()
    return set(rows)


FIXED_STATUSES = (VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)


def without_the_past(problem: Problem, fixed_before: datetime) -> tuple[Problem, list[VisitSpec]]:
    """For a re-plan during the day: nothing that is not fixed may start before ``fixed_before``.

    Returns the problem with those visits' windows moved to start no earlier, and
    the visits whose whole window has already passed (left out; they cannot be made).
    """
    cut = seconds_since(problem.origin, fixed_before)
    kept: list[VisitSpec] = []
    passed: list[VisitSpec] = []
    for visit in problem.visits:
        if visit.fixed or visit.earliest_start >= cut:
            kept.append(visit)
        elif visit.latest_start < cut:
            passed.append(visit)
        else:
            kept.append(replace(visit, earliest_start=cut))
    return replace(problem, visits=tuple(kept)), passed


def is_young(worker: Worker, day: date) -> bool:
    """True if the worker is under 18 on ``day`` (young-worker limits apply)."""
    if worker.date_of_birth is None:
        return False
    birthday = worker.date_of_birth
    age = day.year - birthday.year - ((day.month, day.day) < (birthday.month, birthday.day))
    return age < YOUNG_WORKER_AGE


def build_problem(
    session: Session,
    day: date,
    area_ids: Collection[int],
    *,
    travel: TravelModel | None = None,
    fixed_before: datetime | None = None,
    week: WeekPlan | None = None,
) -> Problem:
    """The plain problem of planning ``day`` for the workers and visits of ``area_ids``.

    Visits of the published rota keep it as ``published_workers``/``published_start``
    (moving them costs a little); those checked in or done, and those published
    to start before ``fixed_before`` (a disruption's time), are fixed as published.
    ``week``: the week's teams and timetable if the caller has them (else read from
    the kept week plans, or made, :func:`scheduler.week_plans.week_plan`).
    """
    origin = day_origin(day)
    workers = list(
        session.exec(
            select(Worker)
            .where(col(Worker.area_id).in_(area_ids), col(Worker.active).is_(True))
            .where(Worker.start_date <= day)
            .order_by(col(Worker.id))
        ).all()
    )
    shifts = worker_shifts(session, workers, day)
    workers = [w for w in workers if shifts.get(w.id or 0)]
    worker_ids = [w.id for w in workers if w.id is not None]
    skills = valid_skills(session, worker_ids, day)
    histories = worker_histories(session, worker_ids, day)
    worker_specs = tuple(
        WorkerSpec(
            id=w.id or 0,
            name=w.name,
            area_id=w.area_id,
            home=Point(w.home_latitude, w.home_longitude),
            transport_mode=w.transport_mode.value,
            gender=w.gender.value,
            skills=frozenset(skills.get(w.id or 0, ())),
            shifts=shifts[w.id or 0],
            hourly_pay_pence=w.hourly_pay_pence,
            contracted_seconds_per_week=w.contracted_minutes_per_week * 60,
            minimum_seconds_per_week=w.minimum_minutes_per_week * 60,
            opted_out_of_48h=w.opted_out_of_48h,
            young_worker=is_young(w, day),
            history=histories[w.id or 0],
        )
        for w in workers
    )
    visits = session.exec(
        select(Visit, Client)
        .join(Client, col(Client.id) == Visit.client_id)
        .where(col(Visit.area_id).in_(area_ids), Visit.day == day)
        .where(col(Visit.status) != VisitStatus.CANCELLED)
        .order_by(col(Visit.id))
    ).all()
    client_ids = {client.id for _, client in visits}
    preferences: dict[int, dict[CarerPreferenceKind, set[int]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for pref in session.exec(
        select(ClientCarerPreference).where(col(ClientCarerPreference.client_id).in_(client_ids))
    ).all():
        preferences[pref.client_id][pref.kind].add(pref.worker_id)
    published = published_plan(session, area_ids, day)
    left_out = published_unallocated(session, area_ids, day)
    week = week if week is not None else week_plan(session, area_ids, day)
    seen = week_carers(session, area_ids, day)
    visit_specs = []
    for visit, client in visits:
        if visit.status == VisitStatus.COMPLETED and visit.id not in published:
            continue  # done outside any plan: nothing left to plan
        published_workers, published_start = published.get(visit.id or 0, ((), None))
        fixed = bool(published_workers) and (
            visit.status in FIXED_STATUSES
            or (
                fixed_before is not None
                and published_start is not None
                and published_start < fixed_before
            )
        )
        pins = tuple(
            w for w in (visit.pinned_worker_id, visit.pinned_second_worker_id) if w is not None
        )
        prefs = preferences[client.id or 0]
        visit_specs.append(
            VisitSpec(
                id=visit.id or 0,
                client_id=client.id or 0,
                area_id=visit.area_id,
                location=Point(client.latitude, client.longitude),
                earliest_start=seconds_since(origin, visit.earliest_start),
                latest_start=seconds_since(origin, visit.latest_start),
                preferred_start=seconds_since(origin, visit.preferred_start),
                duration=visit.duration_minutes * 60,
                required_skills=frozenset(visit.required_skills),
                carers_required=visit.carers_required,
                time_critical=visit.time_critical,
                priority=visit.priority,
                tasks=visit.tasks,
                carer_gender=client.carer_gender.value,
                carer_gender_strict=client.carer_gender_strict,
                declined_workers=frozenset(prefs[CarerPreferenceKind.DECLINED]),
                preferred_workers=frozenset(prefs[CarerPreferenceKind.PREFERRED]),
                team_workers=frozenset(week.teams.get(client.id or 0, ())),
                planned_worker=week.promised.get(visit.id or 0, (None, 0))[0],
                planned_start=week.promised.get(visit.id or 0, (0, None))[1],
                week_workers=frozenset(seen.get(client.id or 0, ())),
                pinned_workers=pins,
                published_workers=published_workers,
                published_start=(
                    seconds_since(origin, published_start) if published_start is not None else None
                ),
                fixed=fixed,
                published_unallocated=(visit.id or 0) in left_out,
            )
        )
    return Problem(
        day=day,
        origin=origin,
        workers=worker_specs,
        visits=tuple(visit_specs),
        travel=travel or TravelModel(),
        name=f"{day.isoformat()} areas {','.join(str(a) for a in sorted(area_ids))}",
    )
