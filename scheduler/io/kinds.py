"""The kinds of file the service imports and exports, in dependency order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from scheduler.io import dump
from scheduler.io.load_clients import load_care_plans, load_clients
from scheduler.io.load_places import load_areas, load_courses
from scheduler.io.load_workers import load_absences, load_availability, load_training, load_workers
from scheduler.io.schemas import (
    AbsenceRow,
    AreaRow,
    AvailabilityRow,
    CarePlanRow,
    ClientRow,
    CourseRow,
    RowModel,
    TrainingRow,
    WorkerRow,
)
from scheduler.io.store import Outcome, Refused
from scheduler.io.validation import Parsed

R = TypeVar("R", bound=RowModel)


@dataclass(frozen=True, slots=True)
class Kind(Generic[R]):
    """One kind of file: its row model, how it is stored, and how it is read back out."""

    name: str
    schema: type[R]
    load: Callable[[Session, Sequence[Parsed[R]], Refused], Outcome]
    dump: Callable[[Session, dump.AreaIds], list[dump.ExportRow]]

    @property
    def columns(self) -> list[str]:
        """The columns of this kind's files, in export order."""
        return self.schema.columns()


#: Every kind, in the order a dataset is imported (each refers only to those before it).
KINDS: dict[str, Kind[Any]] = {
    kind.name: kind
    for kind in (
        Kind("areas", AreaRow, load_areas, dump.dump_areas),
        Kind("courses", CourseRow, load_courses, dump.dump_courses),
        Kind("workers", WorkerRow, load_workers, dump.dump_workers),
        Kind("availability", AvailabilityRow, load_availability, dump.dump_availability),
        Kind("absences", AbsenceRow, load_absences, dump.dump_absences),
        Kind("training", TrainingRow, load_training, dump.dump_training),
        Kind("clients", ClientRow, load_clients, dump.dump_clients),
        Kind("care_plans", CarePlanRow, load_care_plans, dump.dump_care_plans),
    )
}


def get_kind(name: str) -> Kind[Any]:
    """The kind called ``name``; a ``ValueError`` naming the kinds if there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown kind {name!r}; the kinds are: {', '.join(KINDS)}") from None
