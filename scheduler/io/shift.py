"""Move a dataset's calendar dates by whole weeks, so a committed sample stays current.

The sample under ``data/sample`` was generated for one day (its ``as_of`` file).
Training expires, care plans start and absences fall on absolute dates, so a
demo run months later would find expired training and fewer visits. Shifting
every calendar date by whole weeks keeps weekdays (rosters, care-plan days)
exactly as generated while bringing the dataset to the day being planned.
Dates of birth are facts about people and are not moved.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

#: Per file, the columns holding calendar dates or date-times that move with the sample.
SHIFTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "absences.csv": ("starts_at", "ends_at"),
    "availability.csv": ("valid_from", "valid_until"),
    "care_plans.csv": ("valid_from", "valid_until"),
    "training.csv": ("completed_on", "expires_on"),
    "workers.csv": ("start_date",),
}

AS_OF_FILE = "as_of"


def sample_as_of(folder: Path) -> date | None:
    """The day ``folder``'s dataset was generated for, if it says (an ``as_of`` file)."""
    marker = folder / AS_OF_FILE
    if not marker.is_file():
        return None
    return date.fromisoformat(marker.read_text(encoding="utf-8").strip())


def weeks_between(as_of: date, day: date) -> int:
    """Whole weeks from ``as_of`` to ``day`` (rounded down; negative if ``day`` is earlier)."""
    return (day - as_of).days // 7


def _shifted(value: str, delta: timedelta) -> str:
    if not value:
        return value
    if len(value) == 10:
        return (date.fromisoformat(value) + delta).isoformat()
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return (moment + delta).isoformat()
    # Same wall-clock time in London on the shifted day, whatever the clocks did between.
    local = moment.astimezone(LONDON).replace(tzinfo=None) + delta
    return local.replace(tzinfo=LONDON).isoformat()


def shift_dataset(source: Path, target: Path, weeks: int) -> Path:
    """Copy the dataset in ``source`` to ``target`` with its dates moved by ``weeks`` weeks.

    Files without date columns are copied unchanged; the byte-order mark and the
    column order of every file are kept. Returns ``target``.
    """
    target.mkdir(parents=True, exist_ok=True)
    delta = timedelta(weeks=weeks)
    for path in sorted(source.iterdir()):
        if not path.is_file():
            continue
        columns = SHIFTED_COLUMNS.get(path.name)
        if not columns or weeks == 0:
            shutil.copyfile(path, target / path.name)
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            for column in columns:
                if column in row:
                    row[column] = _shifted(row[column], delta)
        with (target / path.name).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    return target
