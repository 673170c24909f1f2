"""Helpers the loaders share: outcomes, upserts, look-ups and reference problems."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from scheduler.db.models import Area, Worker
from scheduler.io.errors import RowError

K = TypeVar("K")
M = TypeVar("M", bound=SQLModel)
T = TypeVar("T")

#: Rows per ``IN (...)`` list, well below SQLite's and PostgreSQL's parameter limits.
CHUNK = 500

#: Keys of rows refused earlier in the same dataset import, by kind: ``{"workers": {"W001"}}``.
Refused = Mapping[str, Collection[str]]


@dataclass(frozen=True, slots=True)
class Reference:
    """What a column refers to: records of ``noun`` named by ``attribute``, from ``kind`` files."""

    kind: str
    noun: str
    attribute: str


AREA = Reference("areas", "area", "code")
COURSE = Reference("courses", "course", "code")
SKILL = Reference("skills", "skill", "code")  # skills have no file of their own
WORKER = Reference("workers", "worker", "ref")
CLIENT = Reference("clients", "client", "NHS number")


@dataclass
class Outcome:
    """What a loader did: problems found, and records created, updated and removed."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    removed: int = 0


def upsert(
    session: Session,
    existing: dict[K, M],
    key: K,
    model: type[M],
    values: dict[str, Any],
    outcome: Outcome,
    *,
    leave: Collection[str] = (),
) -> M:
    """Update the record ``existing[key]`` with ``values``, or add a new one.

    ``leave`` names attributes an update must not touch (optional columns the
    file did not have); a new record takes every value.
    """
    record = existing.get(key)
    if record is None:
        record = model(**values)
        session.add(record)
        existing[key] = record
        outcome.created += 1
        return record
    for name, value in values.items():
        if name not in leave:
            setattr(record, name, value)
    outcome.updated += 1
    return record


def area_ids(session: Session) -> dict[str, int]:
    """Area code → area id, for every area (including those added earlier in this import)."""
    return {code: id_ for code, id_ in session.exec(select(Area.code, Area.id)) if id_ is not None}


def worker_ids(session: Session) -> dict[str, int]:
    """Worker ref → worker id, for every worker."""
    return {ref: id_ for ref, id_ in session.exec(select(Worker.ref, Worker.id)) if id_ is not None}


def no_such(
    row: int,
    column: str,
    reference: Reference,
    values: Sequence[str],
    known: Collection[str],
    refused: Refused,
) -> RowError:
    """The problem "no worker has ref 'W9'", with a hint when only the case differs.

    A value whose own row was refused earlier in the same dataset is said to be
    refused instead, so the person looks at the real problem first.
    """
    held_back = refused.get(reference.kind, ())
    missing = [value for value in values if value not in held_back]
    withheld = [repr(value) for value in values if value in held_back]
    parts = []
    if missing:
        by_lower = {value.lower(): value for value in known}
        shown = []
        for value in missing:
            near = by_lower.get(value.lower())
            shown.append(f"{value!r} (did you mean {near!r}?)" if near else repr(value))
        parts.append(f"no {reference.noun} has {reference.attribute} {' or '.join(shown)}")
    if withheld:
        verb = "was" if len(withheld) == 1 else "were"
        parts.append(
            f"{reference.noun} {' and '.join(withheld)} {verb} refused in the {reference.kind} file"
        )
    return RowError(row, column, "; ".join(parts))


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
