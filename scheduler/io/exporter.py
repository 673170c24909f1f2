"""Export each kind, or a whole dataset folder, in the format the importer reads back."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from sqlmodel import Session

from scheduler.io.kinds import KINDS, get_kind
from scheduler.io.reader import FORMATS, Format
from scheduler.io.writer import write


def export_kind(
    session: Session, kind: str, format: Format, *, area_ids: Collection[int] | None = None
) -> str:
    """The rows of ``kind`` as CSV or JSON text.

    ``area_ids`` limits the rows to those areas: their areas, workers (and the
    workers' availability, absences and training), clients and the clients'
    care plans. Courses belong to no area and are always exported whole. None
    exports everything. CSV text cells are neutralised against spreadsheet
    formulas (see :mod:`scheduler.io.writer`).
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected 'csv' or 'json'")
    spec = get_kind(kind)
    return write(spec.dump(session, area_ids), spec.columns, format)


def export_dataset(
    session: Session,
    directory: str | os.PathLike[str],
    area_ids: Collection[int] | None = None,
    *,
    format: Format = "csv",
) -> list[Path]:
    """Write one file per kind (``areas.csv`` …) into ``directory``; return their paths.

    The folder is created if needed and files of the same names are replaced.
    CSV files start with a UTF-8 byte-order mark so that Excel reads accents
    correctly; the importer accepts it.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in KINDS:
        path = folder / f"{name}.{format}"
        encoding = "utf-8-sig" if format == "csv" else "utf-8"
        path.write_text(
            export_kind(session, name, format, area_ids=area_ids), encoding=encoding, newline=""
        )
        written.append(path)
    return written
