"""Importing CSV and JSON: good files load, bad files are refused whole with every problem named.

Every rejection test checks that the database is exactly as it was before (see
:func:`reject`), on whichever engine the suite runs against.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from sqlmodel import select as select_model

from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from scheduler.db.models import (
    Absence,
    AvailabilityPattern,
    CarePlan,
    CarerPreferenceKind,
    Client,
    ClientCarerPreference,
    Skill,
    TrainingCourse,
    TrainingRecord,
    Worker,
)
from scheduler.io import ImportLimits, ImportRejected, RowError, import_dataset, import_file
from scheduler.io.kinds import KINDS
from tests.conftest import ENGINE_KIND, POSTGRES_URL

FIXTURES = Path(__file__).parent / "fixtures" / "io"
DATASET_CSV = FIXTURES / "dataset_csv"
DATASET_JSON = FIXTURES / "dataset_json"

#: The tables import and export touch, parents before children.
IO_TABLES = (
    "region",
    "area",
    "skill",
    "trainingcourse",
    "courseskill",
    "worker",
    "availabilitypattern",
    "absence",
    "trainingrecord",
    "client",
    "clientcarerpreference",
    "careplan",
)
#: How a row of each referenced table is named in files.
NATURAL_KEYS = {
    "region": ("id", "code"),
    "area": ("id", "code"),
    "skill": ("code", "code"),
    "trainingcourse": ("id", "code"),
    "worker": ("id", "ref"),
    "client": ("id", "nhs_number"),
    "careplan": ("id", "ref"),
}

WORKERS_HEADER = (
    "ref,name,area_code,gender,home_postcode,home_latitude,home_longitude,transport_mode,"
    "contracted_hours_per_week,start_date,hourly_pay"
)
GOOD_WORKER = "W100,Ola Adeyemi,LDS-N,female,LS6 1AA,53.82,-1.56,car,37.5,2024-04-01,12.60"


# --------------------------------------------------------------------------- helpers


def raw_rows(engine: Engine) -> dict[str, list[str]]:
    """Every row of the I/O tables, ids and all: equal before and after means nothing changed."""
    with engine.connect() as connection:
        return {
            name: sorted(
                repr(sorted(row.items()))
                for row in connection.execute(select(SQLModel.metadata.tables[name])).mappings()
            )
            for name in IO_TABLES
        }


def content(engine: Engine) -> dict[str, list[str]]:
    """The I/O tables with ids replaced by natural keys: comparable across databases."""
    tables = SQLModel.metadata.tables
    with engine.connect() as connection:
        names: dict[str, dict[object, object]] = {}
        for referenced, (key, natural) in NATURAL_KEYS.items():
            found = connection.execute(select(tables[referenced])).mappings()
            names[referenced] = {row[key]: row[natural] for row in found}
        result: dict[str, list[str]] = {}
        for name in IO_TABLES:
            table = tables[name]
            rows: list[str] = []
            for row in connection.execute(select(table)).mappings():
                values: dict[str, object] = {}
                for column in table.columns:
                    if column.name == "id":
                        continue
                    value = row[column.name]
                    for foreign_key in column.foreign_keys:
                        value = names[foreign_key.column.table.name][value]
                    values[column.name] = value
                rows.append(repr(sorted(values.items())))
            result[name] = sorted(rows)
    return result


def load_dataset(engine: Engine, folder: Path = DATASET_CSV) -> None:
    """Import a dataset folder and commit it."""
    with Session(engine) as session:
        import_dataset(session, folder)
        session.commit()


def load(engine: Engine, kind: str, data: str | bytes, format: str = "csv") -> None:
    """Import one file's content and commit it."""
    with Session(engine) as session:
        import_file(session, kind, data.encode() if isinstance(data, str) else data, format=format)
        session.commit()


def reject(
    engine: Engine,
    kind: str,
    data: str | bytes,
    format: str | None = "csv",
    limits: ImportLimits | None = None,
) -> list[RowError]:
    """Import ``data``, expect it refused, check nothing changed; return the problems."""
    before = raw_rows(engine)
    with Session(engine) as session, pytest.raises(ImportRejected) as rejected:
        payload = data.encode() if isinstance(data, str) else data
        import_file(session, kind, payload, format=format, limits=limits)
    assert raw_rows(engine) == before
    return rejected.value.errors


def where(errors: list[RowError]) -> list[tuple[int | None, str | None]]:
    """The (row, column) of each problem, in the order reported."""
    return [(error.row, error.column) for error in errors]


@contextmanager
def fresh_database(folder: Path) -> Iterator[Engine]:
    """An empty, migrated database of the engine under test, beside the one ``engine`` gives."""
    if ENGINE_KIND == "postgresql":
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{folder / 'fresh.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if ENGINE_KIND == "postgresql":
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    """A database of its own holding the small CSV dataset, for tests that change it."""
    load_dataset(engine)
    return engine


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database holding the CSV dataset, shared by tests whose imports must be refused.

    Sharing is safe because :func:`reject` asserts the database is unchanged
    after every refusal: a test that changed it would fail itself.
    """
    with fresh_database(tmp_path_factory.mktemp("reference")) as engine:
        load_dataset(engine)
        yield engine


# --------------------------------------------------------------------------- good files


def test_csv_dataset_loads_with_units_converted(engine: Engine) -> None:
    """The CSV dataset loads; hours become minutes, pounds pence, local times UTC."""
    with Session(engine) as session:
        reports = import_dataset(session, DATASET_CSV)
        session.commit()
    assert list(reports) == list(KINDS)
    assert {name: report.created for name, report in reports.items()} == {
        "areas": 4,
        "courses": 4,
        "workers": 5,
        "availability": 6,
        "absences": 3,
        "training": 6,
        "clients": 4,
        "care_plans": 4,
    }
    with Session(engine) as session:
        amira = session.exec(select_model(Worker).where(Worker.ref == "W001")).one()
        assert (amira.contracted_minutes_per_week, amira.minimum_minutes_per_week) == (2250, 1800)
        assert amira.hourly_pay_pence == 1260
        dev = session.exec(select_model(Worker).where(Worker.ref == "W004")).one()
        assert (dev.contracted_minutes_per_week, dev.active) == (990, False)
        sickness = session.exec(
            select_model(Absence).where(Absence.note == "").where(Absence.kind == "sickness")
        ).one()
        assert sickness.starts_at == datetime(2025, 3, 10, 7, 0, tzinfo=UTC)  # GMT in March
        holiday = session.exec(select_model(Absence).where(Absence.note == "Summer holiday")).one()
        assert holiday.starts_at == datetime(2025, 8, 3, 23, 0, tzinfo=UTC)  # BST in August
        arthur = session.exec(select_model(Client).where(Client.name == "Arthur Bell")).one()
        assert (arthur.nhs_number, arthur.postcode) == ("9991590838", "LS11 6PN")
        plan = session.exec(select_model(CarePlan).where(CarePlan.ref == "CP001")).one()
        assert plan.weekdays == [0, 1, 2, 3, 4, 5, 6]
        assert (plan.preferred_start, plan.time_critical) == (time(8, 0), True)
        skills = {skill.code: skill.name for skill in session.exec(select_model(Skill))}
        assert skills["peg_feeding"] == "Peg feeding"


def test_training_expiry_is_computed_from_the_course(reference: Engine) -> None:
    """A blank expires_on is completed_on + refresh_months; none for a course that never ends."""
    with Session(reference) as session:
        statement = (
            select_model(Worker.ref, TrainingCourse.code, TrainingRecord)
            .where(TrainingRecord.worker_id == Worker.id)
            .where(TrainingRecord.course_id == TrainingCourse.id)
        )
        expiry = {(ref, code): record.expires_on for ref, code, record in session.exec(statement)}
    assert expiry[("W001", "MED")] == date(2025, 9, 2)  # given in the file
    assert expiry[("W001", "MH")] == date(2025, 9, 1)  # 12 months
    assert expiry[("W001", "PEG")] == date(2025, 2, 28)  # 24 months
    assert expiry[("W002", "MED")] == date(2025, 2, 28)  # 29 Feb + 1 year
    assert expiry[("W003", "CC")] is None  # the Care Certificate never expires


def test_json_dataset_gives_the_same_rows_as_csv(engine: Engine, tmp_path: Path) -> None:
    """The JSON fixture (arrays, numbers, nulls, some values as text) loads to the CSV's rows."""
    load_dataset(engine, DATASET_CSV)
    from_csv = content(engine)
    with Session(engine) as session:
        for table in reversed(IO_TABLES):
            session.exec(SQLModel.metadata.tables[table].delete())
        session.commit()
    load_dataset(engine, DATASET_JSON)
    assert content(engine) == from_csv


@pytest.mark.parametrize("format", ["csv", "json"])
def test_each_kind_loads_on_its_own(engine: Engine, format: str) -> None:
    """import_file takes each kind's file by path (format from the extension)."""
    folder = DATASET_CSV if format == "csv" else DATASET_JSON
    for kind in KINDS:
        with Session(engine) as session:
            report = import_file(session, kind, folder / f"{kind}.{format}")
            session.commit()
        assert report.kind == kind
        assert report.created == report.rows > 0
        assert report.updated == 0


def test_importing_again_updates_in_place(loaded: Engine) -> None:
    """A second import of the same dataset updates every record and adds none."""
    before = content(loaded)
    with Session(loaded) as session:
        reports = import_dataset(session, DATASET_CSV)
        session.commit()
    assert content(loaded) == before
    assert reports["workers"].updated == 5 and reports["workers"].created == 0
    assert reports["availability"].removed == 6  # patterns are replaced per worker


def test_an_absent_optional_column_leaves_values_alone(loaded: Engine) -> None:
    """Without an ``active`` column an inactive worker stays inactive; given columns update."""
    renamed = "W004,Dev Patel-Shah,YRK,male,YO10 5DD,53.948,-1.053,car,16.5,2024-01-08,12.50"
    load(loaded, "workers", f"{WORKERS_HEADER}\n{renamed}\n")
    with Session(loaded) as session:
        dev = session.exec(select_model(Worker).where(Worker.ref == "W004")).one()
    assert (dev.name, dev.hourly_pay_pence, dev.active) == ("Dev Patel-Shah", 1250, False)
    assert dev.date_of_birth == date(2000, 12, 1)


def test_availability_replaces_only_the_named_workers_pattern(loaded: Engine) -> None:
    """W001's three periods become one; W002's pattern is untouched."""
    load(loaded, "availability", "worker_ref,weekday,start_time,end_time\nW001,Fri,09:00,17:00\n")
    with Session(loaded) as session:
        statement = select_model(Worker.ref, AvailabilityPattern.weekday).where(
            AvailabilityPattern.worker_id == Worker.id
        )
        periods = sorted(session.exec(statement).all())
    assert [day for ref, day in periods if ref == "W001"] == [4]
    assert [day for ref, day in periods if ref == "W002"] == [2]


def test_carer_lists_replace_only_the_kind_given(loaded: Engine) -> None:
    """A file with only preferred_carers keeps the client's declined carer."""
    load(
        loaded,
        "clients",
        "nhs_number,name,area_code,address,postcode,latitude,longitude,preferred_carers\n"
        '9995260182,Margaret Hughes,LDS-N,"14 Chapel Lane, Leeds",LS6 3BW,53.823,-1.579,W005\n',
    )
    with Session(loaded) as session:
        statement = (
            select_model(Worker.ref, ClientCarerPreference.kind)
            .where(ClientCarerPreference.worker_id == Worker.id)
            .where(ClientCarerPreference.client_id == Client.id)
            .where(Client.nhs_number == "9995260182")
        )
        carers = dict(session.exec(statement).all())
    assert carers == {"W005": CarerPreferenceKind.PREFERRED, "W002": CarerPreferenceKind.DECLINED}


def test_bom_blank_rows_spreadsheet_headers_and_british_dates_are_accepted(engine: Engine) -> None:
    """Excel's quirks: a UTF-8 BOM, "Region Name" headers, blank rows, 31/01/2025, CRLF."""
    data = (
        "\ufeffCode,Name,Region Code,Region Name,Latitude,Longitude\r\n"
        "LDS-N,Leeds North,YH,Yorkshire and the Humber,53.84,-1.54\r\n"
        ",,,,,\r\n"
        "\r\n"
    ).encode()
    load(engine, "areas", data)
    load(engine, "workers", f"{WORKERS_HEADER}\n{GOOD_WORKER.replace('2024-04-01', '01/04/2024')}")
    with Session(engine) as session:
        worker = session.exec(select_model(Worker)).one()
    assert worker.start_date == date(2024, 4, 1)


def test_format_is_sniffed_from_bytes(engine: Engine) -> None:
    """Bytes without a format are read as JSON when they start with '['."""
    areas = b'[{"code": "A1", "name": "A", "region_code": "R", "region_name": "R", '
    areas += b'"latitude": 51.5, "longitude": -0.12}]'
    with Session(engine) as session:
        report = import_file(session, "areas", areas)
        session.commit()
    assert report.created == 1


# --------------------------------------------------------------------------- headers


def test_missing_columns_are_reported_once_on_the_header(reference: Engine) -> None:
    """Two missing columns: one problem on row 1 naming both, and no per-row noise."""
    header = WORKERS_HEADER.replace(",gender", "").replace(",hourly_pay", "")
    rows = "\n".join(["W100,Ola,LDS-N,LS6 1AA,53.8,-1.5,car,37.5,2024-04-01"] * 3)
    errors = reject(reference, "workers", f"{header}\n{rows}\n")
    assert [str(error) for error in errors] == [
        "row 1, columns gender, hourly_pay: required but missing"
    ]


def test_unknown_columns_are_named(reference: Engine) -> None:
    """A misspelt column shows as missing and unknown; with nothing missing, rows are checked."""
    misspelt = WORKERS_HEADER.replace("home_postcode", "home_post_code") + ",colour"
    errors = reject(reference, "workers", f"{misspelt}\n{GOOD_WORKER},red\n")
    assert where(errors) == [(1, "home_postcode"), (1, "home_post_code, colour")]
    assert errors[0].reason == "required but missing"
    assert errors[1].reason.startswith("not known in workers files; the columns are: ref, name")
    extra = f"{WORKERS_HEADER},colour\n{GOOD_WORKER.replace('female', 'blue')},red\n"
    assert where(reject(reference, "workers", extra)) == [(1, "colour"), (2, "gender")]


def test_semicolon_separated_file_gets_a_hint(reference: Engine) -> None:
    """A file saved with ';' between columns is told to use commas."""
    errors = reject(reference, "areas", "code;name;region_code\nA;B;C\n")
    assert "use commas" in errors[0].reason


def test_json_objects_missing_or_extra_fields_are_reported_per_object(reference: Engine) -> None:
    """In JSON each object is its own header: the object's number is index + 1."""
    data = (
        '[{"code": "A1", "name": "A", "region_code": "R", "region_name": "R",'
        ' "latitude": 51.5, "longitude": 0},'
        ' {"code": "A2", "name": "B", "region_code": "R", "region_name": "R", "latitude": 51.5},'
        ' {"code": "A3", "name": "C", "region_code": "R", "region_name": "R",'
        ' "latitude": 51.5, "longitude": 0, "colour": "red"}]'
    )
    errors = reject(reference, "areas", data, format="json")
    assert where(errors) == [(2, "longitude"), (3, "colour")]


# --------------------------------------------------------------------------- rows


def test_every_bad_row_and_column_is_reported(reference: Engine) -> None:
    """Wrong types, ranges, dates and choices in several rows: all reported, with reasons."""
    rows = [
        GOOD_WORKER,  # row 2: fine
        GOOD_WORKER.replace("W100", "W101").replace("53.82", "north"),  # row 3
        GOOD_WORKER.replace("W100", "W102").replace("female", "f"),  # row 4
        GOOD_WORKER.replace("W100", "W103")
        .replace("2024-04-01", "2024-02-30")
        .replace("37.5", "61"),  # row 5: two problems
        GOOD_WORKER.replace("W100", "W104").replace("12.60", "12.605"),  # row 6
        GOOD_WORKER.replace("W100", "W105").replace("car", "bicycle"),  # row 7
        GOOD_WORKER.replace("W100", "W106").replace("-1.56", "-181"),  # row 8
    ]
    errors = reject(reference, "workers", WORKERS_HEADER + "\n" + "\n".join(rows) + "\n")
    assert [str(error) for error in errors] == [
        "row 3, column home_latitude: 'north' is not a number",
        "row 4, column gender: 'f' is not one of: female, male, other",
        "row 5, column contracted_hours_per_week: "
        "61 is out of range: it must be from 0 to 60 hours",
        "row 5, column start_date: '2024-02-30' is not a date (use YYYY-MM-DD, e.g. 2025-04-30)",
        "row 6, column hourly_pay: 12.605 has more than two decimal places (pence)",
        "row 7, column transport_mode: 'bicycle' is not one of: car, walking, public_transport",
        "row 8, column home_longitude: -181 is out of range: it must be from -180 to 180",
    ]


def test_required_cells_may_not_be_blank(reference: Engine) -> None:
    """A blank required cell is named; a blank optional cell is fine."""
    errors = reject(
        reference, "workers", f"{WORKERS_HEADER}\n{GOOD_WORKER.replace('Ola Adeyemi', '')}"
    )
    assert [str(error) for error in errors] == ["row 2, column name: a value is required"]


def test_care_plan_ranges_and_times(reference: Engine) -> None:
    """Priority, carers, duration, weekdays and times outside their ranges."""
    header = (
        "ref,client_nhs_number,weekdays,window_start,window_end,duration_minutes,"
        "carers_required,priority,valid_from"
    )
    rows = [
        "CP9,9995260182,Mon;Tue,07:00,08:00,30,1,3,2025-01-01",  # row 2: fine
        "CP10,9995260182,Mon;Funday,07:00,08:00,30,1,3,2025-01-01",  # row 3
        "CP11,9995260182,Mon,25:00,7am,30,1,3,2025-01-01",  # row 4
        "CP12,9995260182,Mon,07:00,08:00,0,3,6,2025-01-01",  # row 5
    ]
    errors = reject(reference, "care_plans", header + "\n" + "\n".join(rows) + "\n")
    assert [str(error) for error in errors] == [
        "row 3, column weekdays: 'Funday' is not a day of the week (use Mon, Tue, … Sun)",
        "row 4, column window_start: '25:00' is not a time of day (hours 00–23, minutes 00–59)",
        "row 4, column window_end: '7am' is not a time (use HH:MM, 24-hour, e.g. 07:30)",
        "row 5, column duration_minutes: 0 is out of range: it must be from 1 to 600 minutes",
        "row 5, column carers_required: 3 is out of range: it must be from 1 to 2",
        "row 5, column priority: 6 is out of range: it must be from 1 to 5",
    ]


def test_ends_before_starts_are_refused(reference: Engine) -> None:
    """End before start in availability, absences and care plans, each named on its column."""
    availability = "worker_ref,weekday,start_time,end_time\nW001,Mon,14:00,07:00\n"
    assert [str(e) for e in reject(reference, "availability", availability)] == [
        "row 2, column end_time: must be after start_time (14:00)"
    ]
    absences = "worker_ref,kind,starts_at,ends_at\nW001,leave,2025-06-02T09:00,2025-06-01T09:00\n"
    assert where(reject(reference, "absences", absences)) == [(2, "ends_at")]
    plans = (
        "ref,client_nhs_number,weekdays,window_start,window_end,duration_minutes,"
        "valid_from,valid_until,preferred_start\n"
        "A,9995260182,Mon,09:00,08:00,30,2025-01-01,,\n"
        "B,9995260182,Mon,08:00,09:00,30,2025-06-01,2025-05-31,\n"
        "C,9995260182,Mon,08:00,09:00,30,2025-01-01,,10:00\n"
    )
    assert [str(e) for e in reject(reference, "care_plans", plans)] == [
        "row 2, column window_end: must be on or after window_start (09:00)",
        "row 3, column valid_until: must be on or after valid_from (2025-06-01)",
        "row 4, column preferred_start: must be within window_start to window_end (08:00–09:00)",
    ]


def test_overlapping_availability_is_refused(reference: Engine) -> None:
    """Two periods of one worker that overlap on the same weekday."""
    data = "worker_ref,weekday,start_time,end_time\nW001,Mon,07:00,14:00\nW001,Monday,13:00,18:00\n"
    errors = reject(reference, "availability", data)
    assert [str(error) for error in errors] == [
        "row 3, column start_time: overlaps row 2 (Mon 07:00–14:00) for worker W001"
    ]


def test_local_times_the_clocks_skip_or_repeat_are_refused(reference: Engine) -> None:
    """Without an offset, 01:30 on the days the clocks change is impossible or ambiguous."""
    data = (
        "worker_ref,kind,starts_at,ends_at\n"
        "W001,leave,2025-03-30T01:30,2025-03-30T09:00\n"
        "W002,leave,2025-10-26T01:30,2025-10-26T09:00\n"
        "W003,leave,2025-10-26T01:30+01:00,2025-10-26T09:00\n"
    )
    errors = reject(reference, "absences", data)
    assert where(errors) == [(2, "starts_at"), (3, "starts_at")]
    assert "does not exist in Europe/London" in errors[0].reason
    assert "happens twice in Europe/London" in errors[1].reason


def test_unknown_references_are_named(reference: Engine) -> None:
    """Area, worker, course, skill, client and carer references that match nothing."""
    worker = GOOD_WORKER.replace("LDS-N", "lds-n")
    assert [str(e) for e in reject(reference, "workers", f"{WORKERS_HEADER}\n{worker}\n")] == [
        "row 2, column area_code: no area has code 'lds-n' (did you mean 'LDS-N'?)"
    ]
    training = "worker_ref,course_code,completed_on\nW404,MH,2025-01-01\nW001,FIRE,2025-01-01\n"
    assert [str(e) for e in reject(reference, "training", training)] == [
        "row 2, column worker_ref: no worker has ref 'W404'",
        "row 3, column course_code: no course has code 'FIRE'",
    ]
    plans = (
        "ref,client_nhs_number,weekdays,window_start,window_end,duration_minutes,"
        "required_skills,valid_from\n"
        "CP9,9993909963,Mon,08:00,09:00,30,,2025-01-01\n"
        "CP10,9995260182,Mon,08:00,09:00,30,medication;stoma_care,2025-01-01\n"
    )
    assert [str(e) for e in reject(reference, "care_plans", plans)] == [
        "row 2, column client_nhs_number: no client has NHS number '9993909963'",
        "row 3, column required_skills: no skill has code 'stoma_care' (skills come from courses)",
    ]
    clients = (
        "nhs_number,name,area_code,address,postcode,latitude,longitude,declined_carers\n"
        "9993909963,Ann Lee,LDS-N,1 Main Street,LS6 1AA,53.8,-1.5,W001;W998;W999\n"
    )
    assert [str(e) for e in reject(reference, "clients", clients)] == [
        "row 2, column declined_carers: no worker has ref 'W998' or 'W999'"
    ]


def test_a_carer_cannot_be_both_preferred_and_declined(reference: Engine) -> None:
    """The same worker in both lists of one client."""
    clients = (
        "nhs_number,name,area_code,address,postcode,latitude,longitude,"
        "preferred_carers,declined_carers\n"
        "9993909963,Ann Lee,LDS-N,1 Main Street,LS6 1AA,53.8,-1.5,W001;W002,W002\n"
    )
    assert [str(e) for e in reject(reference, "clients", clients)] == [
        "row 2, column declined_carers: W002 is also in preferred_carers; "
        "a carer cannot be both preferred and declined"
    ]


def test_preferring_a_declined_carer_needs_the_declined_list_too(reference: Engine) -> None:
    """W002 is declined by Margaret; preferring W002 without declined_carers is refused."""
    clients = (
        "nhs_number,name,area_code,address,postcode,latitude,longitude,preferred_carers\n"
        "9995260182,Margaret Hughes,LDS-N,14 Chapel Lane,LS6 3BW,53.823,-1.579,W001;W002\n"
    )
    assert [str(e) for e in reject(reference, "clients", clients)] == [
        "row 2, column preferred_carers: W002 is among this client's declined carers; "
        "to change that, give declined_carers too"
    ]


def test_duplicate_keys_within_a_file_are_refused(reference: Engine) -> None:
    """The same worker ref twice, and the same region with two names."""
    rows = f"{GOOD_WORKER}\n{GOOD_WORKER.replace('W100', 'W101')}\n{GOOD_WORKER}\n"
    assert [str(e) for e in reject(reference, "workers", f"{WORKERS_HEADER}\n{rows}")] == [
        "row 4, column ref: repeats row 2: the same ref may appear only once in a file"
    ]
    areas = (
        "code,name,region_code,region_name,latitude,longitude\n"
        "A1,One,NW,North West,53.4,-2.9\n"
        "A2,Two,NW,Northwest,53.5,-2.2\n"
    )
    assert [str(e) for e in reject(reference, "areas", areas)] == [
        "row 3, column region_name: region NW is named 'North West' on row 2; a region has one name"
    ]


def test_row_numbers_count_blank_rows_like_a_spreadsheet(reference: Engine) -> None:
    """A blank line still takes a row number, so the bad row is row 4."""
    bad = GOOD_WORKER.replace("W100", "W101").replace("car", "van")
    errors = reject(reference, "workers", f"{WORKERS_HEADER}\n{GOOD_WORKER}\n\n{bad}\n")
    assert where(errors) == [(4, "transport_mode")]


def test_rows_with_too_many_or_too_few_values(reference: Engine) -> None:
    """A stray comma shifts cells: the row is named, not misread."""
    errors = reject(
        reference,
        "workers",
        f"{WORKERS_HEADER}\n{GOOD_WORKER},extra\n{GOOD_WORKER.rsplit(',', 1)[0]}\n",
    )
    assert where(errors) == [(2, None), (3, None)]
    assert errors[0].reason == "this row has 12 values but the header names 11 columns"


def test_csv_syntax_errors_and_unnamed_columns(reference: Engine) -> None:
    """An unclosed quote stops reading at its row; a value under a nameless column is named."""
    unclosed = f'{WORKERS_HEADER}\n{GOOD_WORKER}\nW101,"Ola Adeyemi,LDS-N\n'
    assert [str(e) for e in reject(reference, "workers", unclosed)] == [
        "row 3: the CSV cannot be read here: unexpected end of data"
    ]
    unnamed = f"{WORKERS_HEADER},,\n{GOOD_WORKER},,\n{GOOD_WORKER.replace('W100', 'W101')},,x\n"
    assert [str(e) for e in reject(reference, "workers", unnamed)] == [
        "row 3: value 'x' is under column 13, which has no name"
    ]


# --------------------------------------------------------------------------- NHS numbers


@pytest.mark.parametrize(
    ("nhs_number", "reason"),
    [
        ("9995260183", "the check digit does not match (Modulus 11)"),
        ("999526018", "an NHS number has exactly ten digits"),
        ("99952601AB", "an NHS number has exactly ten digits"),
        ("", "a value is required"),
    ],
)
def test_nhs_numbers_are_checked(reference: Engine, nhs_number: str, reason: str) -> None:
    """Modulus 11 and length are checked; the reason is the one a person can act on."""
    clients = (
        "nhs_number,name,area_code,address,postcode,latitude,longitude\n"
        f"9993909963,Ann Lee,LDS-N,1 Main Street,LS6 1AA,53.8,-1.5\n"
        f"{nhs_number},Bob Lee,LDS-N,1 Main Street,LS6 1AA,53.8,-1.5\n"
    )
    assert [str(e) for e in reject(reference, "clients", clients)] == [
        f"row 3, column nhs_number: {reason}"
    ]


# --------------------------------------------------------------------------- whole files


def test_a_file_that_is_not_utf8_is_refused(reference: Engine) -> None:
    """A Windows-1252 file (Chloë) is refused naming the line, not imported as mojibake."""
    data = f"{WORKERS_HEADER}\n{GOOD_WORKER}\n{GOOD_WORKER.replace('Ola', 'Chloë')}\n"
    errors = reject(reference, "workers", data.encode("cp1252"))
    assert [str(error) for error in errors] == [
        "the file is not UTF-8 text (byte 0xEB on line 3); save it as UTF-8 (“CSV UTF-8” in Excel)"
    ]
    assert reject(reference, "workers", data.encode("utf-16"))[0].reason.startswith(
        "the file is UTF-16"
    )


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\r\n"])
def test_an_empty_file_is_refused(reference: Engine, data: bytes) -> None:
    """Empty, BOM-only and blank files say so."""
    assert [str(e) for e in reject(reference, "areas", data)] == ["the file is empty"]


def test_a_header_only_file_imports_nothing(engine: Engine) -> None:
    """A header with no rows is valid: it is what exporting an empty kind writes."""
    with Session(engine) as session:
        report = import_file(session, "absences", b"worker_ref,kind,starts_at,ends_at,note\r\n")
    assert report.rows == 0


def test_malformed_json_is_refused_with_its_position(reference: Engine) -> None:
    """Broken JSON names its line and column; other shapes are named too."""
    broken = b'[\n  {"code": "A1",\n   "name": "A" "region_code": "R"}\n]'
    assert [str(e) for e in reject(reference, "areas", broken, format="json")] == [
        "the JSON is malformed at line 3, column 16: Expecting ',' delimiter"
    ]
    assert reject(reference, "areas", b'{"code": "A1"}', format="json")[0].reason == (
        "the JSON must be a list of objects, one object per row"
    )
    errors = reject(reference, "areas", b'[1, "A1", null]', format="json")
    assert where(errors) == [(1, None), (2, None), (3, None)]
    assert errors[0].reason == "expected an object {...}, not a number"


def test_wrong_json_types_are_named(reference: Engine) -> None:
    """Objects, lists and true/false where text or numbers belong."""
    data = (
        '[{"code": "A1", "name": {"en": "A"}, "region_code": "R", "region_name": "R",'
        ' "latitude": true, "longitude": [0]}]'
    )
    assert [str(e) for e in reject(reference, "areas", data, format="json")] == [
        "row 1, column name: expected text, not an object",
        "row 1, column latitude: expected a number, not true/false",
        "row 1, column longitude: expected a number, not a list",
    ]


def test_oversized_files_are_refused_before_reading(reference: Engine, tmp_path: Path) -> None:
    """The size limit (default 10 MB) is configurable and checked on paths and bytes."""
    assert ImportLimits().max_bytes == 10 * 1024 * 1024
    data = f"{WORKERS_HEADER}\n{GOOD_WORKER}\n"
    small = ImportLimits(max_bytes=100)
    assert [str(e) for e in reject(reference, "workers", data, limits=small)] == [
        f"the file is {len(data.encode())} bytes; the largest accepted is 100 bytes "
        "(split it into smaller files)"
    ]
    path = tmp_path / "workers.csv"
    path.write_text(data)
    before = raw_rows(reference)
    with Session(reference) as session, pytest.raises(ImportRejected) as rejected:
        import_file(session, "workers", path, limits=small)
    assert rejected.value.errors[0].row is None
    assert raw_rows(reference) == before


@pytest.mark.parametrize("format", ["csv", "json"])
def test_too_many_rows_are_refused(reference: Engine, format: str) -> None:
    """The row limit is configurable; the file is refused whole."""
    data = (DATASET_CSV / "areas.csv") if format == "csv" else (DATASET_JSON / "areas.json")
    errors = reject(reference, "areas", data.read_bytes(), format, ImportLimits(max_rows=3))
    assert [error.reason for error in errors] == [
        "the file has more than 3 rows; split it into smaller files"
    ]


# --------------------------------------------------------------------------- datasets


def test_a_dataset_with_one_bad_file_is_refused_whole(engine: Engine, tmp_path: Path) -> None:
    """Every file's problems are reported, labelled with the file; nothing is written."""
    for source in DATASET_CSV.iterdir():
        (tmp_path / source.name).write_bytes(source.read_bytes())
    workers = (tmp_path / "workers.csv").read_text(encoding="utf-8")
    (tmp_path / "workers.csv").write_text(workers.replace("LS7 3AB", "LS7"), encoding="utf-8")
    (tmp_path / "notes.csv").write_text("hello\n")
    (tmp_path / "README.md").write_text("ignored: not CSV or JSON\n")
    before = raw_rows(engine)
    with Session(engine) as session, pytest.raises(ImportRejected) as rejected:
        import_dataset(session, tmp_path)
    assert raw_rows(engine) == before
    assert [str(error) for error in rejected.value.errors] == [
        "notes.csv: not a dataset file; the files are: areas.csv, courses.csv, workers.csv, "
        "availability.csv, absences.csv, training.csv, clients.csv, care_plans.csv",
        "workers.csv, row 2, column home_postcode: 'LS7' is not a UK postcode (e.g. LS1 4AP)",
        # The rows that name W001 (and then the clients refused for it) say why:
        "availability.csv, row 2, column worker_ref: worker 'W001' was refused in the workers file",
        "availability.csv, row 3, column worker_ref: worker 'W001' was refused in the workers file",
        "availability.csv, row 4, column worker_ref: worker 'W001' was refused in the workers file",
        "absences.csv, row 2, column worker_ref: worker 'W001' was refused in the workers file",
        "training.csv, row 2, column worker_ref: worker 'W001' was refused in the workers file",
        "training.csv, row 3, column worker_ref: worker 'W001' was refused in the workers file",
        "training.csv, row 4, column worker_ref: worker 'W001' was refused in the workers file",
        "clients.csv, row 2, column preferred_carers: "
        "worker 'W001' was refused in the workers file",
        "clients.csv, row 3, column preferred_carers: "
        "worker 'W001' was refused in the workers file",
        "care_plans.csv, row 2, column client_nhs_number: "
        "client '9995260182' was refused in the clients file",
        "care_plans.csv, row 3, column client_nhs_number: "
        "client '9995260182' was refused in the clients file",
        "care_plans.csv, row 4, column client_nhs_number: "
        "client '9991590838' was refused in the clients file",
    ]
    assert str(rejected.value).startswith("nothing was imported: 14 problems found\n")


def test_a_dataset_may_not_hold_two_files_of_one_kind(engine: Engine, tmp_path: Path) -> None:
    """areas.csv beside areas.json is ambiguous."""
    (tmp_path / "areas.csv").write_bytes((DATASET_CSV / "areas.csv").read_bytes())
    (tmp_path / "areas.json").write_bytes((DATASET_JSON / "areas.json").read_bytes())
    with Session(engine) as session, pytest.raises(ImportRejected) as rejected:
        import_dataset(session, tmp_path)
    assert [str(e) for e in rejected.value.errors] == [
        "areas: both areas.csv and areas.json are present; keep one"
    ]


def test_row_error_reads_as_a_sentence() -> None:
    """RowError's text puts file, row and column before the reason, leaving out what is absent."""
    assert str(RowError(7, "nhs_number", "the check digit does not match (Modulus 11)")) == (
        "row 7, column nhs_number: the check digit does not match (Modulus 11)"
    )
    assert str(RowError(None, None, "the file is empty", "areas.csv")) == (
        "areas.csv: the file is empty"
    )
    assert str(RowError(1, "a, b", "required but missing")) == (
        "row 1, columns a, b: required but missing"
    )


def test_unknown_kind_and_format_are_programming_errors(engine: Engine) -> None:
    """A caller naming a kind or format that does not exist gets a ValueError."""
    with Session(engine) as session:
        with pytest.raises(ValueError, match="the kinds are: areas, courses"):
            import_file(session, "visits", b"")
        with pytest.raises(ValueError, match="expected 'csv' or 'json'"):
            import_file(session, "areas", b"", format="xlsx")
