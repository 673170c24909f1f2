"""Signing in: cookie flags, and a throttle that counts failures across every server process.

Two application instances on one database stand for two gunicorn workers (or two
machines): each has its own engine and connection pool and shares nothing in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.db.engine import session_scope
from scheduler.db.models import LoginAttempt
from scheduler.services.login_throttle import FREE_FAILURES, LOCK_FAILURES
from tests.api.world import PASSWORD, World
from tests.security.sessions import sign_in


@pytest.fixture
def second_app(engine: Engine, database_url: str) -> Iterator[Flask]:
    """Another application instance on the same database (another server process)."""
    from api import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": database_url})
    yield application
    application.extensions["homecare_engine"].dispose()


def token_attempt(client, username: str, password: str):  # type: ignore[no-untyped-def]
    """``POST /api/v1/auth/token`` with a username and password."""
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def age_attempts(engine: Engine, seconds: int) -> None:
    """Move every recorded attempt ``seconds`` into the past, as though time had passed."""
    with session_scope(engine) as session:
        for attempt in session.exec(select(LoginAttempt)).all():
            attempt.at -= timedelta(seconds=seconds)
            session.add(attempt)


def test_session_cookie_flags(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """The real login response sets the session cookie Secure, HttpOnly and SameSite=Lax."""
    answer = sign_in(client, "coordinator")
    assert answer.status_code == 302
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("homecare_session=")]
    assert len(cookies) == 1
    flags = {part.strip().split("=")[0].lower(): part for part in cookies[0].split(";")[1:]}
    assert "secure" in flags and "httponly" in flags
    assert flags["samesite"].strip().lower() in {"samesite=lax", "samesite=strict"}
    assert client.get("/board").status_code == 200


def test_failures_through_two_processes_add_up(
    app: Flask, second_app: Flask, world: World, engine: Engine
) -> None:
    """Free failures split across two processes still count together: the next try waits."""
    first, second = app.test_client(), second_app.test_client()
    failures = [first, second] * FREE_FAILURES
    for client in failures[:FREE_FAILURES]:
        assert token_attempt(client, "dan", "wrong").status_code == 401
    refused = token_attempt(first, "dan", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert token_attempt(second, "dan", PASSWORD).status_code == 429
    assert refused.get_json()["status"] == 429


def test_lockout_across_two_processes(
    app: Flask, second_app: Flask, world: World, engine: Engine
) -> None:
    """Failures alternating between two processes lock the account on both, right password too.

    Between tries the recorded attempts are aged past the growing delay, so every try
    reaches the password check; neither process alone sees enough failures to lock.
    """
    first, second = app.test_client(), second_app.test_client()
    for attempt in range(LOCK_FAILURES):
        client = first if attempt % 2 == 0 else second
        assert token_attempt(client, "alice", "wrong").status_code == 401, attempt
        age_attempts(engine, 61)
    for client in (first, second):
        locked = token_attempt(client, "alice", PASSWORD)
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 60
        page = sign_in(client, "alice")
        assert page.status_code == 429
    assert token_attempt(first, "dan", PASSWORD).status_code == 201
