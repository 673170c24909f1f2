"""The database stopped during requests: 503 JSON answers, never a 500, and recovery unaided.

A real gunicorn (``deploy/start.sh web``) serves a private PostgreSQL cluster while
several clients keep reading routes and visits. The cluster is killed with
``pg_ctl stop -m immediate`` (as a crash would), left down for a while, then
started again; the web process is never restarted.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import jsonify
from sqlalchemy import text

from api import create_app
from api.database import get_session
from scheduler.db.engine import make_engine
from scheduler.db.migrate import upgrade
from tests.api.world import DAY, World, build_world
from tests.faults.cluster import PrivateCluster
from tests.faults.server import Service, running_service

CLIENTS = 4
DOWN_SECONDS = 4.0


@pytest.fixture
def served(private_postgres: PrivateCluster, tmp_path: Path) -> Iterator[tuple[Service, World]]:
    """The named world in a new database of the private cluster, served by start.sh."""
    url = private_postgres.url(private_postgres.create_database())
    engine = make_engine(url)
    upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    with running_service(url, tmp_path / "web.log") as service:
        yield service, world


def test_a_stopped_database_gives_503_json_and_the_service_recovers_by_itself(
    private_postgres: PrivateCluster,
    served: tuple[Service, World],
) -> None:
    """During the outage every answer is a 200 or a 503 JSON error; after it, 200s again."""
    service, world = served
    paths = [
        (f"/api/v1/me/route?date={DAY.isoformat()}", world.headers("alice")),
        (f"/api/v1/visits/{world.visits['Edith']}", world.headers("coordinator")),
        ("/healthz", {}),
    ]
    answers: list[tuple[str, int, str, bytes]] = []
    stop = threading.Event()
    phase = ["before"]

    def client(index: int) -> None:
        while not stop.is_set():
            path, headers = paths[index % len(paths)]
            try:
                status, response_headers, body = service.request("GET", path, headers=headers)
            except OSError as error:  # the web server itself must keep answering
                answers.append((phase[0], -1, "", repr(error).encode()))
                continue
            answers.append((phase[0], status, response_headers.get("content-type", ""), body))
            index += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        phase[0] = "down"
        private_postgres.stop("immediate")
        time.sleep(DOWN_SECONDS)
        phase[0] = "restarting"
        private_postgres.start()
        phase[0] = "after"
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        if not private_postgres.running():
            private_postgres.start()

    statuses = {status for _, status, _, _ in answers}
    unexpected = [a for a in answers if a[1] not in (200, 503)]
    errors = [
        line for line in service.log_lines() if '"level": "ERROR"' in line or "Traceback" in line
    ]
    assert not unexpected, f"unexpected answers: {sorted(statuses)}: {unexpected[:3]}; {errors[:5]}"
    unavailable = [a for a in answers if a[1] == 503]
    assert len(unavailable) >= CLIENTS, "the outage was never seen: the test proved nothing"
    for _, _, content_type, body in unavailable:
        assert content_type.startswith("application/json")
        error = json.loads(body)
        assert error["status"] == 503 and "database" in error["message"]
        assert b"Traceback" not in body and b"psycopg" not in body
    assert not [a for a in answers if a[0] == "before" and a[1] != 200]

    # Recovered without a restart: the same gunicorn answers real reads again.
    deadline = time.monotonic() + 30
    while service.request("GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.5)
    for _ in range(6):  # more than one pooled connection per process
        for path, headers in paths:
            status, _, body = service.request("GET", path, headers=headers)
            assert status == 200, body
    route = json.loads(service.request("GET", paths[0][0], headers=paths[0][1])[2])
    assert [stop["visit_id"] for stop in route["stops"]] == [
        world.visits["Edith"],
        world.visits["Frank"],
    ]
    assert service.process.poll() is None, "the web process was restarted or died"

    # The log is JSON, names the outage, and shows no unexpected error.
    events = [json.loads(line) for line in service.log_lines() if line.startswith("{")]
    assert any(e["message"].startswith("database unavailable") for e in events)
    assert not [e for e in events if e.get("status", 200) >= 500 and e.get("status") != 503]
    assert not [e for e in events if e["message"] in ("unexpected error", "database error")]


def test_a_connection_lost_after_the_last_statement_does_not_spoil_the_answer(
    private_postgres: PrivateCluster,
) -> None:
    """The server drops a request's connection after its last statement (as a crash
    between the query and the end of the request would): the answer already made is
    still given, the teardown's failed rollback is logged, not raised, and the next
    request gets a fresh connection."""
    url = private_postgres.url(private_postgres.create_database())
    engine = make_engine(url)
    upgrade(engine)
    app = create_app({"TESTING": True, "DATABASE_URL": url})

    @app.get("/test-only/read-then-lose-the-connection")
    def read_then_lose_the_connection():  # type: ignore[no-untyped-def]
        session = get_session()
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        return jsonify({"pid": pid})

    try:
        client = app.test_client()
        lost = client.get("/test-only/read-then-lose-the-connection")
        assert lost.status_code == 200 and lost.get_json()["pid"] > 0
        again = client.get("/test-only/read-then-lose-the-connection")
        assert again.status_code == 200 and again.get_json()["pid"] != lost.get_json()["pid"]
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["homecare_engine"].dispose()
        engine.dispose()
