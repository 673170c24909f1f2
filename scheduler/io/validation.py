"""Check a raw table against a row model: columns, then each row, then repeated keys.

Every problem is collected, not just the first. The database is not consulted
here; references to other records are checked by the loaders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from scheduler.io.errors import ColumnProblem, RowError
from scheduler.io.reader import RawRow, RawTable
from scheduler.io.schemas import RowModel

R = TypeVar("R", bound=RowModel)


@dataclass(frozen=True, slots=True)
class Parsed(Generic[R]):
    """A row that passed its model: its spreadsheet row number and its values."""

    row: int
    data: R


def validate(table: RawTable, schema: type[R], kind: str) -> tuple[list[Parsed[R]], list[RowError]]:
    """The rows of ``table`` that are valid as ``schema``, and a problem for every one that is not.

    A CSV header is checked once (row 1); each JSON object's fields are checked
    with that object. When required columns are missing from a CSV header, its
    rows are not checked further: every one of them would fail the same way.
    """
    errors: list[RowError] = list(table.problems)
    if table.header is not None:
        errors.extend(check_columns(1, table.header, schema, kind))
        if missing_columns(table.header, schema):
            return [], errors
    parsed: list[Parsed[R]] = []
    for raw in table.rows:
        if table.header is None:
            field_errors = check_columns(raw.number, tuple(raw.values), schema, kind)
            errors.extend(field_errors)
            if field_errors:
                continue
        row, row_errors = validate_row(raw, schema)
        errors.extend(row_errors)
        if row is not None:
            parsed.append(row)
    errors.extend(repeated_keys(parsed))
    return parsed, errors


def check_columns(
    row: int, columns: tuple[str, ...], schema: type[RowModel], kind: str
) -> list[RowError]:
    """Problems with a header (or a JSON object's fields): missing, unknown or repeated names."""
    known = schema.columns()
    named = [column for column in columns if column]
    errors: list[RowError] = []
    missing = missing_columns(columns, schema)
    if missing:
        hint = ""
        if len(named) == 1 and (";" in named[0] or "\t" in named[0]):
            hint = " (the columns seem to be separated by ';' or tabs: use commas)"
        errors.append(RowError(row, ", ".join(missing), f"required but missing{hint}"))
    unknown = [column for column in named if column not in known]
    if unknown:
        errors.append(
            RowError(
                row,
                ", ".join(unknown),
                f"not known in {kind} files; the columns are: {', '.join(known)}",
            )
        )
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        errors.append(RowError(row, ", ".join(repeated), "named more than once"))
    return errors


def missing_columns(columns: tuple[str, ...], schema: type[RowModel]) -> list[str]:
    """The required columns of ``schema`` that ``columns`` lack."""
    return [column for column in schema.required_columns() if column not in columns]


def validate_row(raw: RawRow, schema: type[R]) -> tuple[Parsed[R] | None, list[RowError]]:
    """``raw`` as a ``schema`` row, or a problem for each bad column in it."""
    known = set(schema.columns())
    values = {column: value for column, value in raw.values.items() if column in known}
    try:
        return Parsed(raw.number, schema.model_validate(values)), []
    except ValidationError as failure:
        return None, [_row_error(raw.number, detail) for detail in failure.errors()]


def _row_error(row: int, detail: ErrorDetails) -> RowError:
    """One pydantic error detail as a :class:`RowError`."""
    location = detail["loc"]
    column = str(location[0]) if location else None
    cause = detail.get("ctx", {}).get("error")
    if isinstance(cause, ColumnProblem):
        return RowError(row, cause.column, str(cause))
    if isinstance(cause, ValueError):
        return RowError(row, column, str(cause))
    if detail.get("type") == "missing":
        return RowError(row, column, "a value is required")
    return RowError(row, column, detail["msg"])


def repeated_keys(rows: list[Parsed[R]]) -> list[RowError]:
    """A problem for every row whose key an earlier row of the same file already has."""
    errors: list[RowError] = []
    first_row: dict[tuple[object, ...], int] = {}
    for parsed in rows:
        columns = parsed.data.key_columns
        if not columns:
            continue
        key = parsed.data.key()
        if key in first_row:
            what = " and ".join(columns)
            errors.append(
                RowError(
                    parsed.row,
                    columns[-1],
                    f"repeats row {first_row[key]}: the same {what} may appear only once in a file",
                )
            )
        else:
            first_row[key] = parsed.row
    return errors
