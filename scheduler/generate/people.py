"""The workforce: teams, workers, weekly availability patterns and absences.

Local times are minutes after midnight, Europe/London; pay is in pence; contracted
hours are minutes per week.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from scheduler.db.models import AbsenceKind, Gender, TransportMode
from scheduler.generate.geography import AreaSite, postcode, scatter
from scheduler.generate.names import worker_name
from scheduler.generate.parameters import ScenarioParameters
from scheduler.visits import day_origin

Row = dict[str, Any]

MIN_TEAM, MAX_TEAM = 10, 40
NEW_STARTER_DAYS = 84
"""Workers who started within this many days (12 weeks) are still on the Care Certificate."""


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A working day's periods, each [start, end) in local minutes after midnight."""

    kind: str
    periods: tuple[tuple[int, int], ...]

    @property
    def minutes(self) -> int:
        """Available minutes in one working day."""
        return sum(end - start for start, end in self.periods)


def _hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _template(kind: str, *periods: str) -> ShiftTemplate:
    return ShiftTemplate(kind, tuple((_hm(p.split("-")[0]), _hm(p.split("-")[1])) for p in periods))


SPLIT_SHIFTS = (
    _template("split", "07:00-12:00", "17:00-21:30"),
    _template("split", "07:00-12:30", "17:30-21:30"),
    _template("split", "07:00-11:30", "17:00-22:00"),
    _template("split", "07:30-12:30", "17:00-21:30"),
    _template("split", "07:00-12:00", "17:00-22:00"),
    _template("split", "07:00-14:00", "16:00-22:00"),
)
DAY_SHIFTS = (
    _template("day", "07:00-15:00"),
    _template("day", "07:30-15:30"),
    _template("day", "08:00-16:00"),
    _template("day", "10:00-18:00"),
    _template("day", "14:00-22:00"),
)
PART_TIME_SHIFTS = (
    _template("part_time", "07:00-12:00"),
    _template("part_time", "07:00-11:30"),
    _template("part_time", "07:30-12:30"),
    _template("part_time", "17:00-22:00"),
    _template("part_time", "16:30-21:30"),
    _template("part_time", "17:30-22:00"),
    _template("part_time", "07:00-10:30", "17:00-21:00"),
)
SHIFT_MIX = ((SPLIT_SHIFTS, 0.60), (DAY_SHIFTS, 0.25), (PART_TIME_SHIFTS, 0.15))
WANTED_HOURS = {"split": (44.0, 48.0), "day": (42.0, 48.0), "part_time": (20.0, 30.0)}
"""Weekly hours a worker of each kind would like, drawn uniformly; the rostered days
are then the whole number of shifts closest to it."""
MIN_DAYS, MAX_DAYS = 3, 6
"""Rostered days a week (at least one day off, and at most four off)."""
WEEKLY_CAP_HOURS, OPTED_OUT_CAP_HOURS = 48, 55
"""Weekly limit on rostered hours (Working Time Regulations), and for workers who opted out."""


def rostered_days(wanted_minutes: float, shift_minutes: int, cap_minutes: int) -> int:
    """Days a week so that days × shift length is nearest ``wanted_minutes`` without
    passing ``cap_minutes``: long shifts get fewer days. All arguments in minutes."""
    days = max(MIN_DAYS, min(MAX_DAYS, round(wanted_minutes / shift_minutes)))
    while days > 1 and days * shift_minutes > cap_minutes:
        days -= 1
    return days


@dataclass(slots=True)
class WorkerDraft:
    """What the rest of the generator needs to know about a worker.

    ``skills`` are those valid on the scenario's first day (set by the training step).
    """

    id: int
    area_id: int
    gender: str
    transport_mode: str
    start_date: date
    template: ShiftTemplate
    weekdays: tuple[int, ...]
    skills: set[str] = field(default_factory=set)
    skills_until: dict[str, date | None] = field(default_factory=dict)
    """For each skill in ``skills``, the first day it is no longer valid (None: never)."""

    def new_starter(self, day: date) -> bool:
        """True while the worker is in their first 12 weeks (Care Certificate not done)."""
        return (day - self.start_date).days < NEW_STARTER_DAYS


@dataclass(slots=True)
class Workforce:
    """Workers and their rows, and who is away on which day."""

    workers: list[WorkerDraft]
    worker_rows: list[Row]
    pattern_rows: list[Row]
    absence_rows: list[Row] = field(default_factory=list)
    absent: dict[date, set[int]] = field(default_factory=dict)

    def on_duty(self, day: date) -> list[WorkerDraft]:
        """Workers rostered on ``day``'s weekday and not away that day."""
        away = self.absent.get(day, set())
        return [w for w in self.workers if day.weekday() in w.weekdays and w.id not in away]


def team_sizes(rng: random.Random, workers: int, areas: int) -> list[int]:
    """Split ``workers`` into ``areas`` teams of varied size (10–40 when the mean allows)."""
    if areas <= 0 or workers < areas:
        raise ValueError("need at least one worker per area")
    weights = [rng.uniform(0.65, 1.35) for _ in range(areas)]
    exact = [workers * w / sum(weights) for w in weights]
    sizes = [int(x) for x in exact]
    order = sorted(range(areas), key=lambda i: exact[i] - sizes[i], reverse=True)
    for i in order[: workers - sum(sizes)]:
        sizes[i] += 1
    low, high = (
        (MIN_TEAM, MAX_TEAM) if MIN_TEAM * areas <= workers <= MAX_TEAM * areas else (1, workers)
    )
    sizes = [min(max(s, low), high) for s in sizes]
    while sum(sizes) > workers:
        i = max(range(areas), key=lambda k: sizes[k])
        sizes[i] -= 1
    while sum(sizes) < workers:
        i = min(range(areas), key=lambda k: sizes[k])
        sizes[i] += 1
    return sizes


def make_workforce(
    rng: random.Random,
    sites: list[AreaSite],
    sizes: list[int],
    first_day: date,
    params: ScenarioParameters,
) -> Workforce:
    """Workers (ids from 1), with homes around their area and balanced weekly rotas."""
    workforce = Workforce(workers=[], worker_rows=[], pattern_rows=[])
    for site, size in zip(sites, sizes, strict=True):
        minutes_by_weekday = [0] * 7
        for _ in range(size):
            worker_id = len(workforce.workers) + 1
            draft, row = _worker(rng, worker_id, site, first_day, params, minutes_by_weekday)
            workforce.workers.append(draft)
            workforce.worker_rows.append(row)
            for weekday in draft.weekdays:
                minutes_by_weekday[weekday] += draft.template.minutes
                for start, end in draft.template.periods:
                    workforce.pattern_rows.append(
                        {
                            "id": len(workforce.pattern_rows) + 1,
                            "worker_id": worker_id,
                            "weekday": weekday,
                            "start_time": time(start // 60, start % 60),
                            "end_time": time(end // 60, end % 60),
                            "valid_from": None,
                            "valid_until": None,
                        }
                    )
    return workforce


def _worker(
    rng: random.Random,
    worker_id: int,
    site: AreaSite,
    first_day: date,
    params: ScenarioParameters,
    minutes_by_weekday: list[int],
) -> tuple[WorkerDraft, Row]:
    gender = rng.choices([Gender.FEMALE, Gender.MALE, Gender.OTHER], weights=[80, 18, 2])[0]
    if site.dense:
        modes, mode_weights = (
            [TransportMode.CAR, TransportMode.WALKING, TransportMode.PUBLIC_TRANSPORT],
            [68, 16, 16],
        )
    else:
        modes, mode_weights = (
            [TransportMode.CAR, TransportMode.WALKING, TransportMode.PUBLIC_TRANSPORT],
            [92, 3, 5],
        )
    mode = rng.choices(modes, weights=mode_weights)[0]
    radius_km = 2.0 if mode is TransportMode.WALKING else (3.5 if site.dense else 7.0)
    latitude, longitude = scatter(rng, site.latitude, site.longitude, radius_km)
    group = rng.choices([g for g, _ in SHIFT_MIX], weights=[w for _, w in SHIFT_MIX])[0]
    template = rng.choice(group)
    opted_out = rng.random() < 0.06
    cap = (OPTED_OUT_CAP_HOURS if opted_out else WEEKLY_CAP_HOURS) * 60
    wanted = rng.uniform(*WANTED_HOURS[template.kind]) * 60
    days = rostered_days(wanted, template.minutes, cap)
    weekdays = _working_weekdays(rng, days, minutes_by_weekday)
    if rng.random() < 0.06:
        start_date = first_day - timedelta(days=rng.randint(7, NEW_STARTER_DAYS - 1))
    else:
        start_date = first_day - timedelta(
            days=NEW_STARTER_DAYS + int(rng.random() ** 2 * 15 * 365)
        )
    age = rng.randint(21, 66)
    birth = date(first_day.year - age, rng.randint(1, 12), rng.randint(1, 28))
    # The contract is what the roster gives: rostered days × shift length, in half hours.
    contracted = min(cap, max(8 * 60, round(days * template.minutes / 30) * 30))
    minimum = 0 if rng.random() < 0.2 else round(contracted * 0.75 / 30) * 30
    roll = rng.random()
    nlw = params.national_living_wage_pence
    if roll < 0.15:
        pay = nlw
    elif roll < 0.92:
        pay = nlw + rng.randint(5, 180)
    else:
        pay = nlw + rng.randint(250, 400)
    draft = WorkerDraft(
        worker_id, site.id, gender.value, mode.value, start_date, template, weekdays
    )
    row: Row = {
        "id": worker_id,
        "ref": f"EMP{worker_id:06d}",
        "name": worker_name(rng, gender.value),
        "area_id": site.id,
        "gender": gender,
        "home_postcode": postcode(rng, site.postcode_area),
        "home_latitude": latitude,
        "home_longitude": longitude,
        "transport_mode": mode,
        "contracted_minutes_per_week": contracted,
        "minimum_minutes_per_week": minimum,
        "start_date": start_date,
        "date_of_birth": birth,
        "opted_out_of_48h": opted_out,
        "hourly_pay_pence": pay,
        "active": True,
    }
    return draft, row


def _working_weekdays(
    rng: random.Random, days: int, minutes_by_weekday: list[int]
) -> tuple[int, ...]:
    """``days`` weekdays (0 = Monday) whose days off are consecutive and fall where the
    team already has the most rostered minutes, so each weekday gets similar cover."""
    off = 7 - days
    if off <= 0:
        return tuple(range(7))
    best = max(
        range(7),
        key=lambda s: (sum(minutes_by_weekday[(s + j) % 7] for j in range(off)), rng.random()),
    )
    days_off = {(best + j) % 7 for j in range(off)}
    return tuple(d for d in range(7) if d not in days_off)


def make_absences(
    rng: random.Random, workforce: Workforce, first_day: date, days: int, share: float
) -> None:
    """Leave, sickness and training days so that about ``share`` of each day's rostered
    workers are away; each absence is whole local days [midnight, midnight)."""
    kinds = [
        (AbsenceKind.LEAVE, 60, (1, 5), "Annual leave"),
        (AbsenceKind.SICKNESS, 35, (1, 3), "Reported sick"),
        (AbsenceKind.OTHER, 5, (1, 1), "Training course"),
    ]
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        rostered = [w for w in workforce.workers if day.weekday() in w.weekdays]
        away = workforce.absent.setdefault(day, set())
        wanted = round(share * len(rostered)) - sum(1 for w in rostered if w.id in away)
        candidates = [w for w in rostered if w.id not in away]
        for worker in rng.sample(candidates, max(0, min(wanted, len(candidates)))):
            kind, _, (shortest, longest), note = rng.choices(kinds, weights=[k[1] for k in kinds])[
                0
            ]
            length = rng.randint(shortest, longest)
            for later in range(length):
                workforce.absent.setdefault(day + timedelta(days=later), set()).add(worker.id)
            workforce.absence_rows.append(
                {
                    "id": len(workforce.absence_rows) + 1,
                    "worker_id": worker.id,
                    "kind": kind,
                    "starts_at": day_origin(day),
                    "ends_at": day_origin(day + timedelta(days=length)),
                    "note": note,
                }
            )
