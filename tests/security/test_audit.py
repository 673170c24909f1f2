"""The audit log records every read of client data, and never holds a secret.

Secrets are passwords, bearer tokens, their stored digests and password hashes:
none may appear in any audit row, nor in anything logged, after sign-ins (good
and bad), token issue and revocation, and reads of routes, rotas and clients.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import ApiToken, AuditEntry, UserAccount
from tests.api.world import DAY, PASSWORD, World
from tests.security.sessions import sign_in

WRONG_PASSWORD = "Tr0ub4dor&3-wrong"


def client_data_reads(world: World) -> list[tuple[str, str, str]]:
    """(login, path, audited entity) for each way of reading client data."""
    leeds, edith = world.areas["LDS"], world.clients["Edith"]
    return [
        ("alice", f"/api/v1/me/route?date={DAY}", "route"),
        ("alice", "/api/v1/me/route.ics", "route_calendar"),
        ("coordinator", f"/api/v1/workers/{world.workers['Alice']}/route?date={DAY}", "route"),
        ("coordinator", f"/api/v1/areas/{leeds}/rota?date={DAY}", "rota"),
        ("coordinator", f"/api/v1/areas/{leeds}/unallocated?date={DAY}", "unallocated"),
        ("coordinator", f"/api/v1/areas/{leeds}/attendance?date={DAY}", "attendance"),
        ("coordinator", f"/api/v1/visits/{next(iter(world.visits.values()))}", "visit"),
        ("coordinator", f"/api/v1/areas/{leeds}/clients", "client"),
        ("coordinator", f"/api/v1/clients/{edith}", "client"),
        ("coordinator", f"/api/v1/clients/{edith}/care-plans", "care_plan"),
        ("coordinator", f"/api/v1/care-plans/{world.care_plans['Edith']}", "care_plan"),
        ("manager", f"/api/v1/reports/continuity?from={DAY}&to={DAY}", "report_continuity"),
    ]


def audit_rows(engine: Engine) -> list[AuditEntry]:
    """Every audit row, oldest first."""
    with session_scope(engine) as session:
        rows = list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).all())  # type: ignore[arg-type]
        session.expunge_all()
    return rows


def test_every_read_of_client_data_is_audited(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Each read leaves one new 'read' row naming the reader and what was read."""
    for login, path, entity in client_data_reads(world):
        before = len(audit_rows(engine))
        answer = client.get(path, headers=world.headers(login))
        assert answer.status_code == 200, path
        new = audit_rows(engine)[before:]
        assert [(r.actor, r.action, r.entity) for r in new] == [(login, "read", entity)], path
    for login, page, entity in (
        ("alice", f"/me?date={DAY}", "route"),
        ("coordinator", "/board", "board"),
    ):
        pages = client.application.test_client()
        assert sign_in(pages, login).status_code == 302
        before = len(audit_rows(engine))
        assert pages.get(page).status_code == 200
        new = audit_rows(engine)[before:]
        assert [(r.actor, r.action, r.entity) for r in new] == [(login, "read", entity)], page


def test_no_secret_reaches_the_audit_log_or_the_logs(
    client, world: World, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """After sign-ins, token issue and revocation and reads, no secret is in a row or a log line."""
    caplog.set_level(logging.DEBUG)
    issued = client.post(
        "/api/v1/auth/token", json={"username": "coordinator", "password": PASSWORD}
    )
    assert issued.status_code == 201
    token = issued.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(
            "/api/v1/auth/token", json={"username": "manager", "password": WRONG_PASSWORD}
        ).status_code
        == 401
    )
    assert sign_in(client.application.test_client(), "alice").status_code == 302
    assert sign_in(client.application.test_client(), "dan", WRONG_PASSWORD).status_code == 401
    for login, path, _ in client_data_reads(world):
        headers = bearer if login == "coordinator" else world.headers(login)
        assert client.get(path, headers=headers).status_code == 200, path
    assert client.delete("/api/v1/auth/token", headers=bearer).status_code == 204

    with session_scope(engine) as session:
        digests = list(session.exec(select(ApiToken.digest)).all())
        hashes = list(session.exec(select(UserAccount.password_hash)).all())
    secrets = [PASSWORD, WRONG_PASSWORD, token, *world.tokens.values(), *digests, *hashes]
    assert len(digests) >= len(world.tokens) + 2
    rows = audit_rows(engine)
    actions = {(r.actor, r.action, r.entity) for r in rows}
    assert ("coordinator", "login", "token") in actions, "token issue is not audited"
    assert ("alice", "login", "session") in actions
    assert ("coordinator", "logout", "token") in actions
    for row in rows:
        text = json.dumps(row.model_dump(mode="json"))
        leaked = [s[:8] for s in secrets if s in text or s[:16] in text]
        assert leaked == [], f"audit row {row.id} holds a secret"
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert [s[:8] for s in secrets if s[:16] in logged] == []
