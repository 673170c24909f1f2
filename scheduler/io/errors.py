"""What an import reports: one :class:`RowError` per problem, raised together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an import file, phrased for the person who made the file.

    ``row`` counts as a spreadsheet does: the CSV header is row 1, so the first
    data row is row 2; in JSON the first object is row 1. ``row`` is None for a
    problem with the whole file (encoding, size, malformed JSON). ``column`` is
    the column (CSV) or field (JSON) at fault, several joined by ", " for a
    header problem, or None. ``file`` names the file within a dataset folder.
    """

    row: int | None
    column: str | None
    reason: str
    file: str | None = None

    def __str__(self) -> str:
        place = []
        if self.file:
            place.append(self.file)
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column:
            noun = "columns" if ", " in self.column else "column"
            place.append(f"{noun} {self.column}")
        return f"{', '.join(place)}: {self.reason}" if place else self.reason

    def in_file(self, file: str) -> RowError:
        """The same problem, labelled with the dataset file it came from."""
        return RowError(self.row, self.column, self.reason, file)


class ImportRejected(Exception):
    """A file (or dataset) was refused whole; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors: list[RowError] = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        count = len(self.errors)
        heading = f"nothing was imported: {count} problem{'s' if count != 1 else ''} found"
        return "\n".join([heading, *(f"  {error}" for error in self.errors)])


class ColumnProblem(ValueError):
    """A check across several columns failed; ``column`` is the one to correct.

    Raised inside row models so the problem is reported against a column rather
    than against the row as a whole.
    """

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
