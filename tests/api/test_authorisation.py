"""The authorisation table: every endpoint × every role × own and other-scope resource.

The table below is written by hand, independently of the code's declarations:
which roles may call each endpoint and how its resource is scoped. The test
checks that the table names every API route the application has, then calls
each one as each role on a resource in the caller's scope ("own") and one
outside it ("other"), and expects exactly: 401 without a token, 403 for a role
not allowed, 404 for another scope's resource (answered exactly like a missing
one), and the endpoint's success status otherwise. Successful answers must not
mention any record of another scope (no leaked fields).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from scheduler.accounts import issue_token
from scheduler.db.engine import session_scope
from scheduler.db.models import Assignment, UserAccount, Visit
from scheduler.db.types import utc_now
from tests.api.world import DAY, World, build_world

W, C, M, A = "worker", "coordinator", "manager", "admin"
EVERYONE = (W, C, M, A)
READERS = (C, M, A)
WRITERS = (C, A)
MANAGERS = (M, A)
LOGIN = {W: "alice", C: "coordinator", M: "manager", A: "admin"}
D = DAY.isoformat()
_counter = itertools.count(1)


def unique() -> int:
    """A number not used before in this run (for unique refs)."""
    return next(_counter)


def client_body(_: World) -> dict[str, Any]:
    numbers = ["9434765706", "9434765714", "9434765722", "9434765730", "9434765749", "9434765757"]
    return {
        "name": "New Client",
        "nhs_number": numbers[unique() % len(numbers)],
        "address": "1 New Road",
        "postcode": "LS9 9ZZ",
        "latitude": 53.8,
        "longitude": -1.5,
    }


def care_plan_body(_: World) -> dict[str, Any]:
    return {
        "ref": f"AUTH-{unique()}",
        "weekdays": [1],
        "window_start": "17:00",
        "window_end": "18:00",
        "duration_minutes": 30,
        "valid_from": "2026-12-01",
    }


def worker_body(_: World) -> dict[str, Any]:
    return {
        "ref": f"AW{unique()}",
        "name": "New Worker",
        "gender": "male",
        "home_postcode": "LS1 1AA",
        "home_latitude": 53.8,
        "home_longitude": -1.5,
        "transport_mode": "car",
        "contracted_minutes_per_week": 600,
        "start_date": "2026-11-01",
        "hourly_pay_pence": 1300,
    }


@dataclass(frozen=True)
class Row:
    """One endpoint: who may call it, how it is scoped, and what success looks like."""

    method: str
    path: str
    roles: tuple[str, ...] | None  # None: public
    scope: str | None  # the placeholder that picks own/other, or None when unscoped
    success: int
    body: Callable[[World], Any] | None = None
    query: str = ""
    content_type: str | None = None
    only_roles: tuple[str, ...] | None = None  # roles for which "own" means the signed-in worker


TABLE: list[Row] = [
    Row(
        "POST",
        "/api/v1/auth/token",
        None,
        None,
        201,
        body=lambda w: {"username": "admin", "password": "correct horse battery staple"},
    ),
    Row("DELETE", "/api/v1/auth/token", EVERYONE, None, 204),
    Row("GET", "/api/v1/me", EVERYONE, None, 200),
    Row("GET", "/api/v1/me/route", (W,), None, 200, query=f"date={D}"),
    Row("GET", "/api/v1/me/route.ics", (W,), None, 200),
    Row("POST", "/api/v1/me/visits/{visit}/check-in", (W,), "visit", 201, body=lambda w: {}),
    Row("POST", "/api/v1/me/visits/{visit}/check-out", (W,), "visit", 201, body=lambda w: {}),
    Row("GET", "/api/v1/workers/{worker}/route", EVERYONE, "worker", 200, query=f"date={D}"),
    Row("GET", "/api/v1/areas", READERS, None, 200),
    Row("GET", "/api/v1/areas/{area}/rota", READERS, "area", 200, query=f"date={D}"),
    Row("GET", "/api/v1/areas/{area}/unallocated", READERS, "area", 200, query=f"date={D}"),
    Row("GET", "/api/v1/areas/{area}/attendance", READERS, "area", 200, query=f"date={D}"),
    Row(
        "POST",
        "/api/v1/plans",
        WRITERS,
        "area",
        202,
        body=lambda w: {"date": D, "area_ids": ["{area}"]},
    ),
    Row("GET", "/api/v1/plans/{plan}", READERS, "plan", 200),
    Row("GET", "/api/v1/plans/{plan}/diff", READERS, "plan", 200),
    Row(
        "POST",
        "/api/v1/areas/{area}/disruptions",
        WRITERS,
        "area",
        202,
        body=lambda w: {
            "date": D,
            "disruptions": [
                {
                    "kind": "worker_unavailable",
                    "worker_id": "{worker}",
                    "starts_at": f"{D}T21:00:00Z",
                }
            ],
        },
    ),
    Row("GET", "/api/v1/visits/{visit}", READERS, "visit", 200),
    Row("PATCH", "/api/v1/visits/{visit}", WRITERS, "visit", 200, body=lambda w: {}),
    Row("GET", "/api/v1/areas/{area}/clients", READERS, "area", 200),
    Row("POST", "/api/v1/areas/{area}/clients", WRITERS, "area", 201, body=client_body),
    Row("GET", "/api/v1/clients/{client}", READERS, "client", 200),
    Row(
        "PATCH",
        "/api/v1/clients/{client}",
        WRITERS,
        "client",
        200,
        body=lambda w: {"access_notes": "Ring twice"},
    ),
    Row("GET", "/api/v1/clients/{client}/care-plans", READERS, "client", 200),
    Row("POST", "/api/v1/clients/{client}/care-plans", WRITERS, "client", 201, body=care_plan_body),
    Row("GET", "/api/v1/care-plans/{care_plan}", READERS, "care_plan", 200),
    Row(
        "PATCH",
        "/api/v1/care-plans/{care_plan}",
        WRITERS,
        "care_plan",
        200,
        body=lambda w: {"priority": 2},
    ),
    Row("GET", "/api/v1/areas/{area}/workers", READERS, "area", 200),
    Row("POST", "/api/v1/areas/{area}/workers", WRITERS, "area", 201, body=worker_body),
    Row("GET", "/api/v1/workers/{worker}", READERS, "worker", 200),
    Row(
        "PATCH",
        "/api/v1/workers/{worker}",
        WRITERS,
        "worker",
        200,
        body=lambda w: {"hourly_pay_pence": 1350},
    ),
    Row("GET", "/api/v1/workers/{worker}/availability", READERS, "worker", 200),
    Row(
        "POST",
        "/api/v1/workers/{worker}/availability",
        WRITERS,
        "worker",
        201,
        body=lambda w: {"weekday": 5, "start_time": "09:00", "end_time": "10:00"},
    ),
    Row("DELETE", "/api/v1/availability/{availability}", WRITERS, "availability", 204),
    Row("GET", "/api/v1/workers/{worker}/training", READERS, "worker", 200),
    Row(
        "POST",
        "/api/v1/workers/{worker}/training",
        WRITERS,
        "worker",
        201,
        body=lambda w: {"course_id": w.course_id, "completed_on": "2026-02-01"},
    ),
    Row(
        "POST",
        "/api/v1/imports/{kind}",
        WRITERS,
        None,
        422,
        body=lambda w: "not,a\r\nvalid,file\r\n",
        content_type="text/csv",
    ),
    Row(
        "GET",
        "/api/v1/reports/capacity",
        MANAGERS,
        "area",
        200,
        query=f"from={D}&to={D}&area={{area}}",
    ),
    Row("GET", "/api/v1/reports/training", MANAGERS, "area", 200, query="area={area}"),
    Row(
        "GET",
        "/api/v1/reports/continuity",
        MANAGERS,
        "area",
        200,
        query=f"from={D}&to={D}&area={{area}}",
    ),
    Row(
        "GET", "/api/v1/reports/pay", MANAGERS, "area", 200, query=f"from={D}&to={D}&area={{area}}"
    ),
    Row("GET", "/api/v1/openapi.json", None, None, 200),
    Row("GET", "/api/v1/docs", None, None, 200),
]
"""Every API endpoint. The worker role's "own" worker is Alice and "own" visit her visit."""


def resources(world: World, role: str, which: str) -> dict[str, Any]:
    """The ids that fill a path's placeholders: in the caller's scope, or outside it."""
    if which == "own":
        return {
            "area": world.areas["LDS"],
            "client": world.clients["Edith"],
            "worker": world.workers["Alice"],
            "visit": world.visits["Edith"],
            "plan": world.plan_runs["LDS"],
            "care_plan": world.care_plans["Edith"],
            "availability": world.availability["Alice"],
            "kind": "clients",
        }
    return {
        "area": world.areas["BTH"],
        "client": world.clients["Harold"],
        "worker": world.workers["Dan"],
        "visit": world.visits["Harold"],
        "plan": world.plan_runs["BTH"],
        "care_plan": world.care_plans["Harold"],
        "availability": world.availability["Dan"],
        "kind": "clients",
    }


def fill(template: Any, ids: dict[str, Any]) -> Any:
    """Placeholders replaced (in strings, and in bodies where a whole value is one)."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in ids:
            return ids[template[1:-1]]
        for name, value in ids.items():
            template = template.replace("{" + name + "}", str(value))
        return template
    if isinstance(template, list):
        return [fill(t, ids) for t in template]
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    return template


def other_scope_ids(world: World) -> dict[str, set[int]]:
    """Ids that no non-admin caller of this world may ever see (Bath and its people)."""
    return {
        "area": {world.areas["BTH"]},
        "client": {world.clients["Harold"]},
        "worker": {world.workers["Dan"]},
        "visit": {world.visits["Harold"]},
    }


def leaks(payload: Any, forbidden: dict[str, set[int]]) -> list[str]:
    """Every field of ``payload`` naming a forbidden area, client, worker or visit."""
    found: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
            return
        if isinstance(value, list):
            for item in value:
                walk(item, key)
            return
        for kind, ids in forbidden.items():
            if key in (f"{kind}_id", f"{kind}_ids") and value in ids:
                found.append(f"{key}={value}")

    walk(payload)
    return found


def prepare_world(engine: Engine) -> World:
    """The world, with Alice's first visit under way now (so she may check in and out)."""
    world = build_world(engine)
    now = utc_now()
    with session_scope(engine) as session:
        row = session.exec(
            select(Assignment).where(Assignment.visit_id == world.visits["Edith"])
        ).one()
        row.start, row.end = now - timedelta(minutes=5), now + timedelta(minutes=25)
        session.add(row)
    return world


def call(
    client: Any, engine: Engine, world: World, row: Row, role: str | None, ids: dict[str, Any]
) -> Any:
    """Make the request of ``row`` as ``role`` (None: no token) on the resources ``ids``."""
    headers: dict[str, str] = {}
    if role is not None:
        token = world.tokens[LOGIN[role]]
        if row.method == "DELETE" and row.path.endswith("/auth/token"):
            with session_scope(engine) as session:
                user = session.get(UserAccount, world.users[LOGIN[role]])
                token, _ = issue_token(session, user)  # type: ignore[arg-type]
        headers["Authorization"] = f"Bearer {token}"
    if row.method == "PATCH" and row.path.startswith("/api/v1/visits"):
        with session_scope(engine) as session:
            visit = session.get(Visit, ids["visit"])
            headers["If-Match"] = f'"v{visit.version if visit else 1}"'
    url = fill(row.path, ids) + ("?" + fill(row.query, ids) if row.query else "")
    kwargs: dict[str, Any] = {"headers": headers}
    if row.body is not None:
        body = fill(row.body(world), ids)
        if row.content_type:
            kwargs.update(data=body, content_type=row.content_type)
        else:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
    return client.open(url, method=row.method, **kwargs)


def missing_ids(ids: dict[str, Any]) -> dict[str, Any]:
    """The same placeholders filled with ids that do not exist."""
    return {k: (999_999 if isinstance(v, int) else v) for k, v in ids.items()}


def test_the_table_names_every_api_route(app) -> None:  # type: ignore[no-untyped-def]
    """Nothing escapes the table: every /api/ route of the app is in it, and nothing more."""
    import re

    routes = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    placeholders = {
        "area_id": "area",
        "client_id": "client",
        "worker_id": "worker",
        "visit_id": "visit",
        "plan_run_id": "plan",
        "plan_id": "care_plan",
        "pattern_id": "availability",
        "kind": "kind",
    }
    normalised = set()
    for method, path in routes:
        for name, short in placeholders.items():
            path = path.replace("{" + name + "}", "{" + short + "}")
        normalised.add((method, path))
    assert normalised == {(r.method, r.path) for r in TABLE}


@pytest.mark.parametrize("role", [None, W, C, M, A], ids=["anonymous", W, C, M, A])
def test_every_endpoint_answers_each_role_as_the_table_says(
    client, engine: Engine, role: str | None
) -> None:  # type: ignore[no-untyped-def]
    """0 mismatches between the table and the application, and no leaked fields."""
    world = prepare_world(engine)
    mismatches: list[str] = []
    checked = 0
    for row in TABLE:
        for which in ("own", "other"):
            if which == "other" and row.scope is None:
                continue
            ids = resources(world, role or A, which)
            if row.roles is None:
                expected = row.success
            elif role is None:
                expected = 401
            elif role not in row.roles:
                expected = 403
            elif which == "other" and role != A:
                expected = 404
            else:
                expected = row.success
            response = call(client, engine, world, row, role, ids)
            checked += 1
            label = f"{row.method} {row.path} as {role} ({which})"
            if response.status_code != expected:
                mismatches.append(
                    f"{label}: {response.status_code} != {expected} {response.get_data()[:200]!r}"
                )
                continue
            if response.status_code >= 400:
                body = response.get_json()
                if set(body) - {"status", "message", "field", "errors"}:
                    mismatches.append(f"{label}: error body has extra keys {sorted(body)}")
            if expected == 404:
                twin = call(client, engine, world, row, role, missing_ids(ids))
                hidden = response.get_json()
                absent = twin.get_json()
                same = (
                    twin.status_code == 404
                    and hidden.get("field") == absent.get("field")
                    and (
                        _generic(hidden["message"], ids)
                        == _generic(absent["message"], missing_ids(ids))
                    )
                )
                if not same:
                    mismatches.append(
                        f"{label}: 404 differs from a missing one: {hidden} vs {absent}"
                    )
            if 200 <= response.status_code < 300 and role not in (A, None) and response.is_json:
                leaked = leaks(response.get_json(), other_scope_ids(world))
                if leaked:
                    mismatches.append(f"{label}: leaked {leaked}")
    assert mismatches == []
    assert checked >= len(TABLE) - 1


def _generic(message: str, ids: dict[str, Any]) -> str:
    for value in ids.values():
        message = message.replace(str(value), "N")
    return message
