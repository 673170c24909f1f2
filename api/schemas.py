"""The shapes of the API: request and response models (pydantic), one per purpose.

Requests forbid unknown fields and are parsed strictly (``"5"`` is not a number);
dates are ISO 8601 ``YYYY-MM-DD`` between 2000 and 2100; instants are ISO 8601
with an offset (answers are in Europe/London); local wall-clock times are
``HH:MM`` or ``HH:MM:SS`` without an offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from scheduler.db.models import Gender, GenderPreference, TransportMode

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
TEXT_PATTERN = r"^[^\u0000]*$"
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def _parse_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError as error:
            raise ValueError("must be a real date as YYYY-MM-DD") from error
    else:
        raise ValueError("must be a date as YYYY-MM-DD")
    if not EARLIEST <= parsed <= LATEST:
        raise ValueError("must be between 2000-01-01 and 2100-12-31")
    return parsed


def _parse_time(value: Any) -> Any:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(TIME_PATTERN, value):
        return time.fromisoformat(value)
    raise ValueError("must be a local time as HH:MM (Europe/London, no offset)")


def _check_instant(value: datetime) -> datetime:
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise ValueError("must be between the years 2000 and 2100")
    return value


def _check_text(value: str) -> str:
    if _BAD_TEXT.search(value):
        raise ValueError("must not contain NUL characters or lone surrogates")
    return value


Day = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
LocalTime = Annotated[
    time,
    BeforeValidator(_parse_time),
    WithJsonSchema({"type": "string", "pattern": TIME_PATTERN}),
]
Instant = Annotated[AwareDatetime, AfterValidator(_check_instant)]


def Text(max_length: int, min_length: int = 0) -> Any:
    """A string without control characters, of bounded length."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN),
        AfterValidator(_check_text),
    ]


Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Request(BaseModel):
    """A request body or query: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """A response body; read from ORM rows or dictionaries."""

    model_config = ConfigDict(from_attributes=True)


# --------------------------------------------------------------------------- errors


class ErrorOut(Answer):
    """Every error: the HTTP status, a message a person can act on, and the field at fault."""

    status: int
    message: str
    field: str | None = None


class RowErrorOut(Answer):
    """One problem in an imported file (rows count as in a spreadsheet: header is row 1)."""

    row: int | None
    column: str | None
    reason: str
    file: str | None = None


class ImportErrorOut(ErrorOut):
    """A refused import: nothing was written; every problem is listed."""

    errors: list[RowErrorOut] = []


# --------------------------------------------------------------------------- auth


class TokenRequest(Request):
    username: Text(80, 1)  # type: ignore[valid-type]
    password: Text(200, 1)  # type: ignore[valid-type]


class TokenOut(Answer):
    token: str
    expires_at: datetime
    role: str


class AccountOut(Answer):
    username: str
    role: str
    worker_id: int | None
    area_ids: list[int] | None = Field(description="null: every area (admin)")


# --------------------------------------------------------------------------- queries


class DayQuery(Request):
    date: Day = Field(description="The local date, YYYY-MM-DD")


class CalendarQuery(Request):
    days: int = Field(default=14, ge=1, le=28, description="How many days from today")


class PageQuery(Request):
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


ReportFormat = Literal["json", "csv"]


class ReportQuery(Request):
    from_: Day = Field(alias="from", description="First day, YYYY-MM-DD")
    to: Day = Field(description="Last day, YYYY-MM-DD (at most 62 days after from)")
    area: Id | None = Field(default=None, description="One area (else every area in scope)")
    region: Id | None = Field(default=None, description="One region's areas")
    format: ReportFormat = "json"

    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class CapacityQuery(ReportQuery):
    table: Literal["rows", "next_week"] = Field(default="rows", description="Table for CSV")


class TrainingQuery(Request):
    within_days: int = Field(default=30, ge=0, le=366)
    area: Id | None = None
    region: Id | None = None
    format: ReportFormat = "json"
    table: Literal["items", "compliance", "skills"] = Field(default="items", description="For CSV")


class ImportQuery(Request):
    format: Literal["csv", "json"] | None = Field(
        default=None, description="Else from Content-Type"
    )


# --------------------------------------------------------------------------- places


class AreaOut(Answer):
    id: int
    code: str
    name: str
    region_id: int
    latitude: float
    longitude: float


class AreaList(Answer):
    items: list[AreaOut]


# --------------------------------------------------------------------------- routes


class ClientAtDoor(Answer):
    id: int
    name: str
    address: str
    postcode: str
    latitude: float
    longitude: float
    access_notes: str


class Navigation(Answer):
    geo_uri: str
    maps_url: str


class Partner(Answer):
    worker_id: int
    name: str


class Stop(Answer):
    visit_id: int
    sequence: int
    start: datetime
    end: datetime
    travel_minutes: float = Field(description="From the previous stop (or home)")
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    client: ClientAtDoor
    navigation: Navigation
    tasks: str
    required_skills: list[str]
    carers_required: int
    other_carers: list[Partner]
    time_critical: bool
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    flag: Literal["late", "missed"] | None


class RouteChange(Answer):
    kind: Literal["added", "removed", "moved"]
    visit_id: int
    client_name: str
    previous_start: datetime | None
    start: datetime | None


class WorkerRef(Answer):
    id: int
    ref: str
    name: str


class RouteOut(Answer):
    worker: WorkerRef
    date: date
    published_at: datetime | None
    plan_run_ids: list[int]
    stops: list[Stop]
    last_seen_at: datetime | None
    changes: list[RouteChange]


class CheckRequest(Request):
    at: Instant | None = Field(
        default=None, description="When (for checks sent later); default now"
    )
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy_metres: float | None = Field(default=None, ge=0, le=100_000)


class CheckOut(Answer):
    visit_id: int
    kind: str
    at: datetime
    status: str


# --------------------------------------------------------------------------- coordinators


class RotaStop(Answer):
    visit_id: int
    sequence: int
    start: str
    end: str
    travel_minutes: float
    client_id: int
    client_name: str
    postcode: str
    window: list[str]
    required_skills: list[str]
    carers_required: int
    other_carers: list[int]
    time_critical: bool
    status: str


class RotaRoute(Answer):
    worker_id: int
    worker_ref: str
    name: str
    stops: list[RotaStop]


class UnallocatedVisitOut(Answer):
    visit_id: int
    client_id: int
    client_name: str
    window: list[str] | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    duration_minutes: int
    required_skills: list[str]
    carers_required: int
    reason_code: str
    reason: str


class AreaSummary(Answer):
    id: int
    code: str
    name: str


class RotaOut(Answer):
    area: AreaSummary
    date: str
    plan_run_id: int | None
    published_at: str | None
    workers: list[RotaRoute]
    unallocated: list[UnallocatedVisitOut]


class UnallocatedOut(Answer):
    area_id: int
    date: date
    plan_run_id: int | None
    visits: list[UnallocatedVisitOut]


class AttendanceRow(Answer):
    visit_id: int
    worker_id: int
    worker_name: str
    planned_start: datetime
    planned_end: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    status: str
    flag: Literal["late", "missed"] | None


class AttendanceOut(Answer):
    area_id: int
    date: date
    visits: list[AttendanceRow]


class PlanRequest(Request):
    date: Day
    area_ids: list[Id] = Field(min_length=1, max_length=200)


class Progress(Answer):
    done: int
    total: int


class PlanRunOut(Answer):
    id: int
    date: date
    status: str
    area_ids: list[int]
    progress: Progress
    visits_total: int
    visits_allocated: int
    figures: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    published_at: datetime | None


class VisitOut(Answer):
    id: int
    care_plan_id: int | None
    client_id: int
    area_id: int
    day: date
    earliest_start: datetime
    latest_start: datetime
    preferred_start: datetime
    duration_minutes: int
    required_skills: list[str]
    carers_required: int
    time_critical: bool
    priority: int
    tasks: str
    status: str
    pinned_worker_id: int | None
    pinned_second_worker_id: int | None
    version: int


class VisitPatch(Request):
    """Pin (a worker id), unpin (null) or move the preferred start within the window."""

    pinned_worker_id: Id | None = None
    pinned_second_worker_id: Id | None = None
    preferred_start: Instant | None = None


# --------------------------------------------------------------------------- records


class ClientFields(Request):
    name: Text(120, 1)  # type: ignore[valid-type]
    nhs_number: Text(12, 10) = Field(description="Ten digits (spaces allowed), Modulus 11")  # type: ignore[valid-type]
    address: Text(300, 1)  # type: ignore[valid-type]
    postcode: Text(10, 2)  # type: ignore[valid-type]
    latitude: float = Field(ge=49.0, le=61.0)
    longitude: float = Field(ge=-9.0, le=2.5)
    carer_gender: GenderPreference = GenderPreference.ANY
    carer_gender_strict: bool = False
    access_notes: Text(1000) = ""  # type: ignore[valid-type]
    active: bool = True


class ClientUpdate(Request):
    name: Text(120, 1) | None = None  # type: ignore[valid-type]
    nhs_number: Text(12, 10) | None = None  # type: ignore[valid-type]
    area_id: Id | None = None
    address: Text(300, 1) | None = None  # type: ignore[valid-type]
    postcode: Text(10, 2) | None = None  # type: ignore[valid-type]
    latitude: float | None = Field(default=None, ge=49.0, le=61.0)
    longitude: float | None = Field(default=None, ge=-9.0, le=2.5)
    carer_gender: GenderPreference | None = None
    carer_gender_strict: bool | None = None
    access_notes: Text(1000) | None = None  # type: ignore[valid-type]
    active: bool | None = None


class ClientOut(Answer):
    id: int
    nhs_number: str
    name: str
    area_id: int
    address: str
    postcode: str
    latitude: float
    longitude: float
    carer_gender: str
    carer_gender_strict: bool
    access_notes: str
    active: bool


class ClientPage(Answer):
    items: list[ClientOut]
    total: int
    limit: int
    offset: int


Weekday = Annotated[int, Field(ge=0, le=6)]
Skill = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


class CarePlanFields(Request):
    ref: Text(40, 1)  # type: ignore[valid-type]
    weekdays: list[Weekday] = Field(min_length=1, max_length=7, description="0 = Monday")
    window_start: LocalTime
    window_end: LocalTime
    preferred_start: LocalTime | None = None
    duration_minutes: int = Field(gt=0, le=600)
    required_skills: list[Skill] = Field(default=[], max_length=20)
    carers_required: int = Field(default=1, ge=1, le=2)
    time_critical: bool = False
    priority: int = Field(default=3, ge=1, le=5)
    tasks: Text(1000) = ""  # type: ignore[valid-type]
    valid_from: Day
    valid_until: Day | None = None


class CarePlanUpdate(Request):
    ref: Text(40, 1) | None = None  # type: ignore[valid-type]
    weekdays: list[Weekday] | None = Field(default=None, min_length=1, max_length=7)
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    preferred_start: LocalTime | None = None
    duration_minutes: int | None = Field(default=None, gt=0, le=600)
    required_skills: list[Skill] | None = Field(default=None, max_length=20)
    carers_required: int | None = Field(default=None, ge=1, le=2)
    time_critical: bool | None = None
    priority: int | None = Field(default=None, ge=1, le=5)
    tasks: Text(1000) | None = None  # type: ignore[valid-type]
    valid_from: Day | None = None
    valid_until: Day | None = None


class CarePlanOut(Answer):
    id: int
    ref: str
    client_id: int
    weekdays: list[int]
    window_start: LocalTime
    window_end: LocalTime
    preferred_start: LocalTime | None
    duration_minutes: int
    required_skills: list[str]
    carers_required: int
    time_critical: bool
    priority: int
    tasks: str
    valid_from: date
    valid_until: date | None


class CarePlanList(Answer):
    items: list[CarePlanOut]


class WorkerFields(Request):
    ref: Text(40, 1)  # type: ignore[valid-type]
    name: Text(120, 1)  # type: ignore[valid-type]
    gender: Gender
    home_postcode: Text(10, 2)  # type: ignore[valid-type]
    home_latitude: float = Field(ge=49.0, le=61.0)
    home_longitude: float = Field(ge=-9.0, le=2.5)
    transport_mode: TransportMode
    contracted_minutes_per_week: int = Field(ge=0, le=3600)
    minimum_minutes_per_week: int = Field(default=0, ge=0, le=3600)
    start_date: Day
    date_of_birth: Day | None = None
    opted_out_of_48h: bool = False
    hourly_pay_pence: int = Field(ge=0, le=100_000)
    active: bool = True


class WorkerUpdate(Request):
    ref: Text(40, 1) | None = None  # type: ignore[valid-type]
    name: Text(120, 1) | None = None  # type: ignore[valid-type]
    area_id: Id | None = None
    gender: Gender | None = None
    home_postcode: Text(10, 2) | None = None  # type: ignore[valid-type]
    home_latitude: float | None = Field(default=None, ge=49.0, le=61.0)
    home_longitude: float | None = Field(default=None, ge=-9.0, le=2.5)
    transport_mode: TransportMode | None = None
    contracted_minutes_per_week: int | None = Field(default=None, ge=0, le=3600)
    minimum_minutes_per_week: int | None = Field(default=None, ge=0, le=3600)
    opted_out_of_48h: bool | None = None
    hourly_pay_pence: int | None = Field(default=None, ge=0, le=100_000)
    active: bool | None = None


class WorkerOut(Answer):
    id: int
    ref: str
    name: str
    area_id: int
    gender: str
    home_postcode: str
    home_latitude: float
    home_longitude: float
    transport_mode: str
    contracted_minutes_per_week: int
    minimum_minutes_per_week: int
    start_date: date
    date_of_birth: date | None
    opted_out_of_48h: bool
    hourly_pay_pence: int
    active: bool


class WorkerPage(Answer):
    items: list[WorkerOut]
    total: int
    limit: int
    offset: int


class AvailabilityFields(Request):
    weekday: Weekday = Field(description="0 = Monday")
    start_time: LocalTime
    end_time: LocalTime
    valid_from: Day | None = None
    valid_until: Day | None = None


class AvailabilityOut(Answer):
    id: int
    worker_id: int
    weekday: int
    start_time: LocalTime
    end_time: LocalTime
    valid_from: date | None
    valid_until: date | None


class AvailabilityList(Answer):
    items: list[AvailabilityOut]


class TrainingFields(Request):
    course_id: Id
    completed_on: Day
    expires_on: Day | None = Field(default=None, description="Default: the course's refresh period")


class TrainingOut(Answer):
    id: int
    worker_id: int
    course_id: int
    completed_on: date
    expires_on: date | None


class TrainingList(Answer):
    items: list[TrainingOut]


class ImportReportOut(Answer):
    kind: str
    rows: int
    created: int
    updated: int
    removed: int


# --------------------------------------------------------------------------- reports


class CapacityRow(Answer):
    date: date
    area_id: int
    area_code: str
    demand_hours: float
    available_hours: float
    utilisation: float | None
    published: bool
    travel_share: float | None
    unallocated_visits: int
    double_handed_visits: int
    double_handed_covered: int


class NextWeekRow(Answer):
    area_id: int
    area_code: str
    from_: date = Field(alias="from")
    to: date
    demand_hours: float
    available_hours: float
    new_care_hours_possible: float

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class CapacityOut(Answer):
    from_: date = Field(alias="from")
    to: date
    rows: list[CapacityRow]
    next_week: list[NextWeekRow]

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class TrainingItem(Answer):
    worker_id: int
    worker_name: str
    area_id: int
    course_id: int
    course_code: str
    expires_on: date
    status: Literal["expired", "expiring"]
    days_left: int


class ComplianceRow(Answer):
    area_id: int
    area_code: str
    course_id: int
    course_code: str
    holders: int
    valid: int
    compliance: float | None


class SkillShortage(Answer):
    area_id: int
    area_code: str
    skill: str
    demand_hours: float
    carers_needed: int
    holders_now: int
    holders_after_expiry: int
    short: bool


class TrainingReportOut(Answer):
    today: date
    within_days: int
    items: list[TrainingItem]
    compliance: list[ComplianceRow]
    skills: list[SkillShortage]


class ContinuityRow(Answer):
    client_id: int
    client_name: str
    area_id: int
    week: str
    visits: int
    distinct_carers: int


class ContinuityOut(Answer):
    from_: date = Field(alias="from")
    to: date
    rows: list[ContinuityRow]
    mean_distinct_carers: float | None

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class PayRow(Answer):
    worker_id: int
    worker_name: str
    area_id: int
    days_worked: int
    contact_hours: float
    travel_hours: float
    waiting_hours: float
    hourly_pay_pence: int
    pay_pence: int
    effective_hourly_pence: int
    national_living_wage_pence: int
    below_national_living_wage: bool


class PayOut(Answer):
    from_: date = Field(alias="from")
    to: date
    rows: list[PayRow]

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# --------------------------------------------------------------------------- re-planning


DisruptionKind = Literal["worker_unavailable", "urgent_visit", "cancelled_visit"]


class DisruptionIn(Request):
    """One disruption; which fields are required depends on ``kind``."""

    kind: DisruptionKind
    worker_id: Id | None = Field(default=None, description="worker_unavailable: who")
    starts_at: Instant | None = Field(default=None, description="worker_unavailable: from when")
    client_id: Id | None = Field(default=None, description="urgent_visit: for whom")
    earliest_start: Instant | None = None
    latest_start: Instant | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=600)
    required_skills: list[str] = Field(default_factory=list, max_length=20)
    carers_required: int = Field(default=1, ge=1, le=2)
    time_critical: bool = False
    visit_id: Id | None = Field(default=None, description="cancelled_visit: which")


class DisruptionRequest(Request):
    """Disruptions to an area's day, re-planned together once."""

    date: Day
    disruptions: list[DisruptionIn] = Field(min_length=1, max_length=50)


class VisitChangeSide(Answer):
    workers: list[int]
    start: datetime | None


class VisitChangeOut(Answer):
    visit_id: int
    client_id: int
    kind: str
    before: VisitChangeSide
    after: VisitChangeSide


class PlanDiffOut(Answer):
    plan_run_id: int
    compared_with: int | None
    changes: list[VisitChangeOut]
