"""Managers: capacity, training, continuity and pay reports, in JSON and CSV."""

from __future__ import annotations

import csv
import io

from sqlalchemy.engine import Engine

from api.csvexport import cell, to_csv
from scheduler.db.engine import session_scope
from scheduler.db.models import Client
from tests.api.world import DAY, World

PERIOD = f"from={DAY.isoformat()}&to={DAY.isoformat()}"


def test_capacity_compares_demand_with_available_hours(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """North's manager sees Leeds and York: Leeds needs 0.5 + 2×0.75 + 0.5 h against 2×8 h."""
    response = client.get(f"/api/v1/reports/capacity?{PERIOD}", headers=world.headers("manager"))
    assert response.status_code == 200
    rows = {r["area_code"]: r for r in response.get_json()["rows"]}
    assert set(rows) == {"LDS", "YRK"}
    leeds = rows["LDS"]
    assert leeds["demand_hours"] == 2.5 and leeds["available_hours"] == 16.0
    assert leeds["utilisation"] == round(2.5 / 16, 4)
    assert leeds["unallocated_visits"] == 1
    assert (leeds["double_handed_visits"], leeds["double_handed_covered"]) == (1, 1)
    assert leeds["travel_share"] == round(1800 / (1800 + 30 * 60 + 2 * 45 * 60), 4)
    next_week = {r["area_code"]: r for r in response.get_json()["next_week"]}
    assert next_week["LDS"]["new_care_hours_possible"] == round(16 * 0.8 - (0.5 + 1.5), 2)


def test_reports_respect_scope_and_parameters(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Another region's area is a 404 naming it; bad ranges are 400s naming the field."""
    headers = world.headers("manager")
    bath = client.get(
        f"/api/v1/reports/capacity?{PERIOD}&area={world.areas['BTH']}", headers=headers
    )
    assert bath.status_code == 404 and bath.get_json()["field"] == "area"
    south = client.get(f"/api/v1/reports/pay?{PERIOD}&region={world.regions['S']}", headers=headers)
    assert south.status_code == 404 and south.get_json()["field"] == "region"
    backwards = client.get(
        "/api/v1/reports/continuity?from=2026-11-24&to=2026-11-01", headers=headers
    )
    assert backwards.status_code == 400 and backwards.get_json()["field"] == "to"
    too_long = client.get("/api/v1/reports/capacity?from=2026-01-01&to=2026-12-31", headers=headers)
    assert too_long.status_code == 400 and too_long.get_json()["field"] == "to"
    no_from = client.get("/api/v1/reports/capacity?to=2026-11-24", headers=headers)
    assert no_from.status_code == 400 and no_from.get_json()["field"] == "from"
    assert (
        client.get(
            f"/api/v1/reports/capacity?{PERIOD}", headers=world.headers("coordinator")
        ).status_code
        == 403
    )


def test_training_report_lists_expiring_records_and_short_skills(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Bob's certificate expires 8 days from today: listed as expiring within 60 days."""
    response = client.get(
        "/api/v1/reports/training?within_days=60", headers=world.headers("manager")
    )
    assert response.status_code == 200
    body = response.get_json()
    names = {(i["worker_name"], i["status"]) for i in body["items"]}
    assert ("Bob Carer", "expiring") in names or ("Bob Carer", "expired") in names
    assert all(i["worker_name"] != "Dan Carer" for i in body["items"])
    compliance = {(r["area_code"], r["course_code"]): r for r in body["compliance"]}
    assert compliance[("LDS", "CARE")]["holders"] == 2
    skills = {(r["area_code"], r["skill"]): r for r in body["skills"]}
    assert skills[("LDS", "personal_care")]["holders_now"] == 2


def test_continuity_and_pay(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Frank had two carers this week; Alice's effective pay spreads contact pay over travel."""
    headers = world.headers("manager")
    continuity = client.get(f"/api/v1/reports/continuity?{PERIOD}", headers=headers).get_json()
    carers = {r["client_name"]: r["distinct_carers"] for r in continuity["rows"]}
    assert carers == {"Edith Client": 1, "Frank Client": 2, "Grace Client": 1}
    pay = client.get(f"/api/v1/reports/pay?{PERIOD}", headers=headers).get_json()
    alice = next(r for r in pay["rows"] if r["worker_name"] == "Alice Carer")
    assert alice["contact_hours"] == 1.25 and alice["travel_hours"] == round(1200 / 3600, 2)
    assert alice["waiting_hours"] == 0.33  # 08:30 to 09:00 less 10 minutes' travel
    assert alice["pay_pence"] == 1625
    assert alice["national_living_wage_pence"] == 1271  # from April 2026
    assert alice["effective_hourly_pence"] == round(1625 / (1.25 + 1200 / 3600 + 20 / 60))


def test_every_report_exports_csv_with_formulas_neutralised(
    client, world: World, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """CSV export of each report; a client named '=HYPERLINK(…)' comes out as text."""
    with session_scope(engine) as session:
        edith = session.get(Client, world.clients["Edith"])
        assert edith is not None
        edith.name = '=HYPERLINK("http://evil.example","x")'
        session.add(edith)
    headers = world.headers("admin")
    for path in (
        f"capacity?{PERIOD}",
        f"capacity?{PERIOD}&table=next_week",
        "training?within_days=60",
        "training?table=compliance",
        "training?table=skills",
        f"continuity?{PERIOD}",
        f"pay?{PERIOD}",
    ):
        response = client.get(f"/api/v1/reports/{path}&format=csv", headers=headers)
        assert response.status_code == 200, path
        assert response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) >= 2, path
    continuity = client.get(f"/api/v1/reports/continuity?{PERIOD}&format=csv", headers=headers)
    text = continuity.get_data(as_text=True)
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_csv_cells() -> None:
    """Text starting = + - @ tab or CR gets a leading apostrophe; numbers stay numbers."""
    assert [cell(v) for v in ("=1+1", "+44", "-x", "@SUM", "\tA", "\rB", "plain")] == [
        "'=1+1",
        "'+44",
        "'-x",
        "'@SUM",
        "'\tA",
        "'\rB",
        "plain",
    ]
    assert cell(-1.5) == -1.5 and cell(None) == "" and cell(True) == "true"
    assert to_csv([{"a": "=x", "b": 2}], ["a", "b"]) == "a,b\r\n'=x,2\r\n"
