"""Workers: my route, my calendar, check-in and check-out, late and missed flags."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import Assignment, AuditEntry, Visit, VisitCheck
from scheduler.services.attendance import area_attendance
from tests.api.world import DAY, World, at

ROUTE = f"/api/v1/me/route?date={DAY.isoformat()}"


def test_my_route_lists_ordered_stops_with_all_a_carer_needs(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Alice's route: Edith then Frank, with address, location, notes, tasks and partner."""
    response = client.get(ROUTE, headers=world.headers("alice"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["worker"]["name"] == "Alice Carer"
    stops = body["stops"]
    assert [s["client"]["name"] for s in stops] == ["Edith Client", "Frank Client"]
    first, second = stops
    assert first["start"] == "2026-11-24T08:00:00Z" or first["start"].startswith(
        "2026-11-24T08:00:00"
    )
    assert first["client"]["access_notes"] == "Key safe 1234"
    assert first["client"]["address"] == "1 High Street"
    assert first["navigation"]["geo_uri"].startswith("geo:53.800000,-1.550000")
    assert "destination=53.800000%2C-1.550000" in first["navigation"]["maps_url"]
    assert first["required_skills"] == ["personal_care"] and first["tasks"].startswith("Breakfast")
    assert first["travel_minutes"] == 10.0 and first["status"] == "scheduled"
    assert second["other_carers"] == [{"worker_id": world.workers["Bob"], "name": "Bob Carer"}]
    assert first["other_carers"] == []


def test_instants_carry_an_offset_in_london_time(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Summer instants show +01:00; winter ones Z/+00:00: ISO 8601 with an offset, London time."""
    body = client.get(ROUTE, headers=world.headers("alice")).get_json()
    start = datetime.fromisoformat(body["stops"][0]["start"].replace("Z", "+00:00"))
    assert start.utcoffset() == timedelta(0)
    from scheduler.services.routes import london

    assert london(at(8, day=DAY.replace(month=7))).isoformat().endswith("+01:00")


def test_route_shows_what_changed_since_the_worker_last_looked(
    client, world: World, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """After a visit moves, the next look reports it moved (and the one after, nothing)."""
    first = client.get(ROUTE, headers=world.headers("alice")).get_json()
    assert first["changes"] == [] and first["last_seen_at"] is None
    with session_scope(engine) as session:
        row = session.exec(
            select(Assignment).where(Assignment.visit_id == world.visits["Edith"])
        ).one()
        row.start, row.end = at(8, 20), at(8, 50)
        session.add(row)
    second = client.get(ROUTE, headers=world.headers("alice")).get_json()
    assert [(c["kind"], c["client_name"]) for c in second["changes"]] == [("moved", "Edith Client")]
    assert second["last_seen_at"] is not None
    third = client.get(ROUTE, headers=world.headers("alice")).get_json()
    assert third["changes"] == []


def test_another_workers_route_is_not_reachable(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Alice cannot read Dan's route: 404, exactly like a worker that does not exist."""
    other = client.get(
        f"/api/v1/workers/{world.workers['Dan']}/route?date={DAY}", headers=world.headers("alice")
    )
    missing = client.get(f"/api/v1/workers/999999/route?date={DAY}", headers=world.headers("alice"))
    assert other.status_code == missing.status_code == 404
    assert other.get_json()["message"].replace(
        str(world.workers["Dan"]), "N"
    ) == missing.get_json()["message"].replace("999999", "N")
    own = client.get(
        f"/api/v1/workers/{world.workers['Alice']}/route?date={DAY}", headers=world.headers("alice")
    )
    assert own.status_code == 200
    coordinator = client.get(
        f"/api/v1/workers/{world.workers['Alice']}/route?date={DAY}",
        headers=world.headers("coordinator"),
    )
    assert coordinator.status_code == 200 and len(coordinator.get_json()["stops"]) == 2


def test_reading_a_route_is_audited(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each read of a route (client data) leaves an audit entry naming the reader."""
    client.get(ROUTE, headers=world.headers("alice"))
    with session_scope(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "route")).all()
    assert [(e.actor, e.action) for e in entries] == [("alice", "read")]


def test_calendar_feed_has_an_event_per_coming_visit(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The .ics feed holds one VEVENT per published visit in the coming days, with location."""
    from icalendar import Calendar

    from scheduler.services.routes import LONDON

    today = datetime.now(LONDON).date()
    shift = today - DAY
    with session_scope(engine) as session:
        for visit in session.exec(select(Visit)).all():
            visit.day += shift
            session.add(visit)
        from scheduler.db.models import PublishedRota

        for pointer in session.exec(select(PublishedRota)).all():
            session.delete(pointer)
        session.flush()
        for code, run_id in world.plan_runs.items():
            session.add(
                PublishedRota(
                    area_id=world.areas[code], day=today, plan_run_id=run_id, published_at=at(6)
                )
            )
        for assignment in session.exec(select(Assignment)).all():
            assignment.start += shift
            assignment.end += shift
            session.add(assignment)
    response = client.get("/api/v1/me/route.ics?days=2", headers=world.headers("alice"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk() if c.name == "VEVENT"]
    assert sorted(str(e["summary"]) for e in events) == [
        "Visit: Edith Client",
        "Visit: Frank Client",
    ]
    assert all("High Street" in str(e["location"]) for e in events)
    assert (
        client.get("/api/v1/me/route.ics?days=99", headers=world.headers("alice")).status_code
        == 400
    )


def test_check_in_and_out_of_my_visit(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Checking in then out stores time and place and moves the visit's status on."""
    from scheduler.db.types import utc_now

    now = utc_now()
    with session_scope(engine) as session:
        row = session.exec(
            select(Assignment).where(Assignment.visit_id == world.visits["Edith"])
        ).one()
        row.start, row.end = now - timedelta(minutes=5), now + timedelta(minutes=25)
        session.add(row)
    visit = world.visits["Edith"]
    url = f"/api/v1/me/visits/{visit}/check-in"
    response = client.post(
        url,
        json={"latitude": 53.8, "longitude": -1.55, "accuracy_metres": 12},
        headers=world.headers("alice"),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "checked_in"
    again = client.post(url, json={}, headers=world.headers("alice"))
    assert again.status_code == 409
    out = client.post(
        f"/api/v1/me/visits/{visit}/check-out", json={}, headers=world.headers("alice")
    )
    assert out.status_code == 201
    with session_scope(engine) as session:
        checks = session.exec(select(VisitCheck).order_by(VisitCheck.id)).all()
        assert [(c.kind.value, c.latitude) for c in checks] == [
            ("check_in", 53.8),
            ("check_out", None),
        ]
        assert session.get(Visit, visit).status.value == "completed"  # type: ignore[union-attr]


def test_checks_are_refused_outside_my_route_and_with_bad_input(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Dan's visit is not Alice's (404); bad location or time is a 400 naming the field."""
    headers = world.headers("alice")
    dan = client.post(
        f"/api/v1/me/visits/{world.visits['Harold']}/check-in", json={}, headers=headers
    )
    assert dan.status_code == 404
    visit = world.visits["Edith"]
    url = f"/api/v1/me/visits/{visit}/check-in"
    for body, name in (
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 53.8}, "latitude"),
        ({"at": "2026-11-24T08:00:00"}, "at"),
        ({"at": "3026-11-24T08:00:00+00:00"}, "at"),
        ({"latitude": "53.8", "longitude": -1.5}, "latitude"),
        ({"colour": "red"}, "colour"),
    ):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["field"] == name
    out_first = client.post(f"/api/v1/me/visits/{visit}/check-out", json={}, headers=headers)
    assert out_first.status_code in (400, 409)


def test_late_and_missed_flags(world: World, engine: Engine) -> None:
    """Without a check-in, a visit is late 15 minutes after its start and missed after its end."""
    with session_scope(engine) as session:
        area = world.areas["LDS"]
        on_time = area_attendance(area, DAY, session=session, now=at(8, 10))
        late = area_attendance(area, DAY, session=session, now=at(8, 20))
        missed = area_attendance(area, DAY, session=session, now=at(8, 31))
    edith = world.visits["Edith"]
    flag = lambda rows: next(r["flag"] for r in rows if r["visit_id"] == edith)  # noqa: E731
    assert (flag(on_time), flag(late), flag(missed)) == (None, "late", "missed")


def test_coordinator_sees_attendance_flags(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Attendance flags a visit whose end has passed as missed, one under way as late."""
    from scheduler.db.types import utc_now

    now = utc_now()
    with session_scope(engine) as session:
        for row in session.exec(select(Assignment)).all():
            if row.visit_id == world.visits["Edith"]:
                row.start, row.end = now - timedelta(minutes=40), now - timedelta(minutes=10)
            elif row.visit_id == world.visits["Frank"]:
                row.start, row.end = now - timedelta(minutes=20), now + timedelta(minutes=25)
            session.add(row)
    response = client.get(
        f"/api/v1/areas/{world.areas['LDS']}/attendance?date={DAY}",
        headers=world.headers("coordinator"),
    )
    assert response.status_code == 200
    rows = response.get_json()["visits"]
    flags = sorted((r["visit_id"], r["worker_id"], r["flag"]) for r in rows)
    assert flags == sorted(
        [
            (world.visits["Edith"], world.workers["Alice"], "missed"),
            (world.visits["Frank"], world.workers["Alice"], "late"),
            (world.visits["Frank"], world.workers["Bob"], "late"),
        ]
    )
