"""Turn the bytes of a CSV or JSON file into numbered raw rows, or say why not.

Nothing here knows what a worker or a client is: this module checks the file as
a file (size, encoding, syntax, row count) and hands on each row as a mapping of
normalised column name to raw value (text for CSV; any JSON value for JSON).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scheduler.io.errors import ImportRejected, RowError

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")

#: Characters that make a spreadsheet read a cell as a formula (see writer.neutralise).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much one import file may hold: ``max_bytes`` (bytes) and ``max_rows`` (data rows)."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 100_000

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_rows <= 0:
            raise ValueError("import limits must be positive")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its spreadsheet-style number and its values by column name."""

    number: int
    values: dict[str, object]


@dataclass(frozen=True, slots=True)
class RawTable:
    """The readable rows of a file, and ``problems`` with rows that could not be read.

    ``header`` holds the CSV header (None for JSON, where each object names its
    fields). A row with a problem here (wrong number of cells, not an object) is
    left out of ``rows``.
    """

    format: Format
    header: tuple[str, ...] | None
    rows: list[RawRow]
    problems: list[RowError]


Source = str | os.PathLike[str] | bytes


def read_source(source: Source, limits: ImportLimits) -> tuple[bytes, str | None]:
    """The bytes of ``source`` (a path or the content itself) and its extension, if any.

    A path is a ``str`` or ``PathLike``; content is ``bytes``. The size limit is
    checked before a file is read.
    """
    if isinstance(source, bytes):
        check_size(len(source), limits)
        return source, None
    path = Path(source)
    check_size(path.stat().st_size, limits)
    return path.read_bytes(), path.suffix.lower().lstrip(".") or None


def check_size(size: int, limits: ImportLimits) -> None:
    """Refuse a file larger than ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise ImportRejected(
            [
                RowError(
                    None,
                    None,
                    f"the file is {_size(size)}; the largest accepted is "
                    f"{_size(limits.max_bytes)} (split it into smaller files)",
                )
            ]
        )


def choose_format(data: bytes, extension: str | None, given: str | None = None) -> Format:
    """The format named by ``given``, else by the file's extension, else by its first character."""
    if given is not None:
        if given not in FORMATS:
            raise ValueError(f"unknown format {given!r}; expected 'csv' or 'json'")
        return given
    if extension in FORMATS:
        return extension
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in (b"[", b"{") else "csv"


def parse(data: bytes, format: Format, limits: ImportLimits) -> RawTable:
    """Decode and parse ``data``; raise :class:`ImportRejected` for a file that cannot be read."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(None, None, "the file is empty")])
    if format == "json":
        return _parse_json(text, limits)
    return _parse_csv(text, limits)


def decode(data: bytes) -> str:
    """``data`` as text: UTF-8, with or without a byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(
            [RowError(None, None, "the file is UTF-16 text; save it as UTF-8 (“CSV UTF-8”)")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise ImportRejected(
            [
                RowError(
                    None,
                    None,
                    f"the file is not UTF-8 text (byte 0x{byte:02X} on line {line}); "
                    "save it as UTF-8 (“CSV UTF-8” in Excel)",
                )
            ]
        ) from None


def normalise_column(name: str) -> str:
    """A column name as the schemas spell it: ``Home Postcode`` → ``home_postcode``."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def unneutralise(cell: str) -> str:
    """Undo export's formula guard: ``'=text`` → ``=text`` (other cells unchanged).

    Applied to CSV cells after stripping their surrounding spaces, so text the
    guard protected (even ``'\t…``) comes back exactly as it was exported.
    """
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def _parse_csv(text: str, limits: ImportLimits) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[RawRow] = []
    errors: list[RowError] = []
    number = 0
    header: tuple[str, ...] = ()
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                header = tuple(normalise_column(cell) for cell in cells)
                continue
            cleaned = [unneutralise(cell.strip()) for cell in cells]
            if not any(cleaned):
                continue  # a blank row: spreadsheets leave them; it still counts
            if len(rows) >= limits.max_rows:
                raise ImportRejected([RowError(number, None, _too_many_rows(limits))])
            row, problem = _csv_row(number, header, cleaned)
            if problem:
                errors.append(problem)
            else:
                rows.append(row)
    except csv.Error as error:
        raise ImportRejected(
            [*errors, RowError(number + 1, None, f"the CSV cannot be read here: {error}")]
        ) from None
    return RawTable("csv", header, rows, errors)


def _csv_row(
    number: int, header: tuple[str, ...], cells: list[str]
) -> tuple[RawRow, RowError | None]:
    """Pair cells with the header; unnamed columns may only hold blanks."""
    problem = None
    if len(cells) > len(header) and any(cells[len(header) :]):
        problem = RowError(
            number,
            None,
            f"this row has {len(cells)} values but the header names {len(header)} columns",
        )
    elif len(cells) < len(header):
        problem = RowError(
            number,
            None,
            f"this row has {len(cells)} values but the header names {len(header)} columns "
            "(a missing comma?)",
        )
    values: dict[str, object] = {}
    for position, (name, cell) in enumerate(zip(header, cells, strict=False), start=1):
        if name:
            values[name] = cell
        elif cell and problem is None:
            problem = RowError(
                number, None, f"value {cell!r} is under column {position}, which has no name"
            )
    return RawRow(number, values), problem


def _parse_json(text: str, limits: ImportLimits) -> RawTable:
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ImportRejected(
            [
                RowError(
                    None,
                    None,
                    f"the JSON is malformed at line {error.lineno}, "
                    f"column {error.colno}: {error.msg}",
                )
            ]
        ) from None
    except ValueError as error:
        raise ImportRejected([RowError(None, None, str(error))]) from None
    if not isinstance(document, list):
        raise ImportRejected(
            [RowError(None, None, "the JSON must be a list of objects, one object per row")]
        )
    if len(document) > limits.max_rows:
        raise ImportRejected([RowError(None, None, _too_many_rows(limits))])
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            errors.append(
                RowError(number, None, f"expected an object {{...}}, not {json_type(item)}")
            )
            continue
        rows.append(RawRow(number, {normalise_column(k): v for k, v in item.items()}))
    return RawTable("json", None, rows, errors)


def json_type(value: object) -> str:
    """How a person would name the JSON type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _refuse_constant(name: str) -> object:
    raise ValueError(f"the JSON holds {name}, which is not a number JSON allows")


def _too_many_rows(limits: ImportLimits) -> str:
    return f"the file has more than {limits.max_rows:,} rows; split it into smaller files"


def _size(size: int) -> str:
    """A size in bytes as a person would say it: 120 bytes, 3.4 KB, 10.0 MB."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
