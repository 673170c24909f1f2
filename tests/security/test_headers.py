"""Security headers on every route of the app's url_map, signed in or not, on success or error."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.api.world import DAY, World
from tests.security.sessions import sign_in

EXAMPLE_VALUES = {"filename": "app.css", "kind": "workers", "action": "check-in", "report": "pay"}
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
ASSETS = ("/static/", "/sw.js")
"""Scripts and styles without personal data: they may choose their own caching."""


def every_request(app: Flask, world: World) -> list[tuple[str, str]]:
    """One (method, url) per route and method, with real ids from the world filled in."""
    ids = {
        "area_id": world.areas["LDS"],
        "worker_id": world.workers["Alice"],
        "client_id": world.clients["Edith"],
        "visit_id": next(iter(world.visits.values())),
        "plan_id": next(iter(world.care_plans.values())),
        "plan_run_id": 1,
        "pattern_id": next(iter(world.availability.values())),
    }
    requests = []
    for rule in app.url_map.iter_rules():
        values = {name: ids.get(name, EXAMPLE_VALUES.get(name)) for name in rule.arguments}
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            requests.append((method, f"{path}?date={DAY}"))
    return requests


def assert_secure_headers(headers: dict[str, str], where: str, *, static: bool) -> None:
    """The headers every response must carry (no-store unless a static asset)."""
    policy = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, where
    assert not re.search(r"https?:|\*", policy), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer"}, where
    if not static:
        assert "no-store" in headers.get("Cache-Control", ""), where


@pytest.mark.parametrize("who", ["nobody", "admin", "alice"])
def test_every_route_sends_the_security_headers(app, world: World, who: str) -> None:  # type: ignore[no-untyped-def]
    """Walk the url_map as a stranger, an admin and a worker: every answer has the headers."""
    client = app.test_client()
    headers = world.headers(who) if who != "nobody" else {}
    if who != "nobody":
        assert sign_in(client, who).status_code == 302
    requests = every_request(app, world)
    assert len(requests) >= 50
    statuses = set()
    for method, url in requests:
        answer = client.open(url, method=method, headers=headers)
        statuses.add(answer.status_code)
        assert answer.status_code < 500, f"{method} {url}"
        where = f"{who} {method} {url} → {answer.status_code}"
        assert_secure_headers(dict(answer.headers), where, static=url.startswith(ASSETS))
        assert "Strict-Transport-Security" not in answer.headers, "HSTS in development"
    assert 200 in statuses and statuses - {200}


def test_strict_transport_security_outside_development(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, database_url: str
) -> None:
    """In production every answer, a page or the API, tells the browser to use HTTPS only."""
    from api import create_app

    monkeypatch.setenv("HOMECARE_ENV", "production")
    monkeypatch.setenv("HOMECARE_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        client = app.test_client()
        for path in ("/login", "/api/v1/me", "/healthz", "/no-such-page", "/static/app.css"):
            answer = client.get(path)
            assert answer.headers["Strict-Transport-Security"].startswith("max-age="), path
            assert_secure_headers(dict(answer.headers), path, static=path.startswith(ASSETS))
    finally:
        app.extensions["homecare_engine"].dispose()
