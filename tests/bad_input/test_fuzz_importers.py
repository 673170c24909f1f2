"""Fuzzing the importers: whatever the CSV or JSON text, only ImportRejected may escape.

The database holds the committed sample area, so that many fuzzed rows refer
to things that exist and some imports succeed. Files are made of real and
junk column names and of cells mixing valid-looking values (dates, times,
codes, NHS numbers, money, lists) with arbitrary text; raw bytes are tried too.
Every import is rolled back afterwards.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.io import KINDS, ImportRejected, import_dataset, import_file

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
LIKELY_CELLS = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "12.5",
    "£12.50",
    "-0.1",
    "51.5",
    "999",
    "2026-11-24",
    "2026-02-30",
    "10000-01-01",
    "24/11/2026",
    "31/02/2026",
    "0001-01-01",
    "08:00",
    "25:00",
    "23:59:59",
    "-01:00",
    "2026-11-24T08:00:00+00:00",
    "2026-11-24T08:00",
    "true",
    "false",
    "maybe",
    "daily",
    "Mon",
    "Mon;Wed",
    "Funday",
    "7",
    "9990199353",
    "9434765707",
    "ldn-ealing",
    "LDN",
    "EMP000001",
    "CP0000001",
    "basic_life_support",
    "personal_care;medication",
    ";;",
    "car",
    "horse",
    "female",
    "any",
    "=1+1",
    "'=SUM(A1)",
    "'",
    "\t",
    "\x00",
    "W6 9HT",
    "not a postcode",
]
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=24)
cell = st.one_of(st.sampled_from(LIKELY_CELLS), text)


@st.composite
def csv_files(draw: st.DrawFn, kind: str) -> bytes:
    """A CSV file of ``kind``: its columns (some dropped, some junk added, shuffled) and rows."""
    columns = KINDS[kind].columns
    header = draw(st.permutations(columns))
    header = header[: draw(st.integers(0, len(header)))] if draw(st.booleans()) else header
    header = header + draw(st.lists(st.sampled_from(["junk", "", " Name ", *columns]), max_size=2))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(header) + 1), max_size=5))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])))
    writer.writerow(header)
    writer.writerows(rows)
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return (prefix + buffer.getvalue()).encode("utf-8")


def sample_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the sample area's file of ``kind``."""
    with (SAMPLE / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


@st.composite
def mutated_sample_files(draw: st.DrawFn, kind: str) -> bytes:
    """A few real rows of the sample with some cells replaced: the fuzz reaches the row checks."""
    header, rows = sample_rows(kind)
    chosen = draw(st.lists(st.sampled_from(rows), min_size=1, max_size=4)) if rows else []
    mutated = []
    for row in chosen:
        row = list(row)
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        mutated.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(mutated)
    return buffer.getvalue().encode("utf-8")


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    cell,
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def json_files(draw: st.DrawFn, kind: str) -> bytes:
    """A JSON file of ``kind``: mostly a list of objects keyed by its columns, or anything."""
    columns = KINDS[kind].columns
    row = st.dictionaries(
        st.sampled_from([*columns, "junk"]), json_value, max_size=len(columns) + 1
    )
    document: Any = draw(st.lists(row, max_size=4) | json_value)
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """(kind, file bytes, format)."""
    kind = draw(st.sampled_from(list(KINDS)))
    fmt = draw(st.sampled_from(["csv", "json"]))
    if fmt == "csv":
        data = draw(mutated_sample_files(kind) | csv_files(kind) | st.binary(max_size=120))
    else:
        data = draw(json_files(kind) | st.binary(max_size=120))
    return kind, data, fmt


def test_the_importers_raise_only_import_rejected(engine: Engine) -> None:
    """Each fuzzed file is imported or refused with ImportRejected and reasons; never a crash."""
    with Session(engine) as session:
        import_dataset(session, SAMPLE)
        session.commit()
    outcomes = {"imported": 0, "rejected": 0}

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
    )
    @given(case=files())
    def fuzz(case: tuple[str, bytes, str]) -> None:
        kind, data, fmt = case
        with Session(engine) as session:
            try:
                import_file(session, kind, data, format=fmt)
                outcomes["imported"] += 1
            except ImportRejected as rejected:
                assert rejected.errors and all(e.reason for e in rejected.errors)
                outcomes["rejected"] += 1
            finally:
                session.rollback()

    fuzz()
    assert outcomes["rejected"] > 0 and outcomes["imported"] > 0, outcomes
