"""Bad input to every API endpoint that accepts a body: each answered 4xx JSON, nothing written.

A table names each endpoint with a valid body; the corpus derives from it
malformed JSON, a body that is not an object, a wrong type for every field, an
unknown field, a payload over the size limit, and the endpoint's own bad values
(out-of-range dates and times, unknown ids, invalid NHS numbers). Every answer
must be a 4xx JSON error naming the problem (its field, when a field is at
fault), and no table of the service's data may gain or lose a row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from api import MAX_REQUEST_BYTES
from tests.api.world import DAY, PASSWORD, World
from tests.bad_input.conftest import row_counts

UNKNOWN_ID = 987_654


@dataclass(frozen=True)
class Endpoint:
    """An endpoint that takes a JSON body, a valid body for it, and its own bad values."""

    method: str
    path: str
    login: str | None
    body: dict[str, Any]
    bad_values: list[tuple[str, Any]] = field(default_factory=list)
    etag_from: str | None = None


def endpoints(world: World) -> list[Endpoint]:
    """Every JSON-accepting endpoint, with a valid body taken from the world."""
    leeds, alice, edith = world.areas["LDS"], world.workers["Alice"], world.clients["Edith"]
    visit = world.visits["Edith"]
    plan = world.care_plans["Edith"]
    bad_days = ["2026-02-30", "2026-13-01", "10000-01-01", "24/11/2026", "0000-01-01", ""]
    client = {
        "name": "Ivy Client",
        "nhs_number": "943 476 5706",
        "address": "9 Low Road",
        "postcode": "LS3 3CC",
        "latitude": 53.81,
        "longitude": -1.56,
    }
    nhs = [("nhs_number", n) for n in ("9434765707", "123", "abcdefghij", "0000000000x", "")]
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
    care_plan = {
        "ref": "CP-NEW",
        "weekdays": [0, 2, 4],
        "window_start": "18:00",
        "window_end": "19:00",
        "duration_minutes": 30,
        "valid_from": "2026-12-01",
        "required_skills": ["personal_care"],
    }
    times = [("window_start", t) for t in ("25:00", "12:60", "noon", "-01:00")]
    return [
        Endpoint(
            "POST",
            "/api/v1/auth/token",
            None,
            {"username": "alice", "password": PASSWORD},
            [("username", "x" * 10_000), ("password", "")],
        ),
        Endpoint(
            "POST",
            f"/api/v1/me/visits/{visit}/check-in",
            "alice",
            {"latitude": 53.8, "longitude": -1.55, "accuracy_metres": 12},
            [("latitude", 91.0), ("longitude", -181.0), ("accuracy_metres", -5)],
        ),
        Endpoint(
            "POST",
            f"/api/v1/me/visits/{visit}/check-out",
            "alice",
            {"latitude": 53.8, "longitude": -1.55, "accuracy_metres": 12},
            [("latitude", 900.0)],
        ),
        Endpoint(
            "POST",
            "/api/v1/plans",
            "coordinator",
            {"date": DAY.isoformat(), "area_ids": [leeds]},
            [
                *(("date", day) for day in bad_days),
                ("area_ids", [UNKNOWN_ID]),
                ("area_ids", []),
                ("area_ids", [2**40]),
            ],
        ),
        Endpoint(
            "POST",
            f"/api/v1/areas/{leeds}/disruptions",
            "coordinator",
            {
                "date": DAY.isoformat(),
                "disruptions": [{"kind": "cancelled_visit", "visit_id": visit}],
            },
            [
                ("date", "2026-02-30"),
                ("disruptions", []),
                ("disruptions", [{"kind": "cancelled_visit", "visit_id": UNKNOWN_ID}]),
                ("disruptions", [{"kind": "meteor"}]),
            ],
        ),
        Endpoint(
            "PATCH",
            f"/api/v1/visits/{visit}",
            "coordinator",
            {"pinned_worker_id": alice},
            [
                ("pinned_worker_id", UNKNOWN_ID),
                ("preferred_start", "2026-11-24T25:00:00+00:00"),
                ("preferred_start", "2026-11-24T08:00:00"),
                ("preferred_start", "9999-12-31T23:59:59+00:00"),
            ],
            etag_from=f"/api/v1/visits/{visit}",
        ),
        Endpoint(
            "POST",
            f"/api/v1/areas/{leeds}/clients",
            "coordinator",
            client,
            [*nhs, ("latitude", 123.0), ("postcode", "NOT A POSTCODE AT ALL")],
        ),
        Endpoint(
            "PATCH",
            f"/api/v1/clients/{edith}",
            "coordinator",
            {"name": "Edith Renamed"},
            [*nhs, ("area_id", UNKNOWN_ID), ("name", "")],
        ),
        Endpoint(
            "POST",
            f"/api/v1/clients/{edith}/care-plans",
            "coordinator",
            care_plan,
            [
                *times,
                ("valid_from", "2026-02-30"),
                ("weekdays", [7]),
                ("duration_minutes", 0),
                ("required_skills", ["juggling"]),
            ],
        ),
        Endpoint(
            "PATCH",
            f"/api/v1/care-plans/{plan}",
            "coordinator",
            {"duration_minutes": 45},
            [*times, ("duration_minutes", -1), ("valid_from", "2026-02-30")],
        ),
        Endpoint(
            "POST",
            f"/api/v1/areas/{leeds}/workers",
            "coordinator",
            worker,
            [
                ("start_date", "2026-02-30"),
                ("transport_mode", "horse"),
                ("gender", "?"),
                ("contracted_minutes_per_week", -60),
                ("home_latitude", 95.0),
            ],
        ),
        Endpoint(
            "PATCH",
            f"/api/v1/workers/{alice}",
            "coordinator",
            {"name": "Alice Renamed"},
            [("start_date", "2026-02-30"), ("area_id", UNKNOWN_ID), ("hourly_pay_pence", -1)],
        ),
        Endpoint(
            "POST",
            f"/api/v1/workers/{alice}/availability",
            "coordinator",
            {"weekday": 5, "start_time": "08:00", "end_time": "12:00"},
            [("weekday", 7), ("start_time", "24:30"), ("end_time", "07:00")],
        ),
        Endpoint(
            "POST",
            f"/api/v1/workers/{alice}/training",
            "coordinator",
            {"course_id": world.course_id, "completed_on": "2026-01-31"},
            [
                ("course_id", UNKNOWN_ID),
                ("completed_on", "2026-02-30"),
                ("completed_on", "31/01/2026"),
            ],
        ),
    ]


WRONG_TYPE: dict[type, Any] = {
    str: 12345,
    bool: "yes",
    int: "5",
    float: "north",
    list: "x",
    dict: "x",
}


def corpus(endpoint: Endpoint) -> Iterator[tuple[str, bytes, str | None]]:
    """(what, raw body, the field the answer must name or None) for one endpoint."""
    valid = endpoint.body
    yield "malformed JSON", b'{"name": "unterminated', None
    yield "trailing garbage", json.dumps(valid).encode() + b"}}", None
    yield "not an object", b"[1, 2, 3]", None
    yield "a bare string", b'"hello"', None
    yield "empty body", b"", None
    yield "invalid UTF-8", b'{"name": "\xff\xfe"}', None
    yield "NaN", json.dumps({**valid, **{k: float("nan") for k in list(valid)[:1]}}).encode(), None
    yield "unknown field", json.dumps({**valid, "bogus": 1}).encode(), "bogus"
    for name, value in valid.items():
        wrong = WRONG_TYPE[type(value)]
        yield f"wrong type {name}", json.dumps({**valid, name: wrong}).encode(), name
        if isinstance(value, str):
            nul = json.dumps({**valid, name: value[:1] + "\x00" + value[1:]}).encode()
            yield f"NUL in {name}", nul, name
    for name, value in endpoint.bad_values:
        nested = (
            value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}
        )
        named = name if not nested else next(iter(k for k in nested if k != "kind"), name)
        yield f"bad {name}={str(value)[:30]!r}", json.dumps({**valid, name: value}).encode(), named


def call(client, endpoint: Endpoint, world: World, data: bytes, **extra: Any):  # type: ignore[no-untyped-def]
    """Send ``data`` as the endpoint's JSON body, with the login's token and any ETag."""
    headers = world.headers(endpoint.login) if endpoint.login else {}
    if endpoint.etag_from:
        headers["If-Match"] = client.get(endpoint.etag_from, headers=headers).headers["ETag"]
    return client.open(
        endpoint.path,
        method=endpoint.method,
        data=data,
        content_type=extra.pop("content_type", "application/json"),
        headers=headers,
        **extra,
    )


def assert_named_refusal(answer, where: str, field_name: str | None) -> None:  # type: ignore[no-untyped-def]
    """A 4xx JSON error with its status and a message (and the field, when one is at fault)."""
    assert 400 <= answer.status_code < 500, f"{where}: {answer.status_code}"
    body = answer.get_json(silent=True)
    assert isinstance(body, dict), f"{where}: not JSON"
    assert body["status"] == answer.status_code and body["message"], where
    if field_name is not None:
        named = (body.get("field") or "").split(".")
        assert field_name in (named[0], named[-1]), f"{where}: {body}"


def test_every_endpoint_refuses_the_corpus_and_writes_nothing(
    client, world: World, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """Each endpoint × each bad body: a named 4xx JSON, and every table's row count unchanged."""
    before = row_counts(engine)
    cases = 0
    for endpoint in endpoints(world):
        for what, data, field_name in corpus(endpoint):
            where = f"{endpoint.method} {endpoint.path} {what}"
            assert_named_refusal(call(client, endpoint, world, data), where, field_name)
            cases += 1
        wrong_type = call(
            client, endpoint, world, json.dumps(endpoint.body).encode(), content_type="text/plain"
        )
        assert_named_refusal(wrong_type, f"{endpoint.path} as text/plain", None)
        assert row_counts(engine) == before, endpoint.path
    assert cases > 150


def test_huge_payloads_answer_413_json(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """A body over the limit is refused 413 JSON before it is read, on every endpoint."""
    before = row_counts(engine)
    huge = b'{"name": "' + b"x" * MAX_REQUEST_BYTES + b'"}'
    imports = Endpoint("POST", "/api/v1/imports/clients", "admin", {})
    for endpoint in [*endpoints(world), imports]:
        answer = call(client, endpoint, world, huge)
        assert answer.status_code == 413, endpoint.path
        assert answer.get_json()["status"] == 413 and answer.get_json()["message"], endpoint.path
    assert row_counts(engine) == before


def test_unknown_ids_in_the_path_answer_404_json(client, world: World, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """An id that does not exist (or is too big for the database) is a 404 JSON, nothing written."""
    before = row_counts(engine)
    tried = 0
    for endpoint in endpoints(world):
        if not re.search(r"/\d+(/|$)", endpoint.path):
            continue
        for unknown in (UNKNOWN_ID, 2**31, 2**63):
            path = re.sub(r"/\d+(/|$)", rf"/{unknown}\1", endpoint.path, count=1)
            moved = Endpoint(endpoint.method, path, endpoint.login, endpoint.body)
            answer = call(client, moved, world, json.dumps(endpoint.body).encode())
            assert answer.status_code == 404, f"{path}: {answer.status_code}"
            assert answer.get_json()["status"] == 404
            tried += 1
    assert tried >= 3 * 10
    assert row_counts(engine) == before
