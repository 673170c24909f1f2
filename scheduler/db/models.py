"""The tables of the service: one SQLModel class per entity.

Every instant is a timezone-aware UTC ``datetime`` (see :class:`UTCDateTime`);
local wall-clock times (shift patterns, care-plan windows) are ``time`` values in
Europe/London, converted to instants only when a dated visit or shift is made.
Durations are whole minutes unless a name says otherwise; money is in pence.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from scheduler.db.types import UTCDateTime, utc_now


def _enum(kind: type[enum.Enum]) -> sa.Enum:
    """A portable enum column: a VARCHAR holding the member's value, with a CHECK."""
    return sa.Enum(
        kind,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        name=f"ck_{kind.__name__.lower()}",
    )


class TransportMode(enum.StrEnum):
    CAR = "car"
    WALKING = "walking"
    PUBLIC_TRANSPORT = "public_transport"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class GenderPreference(enum.StrEnum):
    ANY = "any"
    FEMALE = "female"
    MALE = "male"


class AbsenceKind(enum.StrEnum):
    LEAVE = "leave"
    SICKNESS = "sickness"
    OTHER = "other"


class CarerPreferenceKind(enum.StrEnum):
    PREFERRED = "preferred"
    DECLINED = "declined"


class VisitStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    MISSED = "missed"
    CANCELLED = "cancelled"


class PlanRunStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DRAFT = "draft"
    VALIDATED = "validated"
    PUBLISHED = "published"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class Role(enum.StrEnum):
    WORKER = "worker"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"


# --------------------------------------------------------------------------- places


class Region(SQLModel, table=True):
    """A group of areas under one manager (e.g. an integrated care board footprint)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=120)


class Area(SQLModel, table=True):
    """A local team or patch: the unit a coordinator plans."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=120)
    region_id: int = Field(foreign_key="region.id", index=True)
    latitude: float
    longitude: float


# --------------------------------------------------------------------------- workers


class Worker(SQLModel, table=True):
    """A homecare worker, employed in one home area."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True, index=True, description="Employee number")
    name: str = Field(max_length=120)
    area_id: int = Field(foreign_key="area.id", index=True)
    gender: Gender = Field(sa_column=Column(_enum(Gender), nullable=False))
    home_postcode: str = Field(max_length=10)
    home_latitude: float
    home_longitude: float
    transport_mode: TransportMode = Field(sa_column=Column(_enum(TransportMode), nullable=False))
    contracted_minutes_per_week: int = Field(ge=0, le=60 * 60)
    minimum_minutes_per_week: int = Field(default=0, ge=0, description="Soft target")
    start_date: date
    date_of_birth: date | None = None
    opted_out_of_48h: bool = False
    hourly_pay_pence: int = Field(ge=0)
    active: bool = True


class AvailabilityPattern(SQLModel, table=True):
    """One working period of a weekly pattern; two on one weekday make a split shift."""

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start_time: time = Field(description="Local (Europe/London) wall-clock time")
    end_time: time = Field(description="Local wall-clock time, after start_time")
    valid_from: date | None = None
    valid_until: date | None = None


class Absence(SQLModel, table=True):
    """Dated leave or sickness: the worker is unavailable in [starts_at, ends_at)."""

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    kind: AbsenceKind = Field(sa_column=Column(_enum(AbsenceKind), nullable=False))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    note: str = Field(default="", max_length=400)


# --------------------------------------------------------------------------- training


class Skill(SQLModel, table=True):
    """Something a visit can require, conferred by training (e.g. ``peg_feeding``)."""

    code: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=120)


class TrainingCourse(SQLModel, table=True):
    """A course; completing it confers skills until the record expires."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=120)
    refresh_months: int | None = Field(default=None, description="None: never expires")


class CourseSkill(SQLModel, table=True):
    """Which skills a course confers."""

    course_id: int = Field(foreign_key="trainingcourse.id", primary_key=True)
    skill_code: str = Field(foreign_key="skill.code", primary_key=True, max_length=40)


class TrainingRecord(SQLModel, table=True):
    """A worker's completion of a course; valid on day d when completed_on <= d < expires_on."""

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    course_id: int = Field(foreign_key="trainingcourse.id", index=True)
    completed_on: date
    expires_on: date | None = None


# --------------------------------------------------------------------------- clients


class Client(SQLModel, table=True):
    """A person who receives care at home."""

    id: int | None = Field(default=None, primary_key=True)
    nhs_number: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=120)
    area_id: int = Field(foreign_key="area.id", index=True)
    address: str = Field(max_length=300)
    postcode: str = Field(max_length=10)
    latitude: float
    longitude: float
    carer_gender: GenderPreference = Field(
        default=GenderPreference.ANY, sa_column=Column(_enum(GenderPreference), nullable=False)
    )
    carer_gender_strict: bool = Field(default=False, description="True: a hard rule")
    access_notes: str = Field(default="", max_length=1000)
    active: bool = True


class ClientCarerPreference(SQLModel, table=True):
    """A client's preferred or declined carer."""

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    kind: CarerPreferenceKind = Field(sa_column=Column(_enum(CarerPreferenceKind), nullable=False))


class CarePlan(SQLModel, table=True):
    """A recurring visit: on these weekdays, start within this local window."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True, index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    weekdays: list[int] = Field(sa_column=Column(JSON, nullable=False), description="0 = Monday")
    window_start: time = Field(description="Earliest local start")
    window_end: time = Field(description="Latest local start")
    preferred_start: time | None = Field(default=None, description="Prescribed or asked-for time")
    duration_minutes: int = Field(gt=0, le=600)
    required_skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    carers_required: int = Field(default=1, ge=1, le=2)
    time_critical: bool = False
    priority: int = Field(default=3, ge=1, le=5, description="1 = most important")
    tasks: str = Field(default="", max_length=1000)
    valid_from: date
    valid_until: date | None = None


class Visit(SQLModel, table=True):
    """One dated visit, made from a care plan (or added ad hoc, e.g. a discharge)."""

    id: int | None = Field(default=None, primary_key=True)
    care_plan_id: int | None = Field(default=None, foreign_key="careplan.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    day: date = Field(index=True, description="The local date of the visit")
    earliest_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    latest_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    preferred_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_minutes: int = Field(gt=0, le=600)
    required_skills: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    carers_required: int = Field(default=1, ge=1, le=2)
    time_critical: bool = False
    priority: int = Field(default=3, ge=1, le=5)
    tasks: str = Field(default="", max_length=1000)
    status: VisitStatus = Field(
        default=VisitStatus.SCHEDULED, sa_column=Column(_enum(VisitStatus), nullable=False)
    )
    pinned_worker_id: int | None = Field(default=None, foreign_key="worker.id")
    pinned_second_worker_id: int | None = Field(default=None, foreign_key="worker.id")
    version: int = Field(default=1, description="Bumped on every change (optimistic concurrency)")

    __table_args__ = (
        sa.UniqueConstraint("care_plan_id", "day", name="uq_visit_care_plan_day"),
        sa.Index("ix_visit_area_day", "area_id", "day"),
    )


# --------------------------------------------------------------------------- planning


class PlanRun(SQLModel, table=True):
    """One attempt to plan a date for some areas: pending → running → draft → published."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True, description="Idempotency key")
    day: date = Field(index=True)
    status: PlanRunStatus = Field(
        default=PlanRunStatus.PENDING, sa_column=Column(_enum(PlanRunStatus), nullable=False)
    )
    trigger: str = Field(default="manual", max_length=20)
    requested_by: int | None = Field(default=None, foreign_key="useraccount.id")
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    progress_done: int = 0
    progress_total: int = 0
    visits_total: int = 0
    visits_allocated: int = 0
    objective: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=4000)
    owner: str = Field(default="", max_length=120, description="The planner process running it")
    lease_expires_at: datetime | None = Field(
        default=None,
        sa_column=Column(UTCDateTime()),
        description="Renewed while the planner lives; past it, the run is abandoned",
    )


class PlanRunArea(SQLModel, table=True):
    """The areas a plan run covers."""

    plan_run_id: int = Field(foreign_key="planrun.id", primary_key=True)
    area_id: int = Field(foreign_key="area.id", primary_key=True)


class Assignment(SQLModel, table=True):
    """A worker's planned visit in a plan run."""

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="planrun.id", index=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    sequence: int = Field(description="Position in the worker's route, from 0")
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    travel_seconds: int = Field(ge=0, description="Travel from the previous stop (or home)")

    __table_args__ = (
        sa.UniqueConstraint("plan_run_id", "visit_id", "worker_id", name="uq_assignment"),
    )


class UnallocatedVisit(SQLModel, table=True):
    """A visit a plan run could not allocate, with a reason a coordinator can act on."""

    id: int | None = Field(default=None, primary_key=True)
    plan_run_id: int = Field(foreign_key="planrun.id", index=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    reason_code: str = Field(max_length=40)
    reason: str = Field(max_length=400)


class WeekPlanRecord(SQLModel, table=True):
    """An area's regular teams and rough timetable for a calendar week, made once
    and kept (:mod:`scheduler.week_plans`). ``fingerprint`` is a digest of everything
    they were made from; a plan whose inputs have changed is made again, unless it
    is ``routed`` (made ahead by the weekly job, :mod:`scheduler.week_routing`),
    which is kept for its whole week."""

    __tablename__ = "weekplan"

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id")
    monday: date = Field(description="The local date the week starts")
    fingerprint: str = Field(max_length=64)
    teams: list[Any] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="[client id, [worker ids]] per client",
    )
    promised: list[Any] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="[visit id, worker id, start in seconds after local midnight] per visit",
    )
    routed: bool = Field(
        default=False,
        sa_column=Column(sa.Boolean(), nullable=False, server_default=sa.false()),
        description="Made by routing the week (kept all week), not by the greedy cover",
    )
    made_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )

    __table_args__ = (sa.UniqueConstraint("area_id", "monday", name="uq_weekplan_area_monday"),)


class PublishedRota(SQLModel, table=True):
    """Which plan run is the published rota of an (area, day): flipped in one transaction."""

    area_id: int = Field(foreign_key="area.id", primary_key=True)
    day: date = Field(primary_key=True)
    plan_run_id: int = Field(foreign_key="planrun.id")
    published_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


# --------------------------------------------------------------------------- people and audit


class UserAccount(SQLModel, table=True):
    """A login with a role and a scope (own worker record, areas, or a region)."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_column=Column(_enum(Role), nullable=False))
    worker_id: int | None = Field(default=None, foreign_key="worker.id")
    region_id: int | None = Field(default=None, foreign_key="region.id")
    active: bool = True
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ApiToken(SQLModel, table=True):
    """An opaque bearer token: only its SHA-256 digest is stored; expiring and revocable."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="useraccount.id", index=True)
    digest: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class UserArea(SQLModel, table=True):
    """The areas a coordinator's account covers."""

    user_id: int = Field(foreign_key="useraccount.id", primary_key=True)
    area_id: int = Field(foreign_key="area.id", primary_key=True)


class AuditEntry(SQLModel, table=True):
    """Who read or changed what, and when. Never holds secrets."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False))
    user_id: int | None = Field(default=None, foreign_key="useraccount.id", index=True)
    actor: str = Field(max_length=80, description="Username, or 'system'")
    action: str = Field(max_length=40, description="read, create, update, delete, import, plan")
    entity: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=80)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --------------------------------------------------------------------------- the web layer


class CheckKind(enum.StrEnum):
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt: kept so every server process slows, then refuses, repeated failures."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    username: str = Field(max_length=80, index=True)
    remote_addr: str = Field(default="", max_length=64, index=True)
    succeeded: bool = False


class VisitCheck(SQLModel, table=True):
    """A worker's check-in or check-out at a visit: when, and where their phone said they were."""

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    kind: CheckKind = Field(sa_column=Column(_enum(CheckKind), nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy_metres: float | None = Field(default=None, ge=0)

    __table_args__ = (sa.UniqueConstraint("visit_id", "worker_id", "kind", name="uq_visit_check"),)


class RouteSeen(SQLModel, table=True):
    """The stops of a worker's route as they last saw it, to show what changed since."""

    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    day: date = Field(primary_key=True)
    seen_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    stops: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


# --------------------------------------------------------------------------- the daily job


class ClaimStatus(enum.StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"


class PlanClaim(SQLModel, table=True):
    """The daily job's exactly-once guard: one row per (area, day) it plans."""

    area_id: int = Field(foreign_key="area.id", primary_key=True)
    day: date = Field(primary_key=True)
    owner: str = Field(max_length=120)
    status: ClaimStatus = Field(sa_column=Column(_enum(ClaimStatus), nullable=False))
    lease_expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    attempts: int = 1
    plan_run_id: int | None = Field(default=None, foreign_key="planrun.id")
    updated_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class NoticeAudience(enum.StrEnum):
    WORKER = "worker"
    CLIENT = "client"


class ChangeNotice(SQLModel, table=True):
    """A change to a published rota that someone must be told about.

    Workers get the changes to their day; clients get a "different carer" notice
    when the carer coming to them changes.
    """

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    plan_run_id: int = Field(foreign_key="planrun.id", index=True)
    audience: NoticeAudience = Field(sa_column=Column(_enum(NoticeAudience), nullable=False))
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    kind: str = Field(max_length=40, description="added, removed, moved, different_carer")
    message: str = Field(max_length=400)
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
