"""Write exported rows as CSV or JSON text.

CSV cells that hold *text* and begin with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return are prefixed with a single quote, so a spreadsheet shows them
rather than running them as formulas (CSV injection). Numbers, dates, times and
true/false are written as they are — a longitude of ``-1.5491`` stays a number.
The importer removes the quote again, so exports round-trip. JSON is not
neutralised: it is not opened by spreadsheets, and its values keep their types
(lists are JSON arrays, numbers are numbers, empty values are null).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from scheduler.io.cells import LIST_SEPARATOR
from scheduler.io.dump import Cell, ExportRow
from scheduler.io.reader import FORMULA_TRIGGERS, Format


def neutralise(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: ``=1+1`` → ``'=1+1``."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write(rows: Sequence[ExportRow], columns: Sequence[str], format: Format) -> str:
    """``rows`` as CSV (header first) or as a JSON list of objects."""
    if format == "json":
        return to_json(rows, columns)
    return to_csv(rows, columns)


def to_csv(rows: Sequence[ExportRow], columns: Sequence[str]) -> str:
    """A CSV text with a header row, lines ending CRLF (RFC 4180)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(columns)
    for row in rows:
        out.writerow([csv_cell(row[column]) for column in columns])
    return buffer.getvalue()


def csv_cell(value: Cell) -> str:
    """One value as CSV text; only text (and lists of text) is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return neutralise(LIST_SEPARATOR.join(value))
    if isinstance(value, str):
        return neutralise(value)
    return iso(value)


def iso(value: date | time | datetime) -> str:
    """A date, time (HH:MM, or HH:MM:SS when it has seconds) or instant in ISO 8601."""
    if isinstance(value, time):
        return value.isoformat("minutes" if not value.second and not value.microsecond else "auto")
    return value.isoformat()


def to_json(rows: Sequence[ExportRow], columns: Sequence[str]) -> str:
    """A JSON list of objects, two-space indented, UTF-8 text kept as it is."""
    objects = [{column: json_value(row[column]) for column in columns} for row in rows]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


def json_value(value: Cell) -> object:
    """One value as JSON: decimals become numbers, dates and times ISO 8601 text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date | time | datetime):
        return iso(value)
    return value
