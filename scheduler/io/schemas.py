"""One pydantic model per kind of row: the columns of each file and how each is read.

A field's alias, where it has one, is the column name (e.g. the column
``contracted_hours_per_week`` fills ``contracted_minutes_per_week``); fields with
a default are optional columns. Units: times are Europe/London wall-clock;
durations are whole minutes; money is pence; coordinates are WGS84 degrees.
Checks that need the database (does area ``N01`` exist?) live in the loaders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from scheduler.db.models import (
    AbsenceKind,
    Area,
    CarePlan,
    Client,
    Gender,
    GenderPreference,
    Region,
    TrainingCourse,
    TransportMode,
    Worker,
)
from scheduler.io import cells
from scheduler.io.errors import ColumnProblem


def _length(table: Any, column: str) -> int:
    """The declared maximum length of ``table.column``, so limits cannot drift."""
    return int(table.__table__.c[column].type.length)


# Cell types shared between kinds.
Code = Annotated[str, PlainValidator(cells.code())]
CodeList = Annotated[list[str], PlainValidator(cells.separated(cells.code()))]
Name = Annotated[str, PlainValidator(cells.text(_length(Worker, "name")))]
Latitude = Annotated[float, PlainValidator(cells.number(-90, 90))]
Longitude = Annotated[float, PlainValidator(cells.number(-180, 180))]
Day = Annotated[date, PlainValidator(cells.day)]
OptionalDay = Annotated[date | None, PlainValidator(cells.optional(cells.day, None))]
Time = Annotated[time, PlainValidator(cells.clock_time)]
Postcode = Annotated[str, PlainValidator(cells.postcode)]
NHSNumber = Annotated[str, PlainValidator(cells.nhs_number)]


Flag = Annotated[bool, PlainValidator(cells.optional(cells.boolean, False))]
FlagOn = Annotated[bool, PlainValidator(cells.optional(cells.boolean, True))]


class RowModel(BaseModel):
    """A validated row. ``key_columns`` name the columns that identify it within a file."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key_columns: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def columns(cls) -> list[str]:
        """Every column, in the order exports write them."""
        return [info.alias or name for name, info in cls.model_fields.items()]

    @classmethod
    def required_columns(cls) -> list[str]:
        """The columns a file must have."""
        return [info.alias or name for name, info in cls.model_fields.items() if info.is_required()]

    def key(self) -> tuple[object, ...]:
        """The values of ``key_columns``: two rows of a file may not share them."""
        by_column = {info.alias or name: name for name, info in type(self).model_fields.items()}
        return tuple(getattr(self, by_column[column]) for column in self.key_columns)

    @classmethod
    def raw_key(cls, values: Mapping[str, object]) -> str | None:
        """How other files would name the record in a raw (perhaps invalid) row, if they can."""
        if len(cls.key_columns) != 1 or cells.is_blank(values.get(cls.key_columns[0])):
            return None
        return str(values[cls.key_columns[0]]).strip()

    def absent(self) -> set[str]:
        """Optional fields whose column the file did not have: an update leaves them alone."""
        return set(type(self).model_fields) - self.model_fields_set


def _after(first: Any, last: Any, column: str, first_column: str, *, strict: bool) -> None:
    """Raise unless ``last`` is after ``first`` (or equal to it, unless ``strict``).

    Either being None (an empty optional cell) passes.
    """
    if first is None or last is None:
        return
    if last < first or (strict and last == first):
        relation = "after" if strict else "on or after"
        raise ColumnProblem(column, f"must be {relation} {first_column} ({_show(first)})")


def _show(value: object) -> str:
    """A value as the file would write it (times as HH:MM)."""
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class AreaRow(RowModel):
    """``areas``: an area (local team) and the region it belongs to."""

    key_columns: ClassVar[tuple[str, ...]] = ("code",)

    code: Code
    name: Annotated[str, PlainValidator(cells.text(_length(Area, "name")))]
    region_code: Code
    region_name: Annotated[str, PlainValidator(cells.text(_length(Region, "name")))]
    latitude: Latitude
    longitude: Longitude


class CourseRow(RowModel):
    """``courses``: a training course and the skills it confers (``;``-separated codes)."""

    key_columns: ClassVar[tuple[str, ...]] = ("code",)

    code: Code
    name: Annotated[str, PlainValidator(cells.text(_length(TrainingCourse, "name")))]
    refresh_months: Annotated[
        int | None, PlainValidator(cells.optional(cells.whole_number(1, 120, " months"), None))
    ] = None
    skills: CodeList = Field(default_factory=list)


class WorkerRow(RowModel):
    """``workers``: hours are decimal hours a week (stored as minutes), pay is pounds an hour."""

    key_columns: ClassVar[tuple[str, ...]] = ("ref",)

    ref: Code
    name: Name
    area_code: Code
    gender: Annotated[Gender, PlainValidator(cells.choice(Gender))]
    home_postcode: Postcode
    home_latitude: Latitude
    home_longitude: Longitude
    transport_mode: Annotated[TransportMode, PlainValidator(cells.choice(TransportMode))]
    contracted_minutes_per_week: Annotated[int, PlainValidator(cells.hours_as_minutes(60))] = Field(
        alias="contracted_hours_per_week"
    )
    minimum_minutes_per_week: Annotated[
        int, PlainValidator(cells.optional(cells.hours_as_minutes(60), 0))
    ] = Field(default=0, alias="minimum_hours_per_week")
    start_date: Day
    date_of_birth: OptionalDay = None
    opted_out_of_48h: Flag = False
    hourly_pay_pence: Annotated[int, PlainValidator(cells.pounds_as_pence(500))] = Field(
        alias="hourly_pay"
    )
    active: FlagOn = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.minimum_minutes_per_week > self.contracted_minutes_per_week:
            raise ColumnProblem(
                "minimum_hours_per_week", "must not be more than contracted_hours_per_week"
            )
        if self.date_of_birth is not None and self.date_of_birth >= min(
            self.start_date, date.today()
        ):
            raise ColumnProblem("date_of_birth", "must be before start_date and in the past")
        return self


class AvailabilityRow(RowModel):
    """``availability``: one working period of a worker's weekly pattern (local times)."""

    worker_ref: Code
    weekday: Annotated[int, PlainValidator(cells.weekday)]
    start_time: Time
    end_time: Time
    valid_from: OptionalDay = None
    valid_until: OptionalDay = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _after(self.start_time, self.end_time, "end_time", "start_time", strict=True)
        _after(self.valid_from, self.valid_until, "valid_until", "valid_from", strict=False)
        return self


class AbsenceRow(RowModel):
    """``absences``: dated leave or sickness, unavailable from ``starts_at`` to ``ends_at``."""

    key_columns: ClassVar[tuple[str, ...]] = ("worker_ref", "starts_at")

    worker_ref: Code
    kind: Annotated[AbsenceKind, PlainValidator(cells.choice(AbsenceKind))]
    starts_at: Annotated[datetime, PlainValidator(cells.instant)]
    ends_at: Annotated[datetime, PlainValidator(cells.instant)]
    note: Annotated[str, PlainValidator(cells.optional(cells.text(400), ""))] = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _after(self.starts_at, self.ends_at, "ends_at", "starts_at", strict=True)
        return self


class TrainingRow(RowModel):
    """``training``: a worker's completion of a course; an empty ``expires_on`` is computed
    from the course's ``refresh_months`` (or stays empty for a course that never expires)."""

    key_columns: ClassVar[tuple[str, ...]] = ("worker_ref", "course_code", "completed_on")

    worker_ref: Code
    course_code: Code
    completed_on: Day
    expires_on: OptionalDay = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _after(self.completed_on, self.expires_on, "expires_on", "completed_on", strict=True)
        return self


class ClientRow(RowModel):
    """``clients``: a person receiving care; carers are ``;``-separated worker refs."""

    key_columns: ClassVar[tuple[str, ...]] = ("nhs_number",)

    @classmethod
    def raw_key(cls, values: Mapping[str, object]) -> str | None:
        """The NHS number as ten digits, as care plans would give it."""
        try:
            return cells.nhs_number(values.get("nhs_number"))
        except ValueError:
            return None

    nhs_number: NHSNumber
    name: Annotated[str, PlainValidator(cells.text(_length(Client, "name")))]
    area_code: Code
    address: Annotated[str, PlainValidator(cells.text(_length(Client, "address")))]
    postcode: Postcode
    latitude: Latitude
    longitude: Longitude
    carer_gender: Annotated[
        GenderPreference,
        PlainValidator(cells.optional(cells.choice(GenderPreference), GenderPreference.ANY)),
    ] = GenderPreference.ANY
    carer_gender_strict: Flag = False
    access_notes: Annotated[
        str, PlainValidator(cells.optional(cells.text(_length(Client, "access_notes")), ""))
    ] = ""
    preferred_carers: CodeList = Field(default_factory=list)
    declined_carers: CodeList = Field(default_factory=list)
    active: FlagOn = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        both = sorted(set(self.preferred_carers) & set(self.declined_carers))
        if both:
            raise ColumnProblem(
                "declined_carers",
                f"{', '.join(both)} {'is' if len(both) == 1 else 'are'} also in "
                "preferred_carers; a carer cannot be both preferred and declined",
            )
        return self


class CarePlanRow(RowModel):
    """``care_plans``: a recurring visit starting within a local window on some weekdays."""

    key_columns: ClassVar[tuple[str, ...]] = ("ref",)

    ref: Code
    client_nhs_number: NHSNumber
    weekdays: Annotated[list[int], PlainValidator(cells.weekdays)]
    window_start: Time
    window_end: Time
    preferred_start: Annotated[
        time | None, PlainValidator(cells.optional(cells.clock_time, None))
    ] = None
    duration_minutes: Annotated[int, PlainValidator(cells.whole_number(1, 600, " minutes"))]
    required_skills: CodeList = Field(default_factory=list)
    carers_required: Annotated[int, PlainValidator(cells.optional(cells.whole_number(1, 2), 1))] = 1
    time_critical: Flag = False
    priority: Annotated[int, PlainValidator(cells.optional(cells.whole_number(1, 5), 3))] = 3
    tasks: Annotated[
        str, PlainValidator(cells.optional(cells.text(_length(CarePlan, "tasks")), ""))
    ] = ""
    valid_from: Day
    valid_until: OptionalDay = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _after(self.window_start, self.window_end, "window_end", "window_start", strict=False)
        if self.preferred_start is not None and not (
            self.window_start <= self.preferred_start <= self.window_end
        ):
            raise ColumnProblem(
                "preferred_start",
                f"must be within window_start to window_end ({_show(self.window_start)}"
                f"–{_show(self.window_end)})",
            )
        _after(self.valid_from, self.valid_until, "valid_until", "valid_from", strict=False)
        return self
