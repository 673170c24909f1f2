"""Bad query strings and unknown ids on the reading endpoints, and a broken dataset folder.

Out-of-range or malformed dates, numbers out of bounds, unknown parameters and
reversed or over-long periods each answer 400 JSON naming the parameter; a
record that does not exist answers 404 JSON; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.engine import Engine

from tests.api.world import DAY, World
from tests.bad_input.conftest import row_counts

BAD_DAYS = ("2026-02-30", "2026-13-01", "10000-01-01", "0000-01-01", "tomorrow-ish", "", "1e9")
PERIOD = f"from={DAY}&to={DAY}"


def bad_queries(world: World) -> list[tuple[str, str, str]]:
    """(login, path with a bad query, the parameter the answer must name)."""
    leeds = world.areas["LDS"]
    cases = [
        ("alice", "/api/v1/me/route.ics?days=0", "days"),
        ("alice", "/api/v1/me/route.ics?days=99999", "days"),
        ("alice", "/api/v1/me/route.ics?days=two", "days"),
        ("coordinator", f"/api/v1/areas/{leeds}/clients?limit=0", "limit"),
        ("coordinator", f"/api/v1/areas/{leeds}/clients?offset=-1", "offset"),
        ("coordinator", f"/api/v1/areas/{leeds}/rota?date={DAY}&bogus=1", "bogus"),
        ("manager", f"/api/v1/reports/pay?from={DAY}&to=2026-11-01", "to"),
        ("manager", f"/api/v1/reports/pay?from={DAY}&to=2027-11-24", "to"),
        ("manager", f"/api/v1/reports/pay?{PERIOD}&format=xlsx", "format"),
        ("manager", f"/api/v1/reports/capacity?{PERIOD}&table=secrets", "table"),
        ("manager", f"/api/v1/reports/capacity?{PERIOD}&area=-3", "area"),
        ("manager", "/api/v1/reports/training?within_days=-1", "within_days"),
        ("manager", "/api/v1/reports/training?within_days=100000", "within_days"),
    ]
    for day in BAD_DAYS:
        cases += [
            ("alice", f"/api/v1/me/route?date={day}", "date"),
            ("coordinator", f"/api/v1/areas/{leeds}/rota?date={day}", "date"),
            ("coordinator", f"/api/v1/areas/{leeds}/unallocated?date={day}", "date"),
            ("manager", f"/api/v1/reports/continuity?from={day}&to={DAY}", "from"),
        ]
    return cases


def test_bad_queries_name_the_parameter(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each bad query is a 400 JSON naming the parameter at fault; nothing is written."""
    before = row_counts(engine)
    for login, path, parameter in bad_queries(world):
        answer = client.get(path, headers=world.headers(login))
        body = answer.get_json(silent=True) or {}
        assert answer.status_code == 400, f"{path}: {answer.status_code} {body}"
        assert body.get("status") == 400 and body.get("message"), path
        assert body.get("field") in (parameter, f"{parameter}_"), f"{path}: {body}"
    assert row_counts(engine) == before


def test_unknown_records_are_404(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Reading or deleting a record that does not exist is a 404 JSON; nothing is written."""
    before = row_counts(engine)
    headers = world.headers("admin")
    for method, path in (
        ("GET", "/api/v1/visits/987654"),
        ("GET", "/api/v1/clients/987654"),
        ("GET", "/api/v1/care-plans/987654"),
        ("GET", "/api/v1/workers/987654"),
        ("GET", "/api/v1/plans/987654"),
        ("GET", "/api/v1/plans/987654/diff"),
        ("GET", f"/api/v1/areas/987654/rota?date={DAY}"),
        ("GET", f"/api/v1/workers/987654/route?date={DAY}"),
        ("DELETE", "/api/v1/availability/987654"),
        ("DELETE", "/api/v1/availability/99999999999"),
        ("POST", "/api/v1/imports/dragons"),
    ):
        answer = client.open(path, method=method, headers=headers)
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
        assert answer.get_json()["status"] == 404, path
    assert row_counts(engine) == before


def test_a_broken_dataset_folder_is_refused_whole(
    world: World, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """``homecare import FOLDER``: a good areas file beside a broken clients file writes nothing."""
    from scheduler.cli import main

    before = row_counts(engine)
    (tmp_path / "areas.csv").write_text(
        "code,name,region_code,region_name,latitude,longitude\r\n"
        "NEW,New area,N,North,53.9,-1.6\r\n",
        encoding="utf-8",
    )
    (tmp_path / "clients.csv").write_text(
        "nhs_number,name,area_code,address,postcode,latitude,longitude\r\n"
        "9434765707,Ivy Client,NEW,9 Low Road,LS3 3CC,53.81,-1.56\r\n"
        "9434765706,Ivy Client,NEW,9 Low Road,LS3 3CC,95,-1.56\r\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["import", str(tmp_path)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 1 and "nothing written" in result.output
    assert "clients.csv, row 2, column nhs_number" in result.output
    assert "clients.csv, row 3, column latitude" in result.output
    assert row_counts(engine) == before
