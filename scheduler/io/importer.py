"""Import one file, or a folder of them, whole or not at all.

Nothing is committed here: on success the work is left in the caller's session
for the caller to commit (e.g. with ``session_scope``, alongside an audit
entry). On any rejected row the session is rolled back — which also discards
anything else pending in it, so give an import a session of its own — and
:class:`ImportRejected` lists every problem found.

Records are upserted by natural key; a record the file does not mention is
never deleted (except availability: see :mod:`scheduler.io.load_workers`).
An optional column the file lacks leaves that value of existing records alone;
a blank cell in a column the file has means the column's default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from scheduler.io.errors import ImportRejected, RowError
from scheduler.io.kinds import KINDS, Kind, get_kind
from scheduler.io.reader import (
    FORMATS,
    ImportLimits,
    RawTable,
    Source,
    choose_format,
    parse,
    read_source,
)
from scheduler.io.validation import validate


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an accepted file did: rows read; records created, updated and removed."""

    kind: str
    rows: int
    created: int
    updated: int
    removed: int = 0

    def __str__(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (
            f"{self.kind}: {self.rows} rows, {self.created} created, "
            f"{self.updated} updated{removed}"
        )


def import_file(
    session: Session,
    kind: str,
    path_or_bytes: Source,
    *,
    format: str | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Import one file of ``kind`` (see :data:`scheduler.io.kinds.KINDS`).

    ``path_or_bytes`` is a path (``str`` or ``PathLike``) or the file's content
    (``bytes``). ``format`` is "csv" or "json"; None takes it from the file's
    extension, or from its first character when there is none. Raises
    :class:`ImportRejected` listing every problem, after rolling the session back.
    """
    spec = get_kind(kind)
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected 'csv' or 'json'")
    with _all_or_nothing(session):
        report, errors = _import(session, spec, path_or_bytes, format, limits or ImportLimits(), {})
        if errors or report is None:
            raise ImportRejected(errors)
        return report


def import_dataset(
    session: Session, directory: str | os.PathLike[str], *, limits: ImportLimits | None = None
) -> dict[str, ImportReport]:
    """Import a folder holding one file per kind (``areas.csv``, ``workers.json``, …).

    Files are read in dependency order (areas, courses, workers, availability,
    absences, training, clients, care plans) in one transaction; a kind without
    a file is skipped. Every problem in every file is reported, each labelled
    with its file. Returns a report per kind imported, in that order.
    """
    limits = limits or ImportLimits()
    with _all_or_nothing(session):
        files, errors = dataset_files(Path(directory))
        reports: dict[str, ImportReport] = {}
        refused: dict[str, set[str]] = {}
        for name, path in files.items():
            report, file_errors = _import(session, KINDS[name], path, None, limits, refused)
            errors.extend(error.in_file(path.name) for error in file_errors)
            if report is not None:
                reports[name] = report
        if errors:
            raise ImportRejected(errors)
        return reports


def dataset_files(directory: Path) -> tuple[dict[str, Path], list[RowError]]:
    """The file of each kind in ``directory`` (in import order), and problems with the folder."""
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory} is not a folder")
    found: dict[str, list[Path]] = {}
    errors: list[RowError] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in (".csv", ".json"):
            continue
        if path.stem in KINDS:
            found.setdefault(path.stem, []).append(path)
        else:
            expected = ", ".join(f"{name}.csv" for name in KINDS)
            errors.append(
                RowError(None, None, f"not a dataset file; the files are: {expected}", path.name)
            )
    for name, paths in found.items():
        if len(paths) > 1:
            names = " and ".join(path.name for path in paths)
            errors.append(RowError(None, None, f"both {names} are present; keep one", name))
    files = {name: found[name][0] for name in KINDS if name in found}
    if not files and not errors:
        errors.append(RowError(None, None, f"no dataset files in {directory}"))
    return files, errors


def _import(
    session: Session,
    spec: Kind[Any],
    source: Source,
    format: str | None,
    limits: ImportLimits,
    refused: dict[str, set[str]],
) -> tuple[ImportReport | None, list[RowError]]:
    """Read, check and store one file; the report (None if unreadable) and its problems.

    ``refused`` holds the keys of rows refused in earlier files of a dataset; the
    keys of this file's refused rows are added to it.
    """
    try:
        data, extension = read_source(source, limits)
        table = parse(data, choose_format(data, extension, format), limits)
    except ImportRejected as rejected:
        return None, rejected.errors
    parsed, errors = validate(table, spec.schema, spec.name)
    outcome = spec.load(session, parsed, refused)
    session.flush()
    errors = sorted([*errors, *outcome.errors], key=lambda error: error.row or 0)
    refused[spec.name] = _refused_keys(table, errors, spec)
    report = ImportReport(
        spec.name, len(table.rows), outcome.created, outcome.updated, outcome.removed
    )
    return report, errors


def _refused_keys(table: RawTable, errors: list[RowError], spec: Kind[Any]) -> set[str]:
    """The keys of the rows refused; all of them when the header itself was refused."""
    header_refused = table.header is not None and any(error.row == 1 for error in errors)
    bad_rows = {error.row for error in errors}
    return {
        key
        for raw in table.rows
        if header_refused or raw.number in bad_rows
        if (key := spec.schema.raw_key(raw.values)) is not None
    }


@contextmanager
def _all_or_nothing(session: Session) -> Iterator[None]:
    """Roll ``session`` back if the block raises (a rejection or anything else)."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
