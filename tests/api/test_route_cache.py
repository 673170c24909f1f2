"""The route read served from the cache (PostgreSQL) is never stale, never outlives its
token, and is audited on every read.

Each behavioural test runs on both engines: on SQLite every route is rendered
afresh, on PostgreSQL (``HOMECARE_TEST_DATABASE=postgresql``) the second read of
an unchanged route comes from the process's cache, which the tests check there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.route_fast import route_fast
from scheduler.db.engine import session_scope
from scheduler.db.models import (
    ApiToken,
    Assignment,
    AuditEntry,
    CheckKind,
    Client,
    PublishedRota,
    Role,
    UserAccount,
    Visit,
    VisitCheck,
    VisitStatus,
    Worker,
)
from scheduler.services.audit_batch import ReadAuditBuffer
from scheduler.services.route_cache import CachedRoute, RouteCache, valid_until
from tests.api.world import DAY, World, at
from tests.conftest import ENGINE_KIND
from tests.faults.server import running_service

ROUTE = f"/api/v1/me/route?date={DAY.isoformat()}"
ON_POSTGRESQL = ENGINE_KIND == "postgresql"


def read(client: FlaskClient, world: World, login: str = "alice") -> dict[str, Any]:
    """Alice's route (200 expected)."""
    response = client.get(ROUTE, headers=world.headers(login))
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def cached_routes(app: Flask) -> int:
    """Routes in this process's cache (0 on SQLite, which has none)."""
    with app.app_context():
        fast = route_fast()
        return len(fast.cache) if fast is not None else 0


def _edit_client(s: Session, w: World) -> None:
    client = s.get(Client, w.clients["Edith"])
    assert client is not None
    client.address = "2 Low Street"


def _edit_visit(s: Session, w: World) -> None:
    visit = s.get(Visit, w.visits["Edith"])
    assert visit is not None
    visit.tasks = "Lunch only"


def _edit_assignment(s: Session, w: World) -> None:
    assignment = s.exec(
        select(Assignment).where(
            Assignment.visit_id == w.visits["Edith"], Assignment.worker_id == w.workers["Alice"]
        )
    ).one()
    assignment.start = at(8, 20)
    assignment.end = at(8, 50)


def _rename(name: str, new: str) -> Callable[[Session, World], None]:
    def edit(s: Session, w: World) -> None:
        worker = s.get(Worker, w.workers[name])
        assert worker is not None
        worker.name = new

    return edit


def _unpublish(s: Session, w: World) -> None:
    for pointer in s.exec(select(PublishedRota).where(PublishedRota.area_id == w.areas["LDS"])):
        s.delete(pointer)


def _check(kind: CheckKind, minute: int) -> Callable[[Session, World], None]:
    def edit(s: Session, w: World) -> None:
        s.add(
            VisitCheck(
                visit_id=w.visits["Edith"],
                worker_id=w.workers["Alice"],
                kind=kind,
                at=at(8, minute),
            )
        )
        if kind == CheckKind.CHECK_IN:
            visit = s.get(Visit, w.visits["Edith"])
            assert visit is not None
            visit.status = VisitStatus.CHECKED_IN

    return edit


def _cancel(s: Session, w: World) -> None:
    visit = s.get(Visit, w.visits["Frank"])
    assert visit is not None
    visit.status = VisitStatus.CANCELLED


EDITS: dict[str, tuple[Callable[[Session, World], None], Callable[[dict[str, Any]], Any]]] = {
    "client address": (_edit_client, lambda r: r["stops"][0]["client"]["address"]),
    "visit tasks": (_edit_visit, lambda r: r["stops"][0]["tasks"]),
    "assignment time": (_edit_assignment, lambda r: r["stops"][0]["start"]),
    "worker name": (_rename("Alice", "Alice Renamed"), lambda r: r["worker"]["name"]),
    "partner name": (_rename("Bob", "Bob Renamed"), lambda r: r["stops"][1]["other_carers"]),
    "rota unpublished": (_unpublish, lambda r: len(r["stops"])),
    "check-out": (_check(CheckKind.CHECK_OUT, 35), lambda r: r["stops"][0]["checked_out_at"]),
    "visit status": (_cancel, lambda r: r["stops"][1]["status"]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_to_any_row_of_the_route_is_served_at_once(
    app: Flask, client: FlaskClient, world: World, engine: Engine, edit: str
) -> None:
    """Read until unchanged (then from the cache on PostgreSQL), edit one source row
    outside the web process, read again: the edit shows."""
    change, field = EDITS[edit]
    if edit == "check-out":  # checks are read once a visit has started: start it first
        with session_scope(engine) as s:
            _check(CheckKind.CHECK_IN, 5)(s, world)
    read(client, world)  # the first look is remembered ("last seen"), which is a change too
    first = read(client, world)
    assert read(client, world) == first
    if ON_POSTGRESQL:
        assert cached_routes(app) >= 1
    with session_scope(engine) as s:
        change(s, world)
    after = read(client, world)
    assert field(after) != field(first), f"{edit}: still {field(after)!r}"


def test_changes_since_last_look_are_shown_once_then_not_again(
    client: FlaskClient, world: World, engine: Engine
) -> None:
    """What the worker last saw is a source row too: a moved visit is reported on the
    next look only, even though the route is cached in between."""
    read(client, world)
    with session_scope(engine) as s:
        _edit_assignment(s, world)
    moved = read(client, world)
    assert [c["kind"] for c in moved["changes"]] == ["moved"]
    assert read(client, world)["changes"] == []
    assert read(client, world)["changes"] == []


def test_a_revoked_token_or_a_disabled_account_is_refused_at_once(
    client: FlaskClient, world: World, engine: Engine
) -> None:
    """The token is checked by the same statement on every read, cached route or not."""
    read(client, world)
    read(client, world)
    assert client.delete("/api/v1/auth/token", headers=world.headers("alice")).status_code == 204
    refused = client.get(ROUTE, headers=world.headers("alice"))
    assert refused.status_code == 401 and refused.get_json()["status"] == 401

    read(client, world, "dan")
    with session_scope(engine) as s:
        dan = s.get(UserAccount, world.users["dan"])
        assert dan is not None
        dan.active = False
    assert client.get(ROUTE, headers=world.headers("dan")).status_code == 401


def test_an_expired_token_or_a_changed_role_is_refused_at_once(
    client: FlaskClient, world: World, engine: Engine
) -> None:
    """Expiry is compared with the clock on every read; a role is read on every read."""
    read(client, world)
    read(client, world, "dan")
    with session_scope(engine) as s:
        for token in s.exec(select(ApiToken).where(ApiToken.user_id == world.users["alice"])):
            token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        dan = s.get(UserAccount, world.users["dan"])
        assert dan is not None
        dan.role = Role.COORDINATOR
    assert client.get(ROUTE, headers=world.headers("alice")).status_code == 401
    assert client.get(ROUTE, headers=world.headers("dan")).status_code == 403


def test_every_read_is_audited_cached_or_not(
    client: FlaskClient, world: World, engine: Engine
) -> None:
    """Five reads, five audit entries naming the account and the route."""
    for _ in range(5):
        read(client, world)
    with session_scope(engine) as s:
        entries = s.exec(
            select(AuditEntry).where(AuditEntry.entity == "route", AuditEntry.action == "read")
        ).all()
    assert len(entries) == 5
    assert {e.actor for e in entries} == {"alice"}
    assert {e.user_id for e in entries} == {world.users["alice"]}
    assert {e.entity_id for e in entries} == {f"{world.workers['Alice']}:{DAY.isoformat()}"}
    assert {e.detail["stops"] for e in entries} == {2}


def test_bad_input_and_missing_tokens_answer_as_before(client: FlaskClient, world: World) -> None:
    """The shortcut leaves every refusal to the standard path: 401, 400 naming the field."""
    assert client.get(ROUTE).status_code == 401
    bad = client.get("/api/v1/me/route?date=24-11-2026", headers=world.headers("alice"))
    assert bad.status_code == 400 and bad.get_json()["field"] == "date"
    missing = client.get("/api/v1/me/route", headers=world.headers("alice"))
    assert missing.status_code == 400 and missing.get_json()["field"] == "date"
    coordinator = client.get(ROUTE, headers=world.headers("coordinator"))
    assert coordinator.status_code == 403


def test_a_cached_route_expires_when_a_stop_turns_late_or_missed() -> None:
    """A stop not checked in turns late 15 minutes after its start and missed at its end;
    the cache entry lasts until the first of those, and never more than an hour."""
    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)

    def stop(start: datetime, end: datetime, **extra: Any) -> dict[str, Any]:
        return {"start": start, "end": end, "checked_in_at": None, "status": "scheduled", **extra}

    assert valid_until([], now) == now + timedelta(hours=1)
    coming = stop(at(7, 30), at(8, 0))
    assert valid_until([coming], now) == at(7, 45)
    assert valid_until([coming], at(7, 50)) == at(8, 0)
    checked = stop(at(7, 30), at(8, 0), checked_in_at=at(7, 31))
    cancelled = stop(at(7, 10), at(7, 40), status="cancelled")
    assert valid_until([checked, cancelled], now) == now + timedelta(hours=1)

    cache = RouteCache(max_entries=2)
    cache.put((1, DAY, "v1"), CachedRoute(b"{}", 0, at(7, 45)))
    assert cache.get((1, DAY, "v1"), at(7, 44)) is not None
    assert cache.get((1, DAY, "v1"), at(7, 45)) is None
    for version in ("a", "b", "c"):
        cache.put((2, DAY, version), CachedRoute(b"{}", 0, at(9)))
    assert len(cache) == 2 and cache.get((2, DAY, "a"), now) is None


def _route_audit_rows(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def test_batched_audit_entries_land_within_the_interval_and_at_close(
    engine: Engine, world: World
) -> None:
    """Every 0.2 s the queue is written in one transaction; closing writes the rest."""
    buffer = ReadAuditBuffer(engine, 0.2)
    for n in range(3):
        buffer.add(world.users["alice"], "alice", "route", f"x:{n}", {"stops": n})
    deadline = time.monotonic() + 10
    while len(_route_audit_rows(engine)) < 3:
        assert time.monotonic() < deadline, "batched audit entries never landed"
        time.sleep(0.05)
    rows = _route_audit_rows(engine)
    assert [(r.entity_id, r.detail) for r in rows] == [(f"x:{n}", {"stops": n}) for n in range(3)]
    assert all(r.action == "read" and r.actor == "alice" for r in rows)
    buffer.close()

    slow = ReadAuditBuffer(engine, 60)
    slow.add(world.users["alice"], "alice", "route", "at-exit", {})
    assert slow.pending() == 1
    slow.close()
    assert slow.pending() == 0
    assert _route_audit_rows(engine)[-1].entity_id == "at-exit"


def test_on_gunicorn_every_process_serves_edits_and_refuses_a_revoked_token_at_once(
    database_url: str, engine: Engine, world: World, tmp_path: Path
) -> None:
    """``deploy/start.sh web`` with two processes, each request on a new connection (so
    both processes serve and cache the route): an edit made outside the server shows on
    every following read, a revoked token is refused on every following read, and the
    batched audit entries of every read are written by the time the server has stopped."""
    headers = {**world.headers("alice"), "Connection": "close"}
    reads = 0
    with running_service(database_url, tmp_path / "web.log", WEB_CONCURRENCY="2") as service:

        def addresses() -> set[str]:
            nonlocal reads
            found = set()
            for _ in range(16):
                status, _, body = service.request("GET", ROUTE, headers=headers)
                assert status == 200, body
                reads += 1
                found.add(json.loads(body)["stops"][0]["client"]["address"])
            return found

        assert addresses() == {"1 High Street"}
        with session_scope(engine) as s:
            _edit_client(s, world)
        assert addresses() == {"2 Low Street"}
        status, _, _ = service.request("DELETE", "/api/v1/auth/token", headers=headers)
        assert status == 204
        refused = {service.request("GET", ROUTE, headers=headers)[0] for _ in range(16)}
        assert refused == {401}
    with Session(engine) as s:
        audited = s.exec(
            select(AuditEntry).where(AuditEntry.entity == "route", AuditEntry.action == "read")
        ).all()
    assert len(audited) == reads == 32
