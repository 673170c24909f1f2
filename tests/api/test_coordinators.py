"""Coordinators: unallocated visits, plan requests, visit changes with ETags, records, import."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import AuditEntry, PlanRun, PlanRunStatus, Visit
from tests.api.world import DAY, World


def test_unallocated_lists_each_visit_with_its_reason(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The planner's reason is given, and a visit added after planning reads 'not planned'."""
    with session_scope(engine) as session:
        extra = Visit(
            client_id=world.clients["Frank"],
            area_id=world.areas["LDS"],
            day=DAY,
            earliest_start=session.get(Visit, world.visits["Frank"]).earliest_start,  # type: ignore[union-attr]
            latest_start=session.get(Visit, world.visits["Frank"]).latest_start,  # type: ignore[union-attr]
            preferred_start=session.get(Visit, world.visits["Frank"]).preferred_start,  # type: ignore[union-attr]
            duration_minutes=20,
        )
        session.add(extra)
    response = client.get(
        f"/api/v1/areas/{world.areas['LDS']}/unallocated?date={DAY}",
        headers=world.headers("coordinator"),
    )
    assert response.status_code == 200
    reasons = {(v["client_name"], v["reason_code"]) for v in response.get_json()["visits"]}
    assert reasons == {("Edith Client", "no_worker_available"), ("Frank Client", "not_planned")}


def test_plan_request_answers_202_and_the_job_runs_it(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """POST /plans records a pending run at once; run_pending_plan_runs executes it later."""
    from scheduler.services.planning import run_pending_plan_runs

    response = client.post(
        "/api/v1/plans",
        json={"date": DAY.isoformat(), "area_ids": [world.areas["LDS"]]},
        headers=world.headers("coordinator"),
    )
    assert response.status_code == 202, response.get_json()
    run_id = response.get_json()["id"]
    assert response.headers["Location"] == f"/api/v1/plans/{run_id}"
    assert response.get_json()["status"] == "pending"
    assert run_pending_plan_runs(engine, time_limit_seconds=2) == [run_id]
    assert run_pending_plan_runs(engine, time_limit_seconds=2) == []
    status = client.get(f"/api/v1/plans/{run_id}", headers=world.headers("coordinator")).get_json()
    assert status["status"] in ("published", "failed")
    assert status["progress"]["total"] == 1


def test_plan_request_is_pending_until_the_job_claims_it(
    client, world: World, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """A claimed run can be claimed only once (two job processes never run the same run)."""
    from scheduler.services.planning import claim_plan_run

    with session_scope(engine) as session:
        run = PlanRun(key="test:pending", day=DAY)
        session.add(run)
        session.flush()
        run_id = run.id or 0
    assert claim_plan_run(engine, run_id) is True
    assert claim_plan_run(engine, run_id) is False
    with session_scope(engine) as session:
        claimed = session.get(PlanRun, run_id)
        assert claimed is not None and claimed.status == PlanRunStatus.RUNNING
        assert claimed.owner and claimed.lease_expires_at is not None


def test_plan_request_refuses_areas_outside_scope(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Asking to plan Bath as Leeds' coordinator answers 404 naming area_ids; bad bodies 400."""
    headers = world.headers("coordinator")
    other = client.post(
        "/api/v1/plans",
        json={"date": DAY.isoformat(), "area_ids": [world.areas["BTH"]]},
        headers=headers,
    )
    assert other.status_code == 404 and other.get_json()["field"] == "area_ids"
    for body, name in (
        ({"date": "2026-02-30", "area_ids": [1]}, "date"),
        ({"date": DAY.isoformat()}, "area_ids"),
        ({"date": DAY.isoformat(), "area_ids": []}, "area_ids"),
        ({"date": DAY.isoformat(), "area_ids": ["1"]}, "area_ids"),
    ):
        response = client.post("/api/v1/plans", json=body, headers=headers)
        assert response.status_code == 400 and response.get_json()["field"] == name, body
    assert client.post("/api/v1/plans", data="x", headers=headers).status_code == 415


def test_plan_status_is_hidden_outside_scope(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Bath's published run is a 404 to Leeds' coordinator and readable by an admin."""
    url = f"/api/v1/plans/{world.plan_runs['BTH']}"
    assert client.get(url, headers=world.headers("coordinator")).status_code == 404
    body = client.get(url, headers=world.headers("admin")).get_json()
    assert body["status"] == "published" and body["area_ids"] == [world.areas["BTH"]]


def test_visit_changes_need_the_current_etag(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """428 without If-Match, 200 with the ETag read, then 412 for the stale ETag."""
    headers = world.headers("coordinator")
    url = f"/api/v1/visits/{world.visits['Edith']}"
    read = client.get(url, headers=headers)
    etag = read.headers["ETag"]
    assert read.status_code == 200 and etag == '"v1"'
    pin = {"pinned_worker_id": world.workers["Bob"]}
    assert client.patch(url, json=pin, headers=headers).status_code == 428
    changed = client.patch(url, json=pin, headers={**headers, "If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"v2"'
    assert changed.get_json()["pinned_worker_id"] == world.workers["Bob"]
    stale = client.patch(
        url, json={"pinned_worker_id": None}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    unpinned = client.patch(
        url, json={"pinned_worker_id": None}, headers={**headers, "If-Match": '"v2"'}
    )
    assert unpinned.status_code == 200 and unpinned.get_json()["pinned_worker_id"] is None
    with session_scope(engine) as session:
        assert session.get(Visit, world.visits["Edith"]).version == 3  # type: ignore[union-attr]
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "update")).all()) == 2


def test_visit_moves_stay_within_the_window_and_pins_within_scope(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A start outside the window, or a worker from another area, is a 400 naming the field."""
    headers = {**world.headers("coordinator"), "If-Match": '"v1"'}
    url = f"/api/v1/visits/{world.visits['Edith']}"
    outside = client.patch(
        url, json={"preferred_start": "2026-11-24T11:00:00+00:00"}, headers=headers
    )
    assert outside.status_code == 400 and outside.get_json()["field"] == "preferred_start"
    foreign = client.patch(url, json={"pinned_worker_id": world.workers["Dan"]}, headers=headers)
    assert foreign.status_code == 400 and foreign.get_json()["field"] == "pinned_worker_id"
    moved = client.patch(
        url, json={"preferred_start": "2026-11-24T08:40:00+00:00"}, headers=headers
    )
    assert moved.status_code == 200
    assert moved.get_json()["preferred_start"].startswith("2026-11-24T08:40:00")
    other_area = client.patch(f"/api/v1/visits/{world.visits['Harold']}", json={}, headers=headers)
    assert other_area.status_code == 404


def test_clients_are_created_with_valid_nhs_numbers_only(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A bad check digit is a 400 naming nhs_number; a duplicate a 409; a good one 201."""
    headers = world.headers("coordinator")
    url = f"/api/v1/areas/{world.areas['LDS']}/clients"
    body = {
        "name": "Ivy Client",
        "nhs_number": "943 476 5706",
        "address": "9 Low Road",
        "postcode": "LS3 3CC",
        "latitude": 53.81,
        "longitude": -1.56,
    }
    bad = client.post(url, json={**body, "nhs_number": "9434765707"}, headers=headers)
    assert bad.status_code == 400 and bad.get_json()["field"] == "nhs_number"
    assert "check digit" in bad.get_json()["message"]
    created = client.post(url, json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["nhs_number"] == "9434765706"
    duplicate = client.post(url, json=body, headers=headers)
    assert duplicate.status_code == 409 and duplicate.get_json()["field"] == "nhs_number"
    missing = client.post(url, json={k: v for k, v in body.items() if k != "name"}, headers=headers)
    assert missing.status_code == 400 and missing.get_json()["field"] == "name"
    listed = client.get(url, headers=headers).get_json()
    assert [c["name"] for c in listed["items"]] == ["Edith Client", "Frank Client", "Ivy Client"]
    client_id = created.get_json()["id"]
    moved_away = client.patch(
        f"/api/v1/clients/{client_id}", json={"area_id": world.areas["BTH"]}, headers=headers
    )
    assert moved_away.status_code == 404 and moved_away.get_json()["field"] == "area_id"
    renamed = client.patch(
        f"/api/v1/clients/{client_id}", json={"name": "Ivy Smith"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Ivy Smith"
    nulled = client.patch(f"/api/v1/clients/{client_id}", json={"name": None}, headers=headers)
    assert nulled.status_code == 400 and nulled.get_json()["field"] == "name"


def test_care_plans_workers_availability_and_training(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """Each record can be created, read and changed in scope, with rules naming the field."""
    headers = world.headers("coordinator")
    edith = world.clients["Edith"]
    plan = {
        "ref": "CP-NEW",
        "weekdays": [0, 2, 4],
        "window_start": "18:00",
        "window_end": "19:00",
        "duration_minutes": 30,
        "valid_from": "2026-12-01",
        "required_skills": ["personal_care"],
    }
    created = client.post(f"/api/v1/clients/{edith}/care-plans", json=plan, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["window_start"] == "18:00:00"
    backwards = client.post(
        f"/api/v1/clients/{edith}/care-plans",
        json={**plan, "ref": "CP-2", "window_end": "17:00"},
        headers=headers,
    )
    assert backwards.status_code == 400 and backwards.get_json()["field"] == "window_end"
    unknown = client.post(
        f"/api/v1/clients/{edith}/care-plans",
        json={**plan, "ref": "CP-3", "required_skills": ["juggling"]},
        headers=headers,
    )
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "required_skills"
    with_offset = client.post(
        f"/api/v1/clients/{edith}/care-plans",
        json={**plan, "ref": "CP-4", "window_start": "18:00+01:00"},
        headers=headers,
    )
    assert with_offset.status_code == 400 and with_offset.get_json()["field"] == "window_start"
    plan_id = created.get_json()["id"]
    patched = client.patch(
        f"/api/v1/care-plans/{plan_id}", json={"duration_minutes": 45}, headers=headers
    )
    assert patched.status_code == 200 and patched.get_json()["duration_minutes"] == 45
    assert (
        len(client.get(f"/api/v1/clients/{edith}/care-plans", headers=headers).get_json()["items"])
        == 2
    )

    worker = {
        "ref": "W900",
        "name": "Eve Carer",
        "gender": "female",
        "home_postcode": "LS4 4DD",
        "home_latitude": 53.8,
        "home_longitude": -1.5,
        "transport_mode": "walking",
        "contracted_minutes_per_week": 1200,
        "start_date": "2026-11-01",
        "hourly_pay_pence": 1250,
    }
    made = client.post(f"/api/v1/areas/{world.areas['LDS']}/workers", json=worker, headers=headers)
    assert made.status_code == 201, made.get_json()
    worker_id = made.get_json()["id"]
    wrong_mode = client.post(
        f"/api/v1/areas/{world.areas['LDS']}/workers",
        json={**worker, "ref": "W901", "transport_mode": "horse"},
        headers=headers,
    )
    assert wrong_mode.status_code == 400 and wrong_mode.get_json()["field"] == "transport_mode"
    slot = {"weekday": 0, "start_time": "08:00", "end_time": "12:00"}
    added = client.post(f"/api/v1/workers/{worker_id}/availability", json=slot, headers=headers)
    assert added.status_code == 201
    overlap = client.post(
        f"/api/v1/workers/{worker_id}/availability",
        json={**slot, "start_time": "11:00", "end_time": "13:00"},
        headers=headers,
    )
    assert overlap.status_code == 409 and overlap.get_json()["field"] == "start_time"
    removed = client.delete(f"/api/v1/availability/{added.get_json()['id']}", headers=headers)
    assert removed.status_code == 204
    trained = client.post(
        f"/api/v1/workers/{worker_id}/training",
        json={"course_id": world.course_id, "completed_on": "2026-01-31"},
        headers=headers,
    )
    assert trained.status_code == 201 and trained.get_json()["expires_on"] == "2027-01-31"
    no_course = client.post(
        f"/api/v1/workers/{worker_id}/training",
        json={"course_id": 999, "completed_on": "2026-01-31"},
        headers=headers,
    )
    assert no_course.status_code == 404 and no_course.get_json()["field"] == "course_id"
    assert (
        len(
            client.get(f"/api/v1/workers/{worker_id}/training", headers=headers).get_json()["items"]
        )
        == 1
    )


def test_import_through_the_api_is_whole_or_nothing(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """A bad file is refused with 422 listing row and column; an unknown kind is 404."""
    bad = (
        "code,name,region_code,region_name,latitude,longitude\r\n"
        "NEW,New area,N,North,not-a-number,-1.5\r\n"
    )
    response = client.post(
        "/api/v1/imports/areas", data=bad, content_type="text/csv", headers=world.headers("admin")
    )
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert errors and all({"row", "column", "reason"} <= set(e) for e in errors)
    assert any(e["column"] == "latitude" and e["row"] == 2 for e in errors)
    unknown = client.post(
        "/api/v1/imports/dragons", data=bad, content_type="text/csv", headers=world.headers("admin")
    )
    assert unknown.status_code == 404
    manager = client.post(
        "/api/v1/imports/areas", data=bad, content_type="text/csv", headers=world.headers("manager")
    )
    assert manager.status_code == 403


CLIENTS_CSV = (
    "nhs_number,name,area_code,address,postcode,latitude,longitude\r\n"
    "9434765706,Ivy Client,LDS,9 Low Road,LS3 3CC,53.81,-1.56\r\n"
)


def test_coordinators_import_only_into_their_areas(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Leeds' coordinator may import Leeds clients; a Bath row or an areas file is refused whole."""
    from scheduler.db.models import Client

    headers = world.headers("coordinator")
    done = client.post(
        "/api/v1/imports/clients", data=CLIENTS_CSV, content_type="text/csv", headers=headers
    )
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["created"], done.get_json()["rows"]) == (1, 1)
    bath = CLIENTS_CSV.replace("9434765706,Ivy", "9434765714,Jack").replace(",LDS,", ",BTH,")
    mixed = CLIENTS_CSV.replace("9434765706", "9434765722") + bath.split("\r\n", 1)[1]
    refused = client.post(
        "/api/v1/imports/clients", data=mixed, content_type="text/csv", headers=headers
    )
    assert refused.status_code == 403 and refused.get_json()["field"] == "file"
    areas = client.post(
        "/api/v1/imports/areas", data="code\r\n", content_type="text/csv", headers=headers
    )
    assert areas.status_code == 403
    with session_scope(engine) as session:
        names = sorted(c.name for c in session.exec(select(Client)).all())
    assert names == ["Edith Client", "Frank Client", "Grace Client", "Harold Client", "Ivy Client"]
