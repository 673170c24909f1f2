"""Exporting CSV and JSON: formulas neutralised, numbers kept numeric, and a lossless round trip."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.db.models import (
    Absence,
    AbsenceKind,
    Area,
    AvailabilityPattern,
    Client,
    Gender,
    TransportMode,
    Worker,
)
from scheduler.io import KINDS, export_dataset, export_kind, import_dataset, neutralise
from scheduler.io.reader import FORMULA_TRIGGERS, Format, unneutralise
from tests.test_io_import import DATASET_CSV, content, fresh_database, load_dataset

#: Text a spreadsheet would run as a formula, one per trigger character.
FORMULAS = {
    "=": '=HYPERLINK("http://example.invalid","Click")',
    "+": "+44 113 496 0000 (daughter)",
    "-": "-2+3",
    "@": "@SUM(A1:A9)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


@pytest.fixture
def fresh_engine(tmp_path: Path) -> Iterator[Engine]:
    """A second empty, migrated database of the engine under test (to import an export into)."""
    with fresh_database(tmp_path) as engine:
        yield engine


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The small CSV dataset, plus records added directly whose values are awkward to export.

    The direct records hold what an import would never produce but the tables
    allow: text starting with a tab or carriage return, 37⅓ hours, seconds.
    Shared by the module's tests, which only export from it.
    """
    with fresh_database(tmp_path_factory.mktemp("loaded")) as engine:
        _fill(engine)
        yield engine


def _fill(engine: Engine) -> None:
    """Load the dataset and add the awkward records."""
    load_dataset(engine)
    with Session(engine) as session:
        area = session.exec(select(Area).where(Area.code == "LDS-N")).one()
        assert area.id is not None
        worker = Worker(
            ref="W900",
            name=FORMULAS["="],
            area_id=area.id,
            gender=Gender.OTHER,
            home_postcode="LS6 1AA",
            home_latitude=53.8,
            home_longitude=-1.5612345678,
            transport_mode=TransportMode.WALKING,
            contracted_minutes_per_week=2240,
            minimum_minutes_per_week=1,
            start_date=date(2024, 1, 1),
            hourly_pay_pence=1005,
        )
        session.add(worker)
        session.flush()
        assert worker.id is not None
        session.add(
            AvailabilityPattern(
                worker_id=worker.id, weekday=6, start_time=time(6, 0, 30), end_time=time(9, 0)
            )
        )
        for number, trigger in enumerate(FORMULAS):
            session.add(
                Absence(
                    worker_id=worker.id,
                    kind=AbsenceKind.OTHER,
                    starts_at=datetime(2025, 1, 1 + number, 9, 0, 15, tzinfo=UTC),
                    ends_at=datetime(2025, 1, 1 + number, 17, 0, tzinfo=UTC),
                    note=FORMULAS[trigger],
                )
            )
        client = session.exec(select(Client).where(Client.nhs_number == "9995260182")).one()
        client.access_notes = 'Key safe "4417", side door;\nring twice'
        session.commit()


def parse_csv(data: str) -> list[dict[str, str]]:
    """CSV text as a list of rows keyed by header, as a spreadsheet would read it."""
    return list(csv.DictReader(io.StringIO(data, newline="")))


# --------------------------------------------------------------------------- neutralisation


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_neutralise_prefixes_each_trigger(trigger: str) -> None:
    """Text starting with = + - @ tab or CR gains a leading quote; the importer removes it."""
    assert neutralise(FORMULAS[trigger]) == "'" + FORMULAS[trigger]
    assert unneutralise(neutralise(FORMULAS[trigger])) == FORMULAS[trigger]


@given(st.text())
def test_neutralised_text_is_safe_and_reversible(value: str) -> None:
    """No neutralised cell starts with a trigger, and the import side restores it exactly."""
    safe = neutralise(value)
    assert not safe.startswith(FORMULA_TRIGGERS)
    if not (value.startswith("'") and value[1:2] in FORMULA_TRIGGERS):
        assert unneutralise(safe) == value


def test_csv_export_neutralises_text_but_not_numbers(loaded: Engine) -> None:
    """Formula-like names and notes are quoted; negative coordinates stay plain numbers."""
    with Session(loaded) as session:
        workers = {row["ref"]: row for row in parse_csv(export_kind(session, "workers", "csv"))}
        absences = parse_csv(export_kind(session, "absences", "csv"))
        clients = {r["nhs_number"]: r for r in parse_csv(export_kind(session, "clients", "csv"))}
        areas = parse_csv(export_kind(session, "areas", "csv"))
    assert workers["W900"]["name"] == "'" + FORMULAS["="]
    assert workers["W900"]["home_longitude"] == "-1.5612345678"
    assert {row["note"] for row in absences if row["worker_ref"] == "W900"} == {
        "'" + formula for formula in FORMULAS.values()
    }
    assert clients["9995260182"]["access_notes"] == 'Key safe "4417", side door;\nring twice'
    assert clients["9991590838"]["access_notes"] == ""
    assert {row["longitude"] for row in areas} == {"-1.54", "-1.55", "-1.6178", "-1.0815"}
    for row in [*workers.values(), *areas]:
        for column in ("latitude", "longitude", "home_latitude", "home_longitude"):
            assert not row.get(column, "0").startswith("'")


def test_json_export_is_not_neutralised_and_keeps_types(loaded: Engine) -> None:
    """JSON keeps text as it is, numbers as numbers, lists as arrays and empty values as null."""
    with Session(loaded) as session:
        workers = {w["ref"]: w for w in json.loads(export_kind(session, "workers", "json"))}
        plans = {p["ref"]: p for p in json.loads(export_kind(session, "care_plans", "json"))}
        clients = json.loads(export_kind(session, "clients", "json"))
    assert workers["W900"]["name"] == FORMULAS["="]
    assert workers["W900"]["contracted_hours_per_week"] == 37.3333
    assert workers["W001"]["hourly_pay"] == 12.6
    assert workers["W001"]["contracted_hours_per_week"] == 37.5
    assert workers["W002"]["date_of_birth"] is None
    assert plans["CP002"]["weekdays"] == ["Mon", "Wed", "Fri"]
    assert plans["CP001"]["weekdays"] == "daily"
    assert plans["CP003"]["required_skills"] == ["hoisting", "moving_handling"]
    assert plans["CP003"]["tasks"] == "- Hoist transfer to bed"
    assert {tuple(c["preferred_carers"]) for c in clients} >= {("W001", "W003")}


def test_exports_use_the_import_columns(engine: Engine) -> None:
    """Each kind's header is exactly its import columns, even with no rows."""
    with Session(engine) as session:
        for name, kind in KINDS.items():
            assert export_kind(session, name, "csv") == ",".join(kind.columns) + "\r\n"
            assert export_kind(session, name, "json") == "[]\n"


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("format", ["csv", "json"])
def test_export_then_import_into_a_fresh_database_round_trips(
    loaded: Engine, fresh_engine: Engine, tmp_path: Path, format: Format
) -> None:
    """Every row comes back the same (ids aside), and exporting again gives the same files."""
    folder = tmp_path / "export"
    with Session(loaded) as session:
        written = export_dataset(session, folder, format=format)
    assert [path.name for path in written] == [f"{name}.{format}" for name in KINDS]
    with Session(fresh_engine) as session:
        import_dataset(session, folder)
        session.commit()
    assert content(fresh_engine) == content(loaded)
    again = tmp_path / "again"
    with Session(fresh_engine) as session:
        export_dataset(session, again, format=format)
    for path in written:
        assert (again / path.name).read_bytes() == path.read_bytes()


def test_dataset_csv_files_start_with_a_byte_order_mark(loaded: Engine, tmp_path: Path) -> None:
    """Excel needs the BOM to read UTF-8 (Chloë); the importer accepts it."""
    with Session(loaded) as session:
        export_dataset(session, tmp_path)
    data = (tmp_path / "workers.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfref,name,")
    assert "Chloë O'Brien".encode() in data


def test_export_can_be_limited_to_areas(loaded: Engine, fresh_engine: Engine) -> None:
    """Only the chosen areas' workers, clients and plans; courses always."""
    with Session(loaded) as session:
        area = session.exec(select(Area).where(Area.code == "LDS-S")).one()
        assert area.id is not None
        exported = {
            name: parse_csv(export_kind(session, name, "csv", area_ids=[area.id])) for name in KINDS
        }
    assert [row["code"] for row in exported["areas"]] == ["LDS-S"]
    assert len(exported["courses"]) == 4
    assert [row["ref"] for row in exported["workers"]] == ["W003"]
    assert {
        row["worker_ref"]
        for name in ("availability", "absences", "training")
        for row in exported[name]
    } == {"W003"}
    assert [row["name"] for row in exported["clients"]] == ["Arthur Bell"]
    assert [row["ref"] for row in exported["care_plans"]] == ["CP003"]


def test_round_tripped_dataset_matches_the_fixture(engine: Engine) -> None:
    """Exporting what the fixture loaded gives the fixture's own rows back (normalised)."""
    load_dataset(engine)
    with Session(engine) as session:
        areas = export_kind(session, "areas", "csv")
        courses = export_kind(session, "courses", "csv")
    fixture_areas = (DATASET_CSV / "areas.csv").read_text(encoding="utf-8")
    assert areas.replace("\r\n", "\n") == fixture_areas
    assert courses.replace("\r\n", "\n") == (DATASET_CSV / "courses.csv").read_text("utf-8")
