"""Every CSV export (each report, the dashboard downloads, the dataset) neutralises formulas.

Every free-text field in the world is poisoned with a leading ``=``, ``+``, ``-``,
``@``, tab or carriage return; no cell of any CSV may then start with one unless
it is a plain number (a negative figure is not a formula).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import (
    Absence,
    Area,
    CarePlan,
    Client,
    Region,
    Skill,
    TrainingCourse,
    Worker,
)
from scheduler.io import KINDS, export_dataset
from tests.api.world import DAY, World
from tests.security.sessions import sign_in

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = tuple(f'{t}HYPERLINK("http://evil.example";"x")' for t in TRIGGERS)
POISONED_FIELDS = {
    Region: ("name",),
    Area: ("name",),
    Skill: ("name",),
    TrainingCourse: ("name",),
    Client: ("name", "address", "access_notes"),
    Worker: ("name",),
    CarePlan: ("tasks",),
    Absence: ("note",),
}
PERIOD = f"from={DAY.isoformat()}&to={DAY.isoformat()}"
REPORTS = (
    f"capacity?{PERIOD}",
    f"capacity?{PERIOD}&table=next_week",
    "training?within_days=60",
    "training?table=compliance",
    "training?table=skills",
    f"continuity?{PERIOD}",
    f"pay?{PERIOD}",
)


def poison(engine: Engine) -> int:
    """Prefix every free-text field with a formula trigger, in turn; how many were set."""
    count = 0
    with session_scope(engine) as session:
        for model, fields in POISONED_FIELDS.items():
            for row in session.exec(select(model)).all():
                for name in fields:
                    setattr(row, name, PAYLOADS[count % len(PAYLOADS)])
                    count += 1
                session.add(row)
    return count


def cells(text: str) -> list[str]:
    """Every cell of a CSV text (a byte-order mark ignored)."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    return [value for row in rows for value in row]


def unsafe_cells(text: str) -> list[str]:
    """Cells of a CSV text that a spreadsheet would run as formulas."""
    unsafe = []
    for value in cells(text):
        if value.startswith(TRIGGERS):
            try:
                float(value)
            except ValueError:
                unsafe.append(value)
    return unsafe


def neutralised_payloads(text: str) -> int:
    """How many poisoned values appear, quoted with a leading apostrophe."""
    quoted = {"'" + payload for payload in PAYLOADS}
    return sum(1 for value in cells(text) if any(q in value for q in quoted))


def test_report_csv_exports(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each report as CSV through the API, and each dashboard download, is safe."""
    assert poison(engine) > 10
    seen = 0
    for path in REPORTS:
        answer = client.get(f"/api/v1/reports/{path}&format=csv", headers=world.headers("admin"))
        assert answer.status_code == 200 and answer.mimetype == "text/csv", path
        text = answer.get_data(as_text=True)
        assert unsafe_cells(text) == [], path
        seen += neutralised_payloads(text)
    assert sign_in(client, "manager").status_code == 302
    for report in ("capacity", "training", "continuity", "pay"):
        answer = client.get(f"/dashboard/{report}.csv?{PERIOD}")
        assert answer.status_code == 200 and answer.mimetype == "text/csv", report
        text = answer.get_data(as_text=True)
        assert unsafe_cells(text) == [], report
        seen += neutralised_payloads(text)
    assert seen > 0, "no poisoned value reached any report"


def test_dataset_exports(world: World, engine: Engine, database_url: str, tmp_path: Path) -> None:
    """The dataset export, in code and through ``homecare export``, is safe in every file."""
    from scheduler.cli import main

    poison(engine)
    with session_scope(engine) as session:
        files = export_dataset(session, tmp_path / "code")
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", "--dataset", str(tmp_path / "cli")], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    files += sorted((tmp_path / "cli").glob("*.csv"))
    assert len(files) == 2 * len(KINDS)
    seen = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert unsafe_cells(text) == [], path.name
        seen += neutralised_payloads(text)
    for kind in ("clients", "workers"):
        one = runner.invoke(main, ["export", kind], env={"DATABASE_URL": database_url})
        assert one.exit_code == 0 and unsafe_cells(one.output) == [], kind
    assert seen >= 2 * len(PAYLOADS)
