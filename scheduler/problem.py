"""The plain data the solver works on, and the plain data it returns.

Nothing here knows about the database, Flask or OR-Tools. Every time is a whole
number of **seconds since the problem's origin** (local midnight of the planned
day, as a UTC instant); every duration is in seconds; distances in metres; money
in pence. All classes are frozen: a problem is built once and never changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from scheduler.travel import Point, TravelModel


@dataclass(frozen=True, slots=True)
class Shift:
    """A period in which a worker is available: [start, end) in seconds from origin."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class WorkerHistory:
    """What the worker has already worked, for the rules that look beyond one day.

    ``previous_shift_end``: end of their last piece of work before this day, in
    seconds from origin (negative: the day before), or None if unknown/long ago.
    ``week_worked``: seconds already worked in this calendar week (Monday onwards)
    before this day. ``reference_worked`` and ``reference_days``: seconds worked in
    the averaging reference period (default 17 weeks) before this day and its length.
    ``recent_clients``: client id → visits made in the last 14 days.
    """

    previous_shift_end: int | None = None
    week_worked: int = 0
    reference_worked: int = 0
    reference_days: int = 0
    recent_clients: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """One worker on one day."""

    id: int
    name: str
    area_id: int
    home: Point
    transport_mode: str
    gender: str
    skills: frozenset[str]
    shifts: tuple[Shift, ...]
    hourly_pay_pence: int = 1221 + 100
    contracted_seconds_per_week: int = 37 * 3600
    minimum_seconds_per_week: int = 0
    opted_out_of_48h: bool = False
    young_worker: bool = False
    history: WorkerHistory = field(default_factory=WorkerHistory)


@dataclass(frozen=True, slots=True)
class VisitSpec:
    """One visit on one day; a double-handed visit (``carers_required == 2``) is one spec.

    The visit must *start* in [earliest_start, latest_start]; ``preferred_start``
    is the time asked for (the prescribed time for a time-critical visit).
    ``pinned_workers``: workers a coordinator fixed it to (kept as given).
    ``published_workers`` and ``published_start``: the currently published
    assignment, if any (moving it may be penalised). ``fixed``: already started or
    checked in: it must stay with ``published_workers`` at ``published_start``.
    ``team_workers``: the client's regular team for the week (see
    :mod:`scheduler.teams`); a carer outside it costs ``continuity_team_cost``.
    ``planned_worker`` and ``planned_start``: the team member and start the week's
    rough timetable gave the visit (the first plan's first choice for its first carer).
    ``week_workers``: the carers who served the client earlier in the calendar week
    (published rotas before the visit's day); a carer outside the team and outside
    them costs ``continuity_new_carer_cost`` as well.
    ``published_unallocated``: the published rota of the day left it unallocated
    (a re-plan places it only where that moves little, see
    ``Parameters.published_unallocated_drop_penalty``).
    """

    id: int
    client_id: int
    area_id: int
    location: Point
    earliest_start: int
    latest_start: int
    preferred_start: int
    duration: int
    required_skills: frozenset[str] = frozenset()
    carers_required: int = 1
    time_critical: bool = False
    priority: int = 3
    tasks: str = ""
    carer_gender: str = "any"
    carer_gender_strict: bool = False
    declined_workers: frozenset[int] = frozenset()
    preferred_workers: frozenset[int] = frozenset()
    team_workers: frozenset[int] = frozenset()
    planned_worker: int | None = None
    planned_start: int | None = None
    week_workers: frozenset[int] = frozenset()
    pinned_workers: tuple[int, ...] = ()
    published_workers: tuple[int, ...] = ()
    published_start: int | None = None
    fixed: bool = False
    published_unallocated: bool = False

    def __post_init__(self) -> None:
        if self.latest_start < self.earliest_start:
            raise ValueError(f"visit {self.id}: window closes before it opens")
        if self.duration <= 0:
            raise ValueError(f"visit {self.id}: duration must be positive")
        if self.carers_required not in (1, 2):
            raise ValueError(f"visit {self.id}: carers_required must be 1 or 2")


@dataclass(frozen=True, slots=True)
class Problem:
    """A day to plan: workers, visits and how to travel between them."""

    day: date
    origin: datetime
    workers: tuple[WorkerSpec, ...]
    visits: tuple[VisitSpec, ...]
    travel: TravelModel = field(default_factory=TravelModel)
    name: str = ""


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A worker's stop: ``travel`` is the travel time from the previous stop (or home)."""

    visit_id: int
    worker_id: int
    sequence: int
    start: int
    end: int
    travel: int


@dataclass(frozen=True, slots=True)
class DroppedVisit:
    """A visit not allocated, with a reason a coordinator can act on."""

    visit_id: int
    reason_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlannedBreak:
    """A rest break in a worker's day: [start, end) in seconds from origin.

    Breaks are not working time; the Working Time Regulations' rest break must lie
    strictly inside the working day (not at its start or end).
    """

    worker_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Result:
    """What the solver returns: plain data, nothing to do with OR-Tools."""

    assignments: tuple[PlannedVisit, ...]
    dropped: tuple[DroppedVisit, ...]
    objective: dict[str, int]
    status: str
    wall_seconds: float
    carers_per_client: dict[int, int] = field(default_factory=dict)
    worker_figures: dict[int, dict[str, int]] = field(default_factory=dict)
    breaks: tuple[PlannedBreak, ...] = ()
