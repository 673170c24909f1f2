"""Small named problems for the solver tests, and a synthetic area for timing.

Times are seconds from local midnight; :func:`at` turns "HH:MM" into seconds.
Places sit around a point in Leeds; 0.01° of latitude is about 1.1 km.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime

from scheduler.parameters import Parameters
from scheduler.problem import Problem, Result, Shift, VisitSpec, WorkerHistory, WorkerSpec
from scheduler.solver import solve
from scheduler.travel import Point
from scheduler.validate import validate

DAY = date(2025, 6, 4)  # a Wednesday
ORIGIN = datetime(2025, 6, 3, 23, 0, tzinfo=UTC)  # local midnight (BST)
CENTRE = Point(53.80, -1.55)


def at(clock: str) -> int:
    """'HH:MM' as seconds from local midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def place(north_km: float, east_km: float) -> Point:
    """A point ``north_km`` north and ``east_km`` east of the centre (approximately)."""
    return Point(CENTRE.latitude + north_km / 111.2, CENTRE.longitude + east_km / 66.0)


def worker(
    worker_id: int,
    *,
    home: Point | None = None,
    shifts: tuple[tuple[str, str], ...] = (("07:00", "15:00"),),
    skills: frozenset[str] = frozenset(),
    gender: str = "female",
    mode: str = "car",
    **fields: object,
) -> WorkerSpec:
    """A worker with sensible defaults: one 07:00–15:00 shift, a car, no skills."""
    spec = WorkerSpec(
        id=worker_id,
        name=f"Worker {worker_id}",
        area_id=1,
        home=home or place(0, 0),
        transport_mode=mode,
        gender=gender,
        skills=skills,
        shifts=tuple(Shift(at(a), at(b)) for a, b in shifts),
    )
    return replace(spec, **fields)  # type: ignore[arg-type]


def visit(
    visit_id: int,
    *,
    location: Point | None = None,
    window: tuple[str, str] = ("08:00", "10:00"),
    preferred: str | None = None,
    duration_minutes: int = 30,
    client_id: int | None = None,
    **fields: object,
) -> VisitSpec:
    """A visit with sensible defaults: 30 minutes, to start 08:00–10:00, preferred 08:00."""
    spec = VisitSpec(
        id=visit_id,
        client_id=client_id if client_id is not None else 100 + visit_id,
        area_id=1,
        location=location or place(1, 1),
        earliest_start=at(window[0]),
        latest_start=at(window[1]),
        preferred_start=at(preferred or window[0]),
        duration=duration_minutes * 60,
    )
    return replace(spec, **fields)  # type: ignore[arg-type]


def problem(workers: list[WorkerSpec], visits: list[VisitSpec], name: str = "") -> Problem:
    """A problem on the test day."""
    return Problem(day=DAY, origin=ORIGIN, workers=tuple(workers), visits=tuple(visits), name=name)


SKILLS = ("medication", "peg_feeding", "catheter_care", "dementia_care", "hoisting", "end_of_life")
ROUNDS = (
    ("07:00", "10:00"),  # morning
    ("11:30", "13:30"),  # lunch
    ("16:00", "17:45"),  # tea
    ("19:00", "21:00"),  # bed
)
SHIFT_PATTERNS = (
    (("07:00", "14:00"), ("16:00", "22:00")),
    (("07:00", "15:00"),),
    (("07:00", "14:00"),),
    (("14:00", "22:00"),),
    (("07:00", "13:00"), ("16:30", "22:00")),
)


def synthetic_area(
    workers: int = 25,
    visits: int = 250,
    *,
    seed: int = 1,
    double_handed_share: float = 0.15,
    radius_km: float = 2.5,
) -> Problem:
    """A realistic patch: clients with 1–4 visits a day in the four rounds, split
    shifts, skills, double-handed visits, declined carers and preferences."""
    rng = random.Random(seed)

    def spot() -> Point:
        return place(rng.uniform(-radius_km, radius_km), rng.uniform(-radius_km, radius_km))

    team = []
    for k in range(workers):
        common = {"medication": 0.8, "hoisting": 0.7}
        skills = frozenset(s for s in SKILLS if rng.random() < common.get(s, 0.35))
        team.append(worker(
            k + 1,
            home=spot(),
            shifts=SHIFT_PATTERNS[k % len(SHIFT_PATTERNS)],
            skills=skills,
            gender="male" if rng.random() < 0.2 else "female",
            mode="walking" if rng.random() < 0.08 else "car",
            history=WorkerHistory(
                previous_shift_end=-at("02:00") if rng.random() < 0.1 else None,
                week_worked=rng.randrange(0, 20) * 3600,
                recent_clients=tuple((1000 + rng.randrange(visits // 2), 3) for _ in range(5)),
            ),
        ))
    specs: list[VisitSpec] = []
    client = 1000
    while len(specs) < visits:
        home = spot()
        rounds = sorted(rng.sample(range(4), rng.choice((1, 2, 2, 3, 4, 4))))
        needs = frozenset(s for s in SKILLS[:4] if rng.random() < 0.15)
        double = rng.random() < double_handed_share
        gender = rng.choice(("any",) * 8 + ("female", "male"))
        declined = frozenset(rng.sample(range(1, workers + 1), 1)) if rng.random() < 0.1 else (
            frozenset())
        for r in rounds:
            if len(specs) >= visits:
                break
            first, last = ROUNDS[r]
            lo = at(first) + rng.randrange(0, 5) * 900
            hi = min(at(last), lo + 5400)
            critical = "medication" in needs and rng.random() < 0.5
            specs.append(visit(
                len(specs) + 1,
                client_id=client,
                location=home,
                window=("00:00", "00:00"),
                duration_minutes=rng.choice((30, 30, 30, 30, 30, 30, 45, 45, 60)),
            ))
            specs[-1] = replace(
                specs[-1],
                earliest_start=lo,
                latest_start=hi,
                preferred_start=lo + (hi - lo) // 2,
                required_skills=needs | (frozenset({"hoisting"}) if double else frozenset()),
                carers_required=2 if double else 1,
                time_critical=critical,
                priority=rng.choice((1, 2, 3, 3, 3, 4)),
                carer_gender=gender,
                carer_gender_strict=gender != "any" and rng.random() < 0.5,
                declined_workers=declined,
                preferred_workers=frozenset({rng.randrange(1, workers + 1)})
                if rng.random() < 0.3 else frozenset(),
            )
        client += 1
    return problem(team, specs, name=f"synthetic-{workers}x{visits}-seed{seed}")


def solve_checked(
    problem_: Problem, params: Parameters | None = None, *, seconds: float = 0.6, seed: int = 0
) -> Result:
    """Solve and insist the plan keeps every hard rule and explains every drop."""
    result = solve(problem_, params, time_limit_seconds=seconds, seed=seed)
    violations = validate(problem_, result, params)
    assert violations == [], violations
    assert all(item.reason for item in result.dropped)
    return result


def carers(result: Result, visit_id: int) -> set[int]:
    """The workers assigned to a visit."""
    return {a.worker_id for a in result.assignments if a.visit_id == visit_id}


def starts(result: Result, visit_id: int) -> list[int]:
    """The start of each carer of a visit, in worker order."""
    return [
        a.start for a in sorted(result.assignments, key=lambda a: a.worker_id)
        if a.visit_id == visit_id
    ]


def dropped_ids(result: Result) -> set[int]:
    """The visits left unallocated."""
    return {item.visit_id for item in result.dropped}
