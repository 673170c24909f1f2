"""Packaging: the start script serves PostgreSQL end to end; image and compose file agree with it.

No Docker engine runs here, so the Dockerfile may only repeat what these tests
exercise: it installs with ``deploy/install.sh`` (the command ``make setup`` runs)
and its entry point is ``deploy/start.sh`` (the script run here against PostgreSQL).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from scheduler.db.engine import make_engine
from tests.api.world import DAY, build_world
from tests.conftest import POSTGRES_URL
from tests.faults.server import ROOT, START_SCRIPT, running_service, service_environment


@pytest.fixture
def fresh_schema_url() -> Iterator[str]:
    """A new, empty (not migrated) schema on the shared PostgreSQL, dropped afterwards."""
    schema = f"deploy_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_start_script_migrates_and_serves_postgresql_with_json_logs(
    fresh_schema_url: str, tmp_path: Path
) -> None:
    """start.sh web on an empty schema: migrated, healthy, a real route served, id logged."""
    with running_service(fresh_schema_url, tmp_path / "web.log") as service:
        engine = make_engine(fresh_schema_url)
        world = build_world(engine)  # the schema start.sh migrated takes the world as it is
        engine.dispose()
        health = service.request("GET", "/healthz")
        assert health[0] == 200 and json.loads(health[2]) == {"status": "ok", "database": "ok"}
        status, headers, body = service.request(
            "GET",
            f"/api/v1/me/route?date={DAY.isoformat()}",
            headers={**world.headers("alice"), "X-Request-ID": "trace-42"},
        )
        assert status == 200
        assert [stop["visit_id"] for stop in json.loads(body)["stops"]] == [
            world.visits["Edith"],
            world.visits["Frank"],
        ]
        assert headers["x-request-id"] == "trace-42"
        forged = service.request("GET", "/healthz", headers={"X-Request-ID": "bad id\u00e9!"})[1]
        assert re.fullmatch(r"[0-9a-f]{32}", forged["x-request-id"]), "unsafe ids are replaced"
    assert service.process.returncode == 0, "SIGTERM should stop gunicorn cleanly"
    lines = service.log_lines()
    assert lines[0].startswith("database at revision"), "start.sh applies migrations first"
    events = [json.loads(line) for line in lines[1:]]  # everything after it is JSON
    route_events = [e for e in events if e.get("request_id") == "trace-42"]
    assert route_events and route_events[0]["event"] == "request"
    assert route_events[0]["status"] == 200 and route_events[0]["path"] == "/api/v1/me/route"
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)
    assert not any(world.tokens["alice"] in line for line in lines), "a token reached the log"


@pytest.mark.parametrize(
    ("override", "variable"),
    [
        ({"HOMECARE_SECRET_KEY": ""}, "HOMECARE_SECRET_KEY"),
        ({"HOMECARE_DEBUG": "1"}, "HOMECARE_DEBUG"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"HOMECARE_LOG_LEVEL": "LOUD"}, "HOMECARE_LOG_LEVEL"),
    ],
)
def test_start_script_refuses_unsafe_production_settings_by_name(
    override: dict[str, str], variable: str
) -> None:
    """start.sh web stops before serving, with a message naming the variable at fault."""
    env = service_environment("postgresql://postgres@127.0.0.1:1/none", HOMECARE_BIND="127.0.0.1:1")
    env.update(override)
    done = subprocess.run(
        ["sh", str(START_SCRIPT), "web"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert variable in done.stderr
    assert "Traceback" not in done.stderr and "gunicorn" not in done.stdout


def start_roles() -> set[str]:
    """The roles deploy/start.sh knows (its case labels)."""
    return set(re.findall(r"^  ([a-z-]+)\)$", START_SCRIPT.read_text(), flags=re.MULTILINE))


def test_compose_file_runs_every_role_of_the_start_script() -> None:
    """compose.yaml parses; each app service runs a start.sh role; no default secret."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "web", "scheduler", "dask-scheduler", "dask-worker"} <= set(services)
    roles = start_roles()
    assert {"web", "scheduler", "migrate", "dask-scheduler", "dask-worker"} <= roles
    for name, service in services.items():
        if name == "postgres":
            continue
        assert service["build"] == "." and service["command"][0] in roles, name
    assert services["web"]["command"] == ["web"]
    assert services["scheduler"]["environment"]["DASK_SCHEDULER_ADDRESS"].endswith(":8786")
    assert services["dask-worker"]["deploy"]["replicas"] >= 2
    secret = services["web"]["environment"]["HOMECARE_SECRET_KEY"]
    assert secret.startswith("${HOMECARE_SECRET_KEY:?"), "the secret must come from outside"
    assert services["web"]["environment"]["HOMECARE_ENV"] == "production"


def test_dockerfile_repeats_only_what_ci_exercises() -> None:
    """Install via deploy/install.sh (as make setup), start via deploy/start.sh, not as root."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) == 2 and all(s.startswith("python:3.11-slim") for s in stages)
    build, final = stages
    assert "sh deploy/install.sh /opt/venv" in build
    assert "sh deploy/install.sh $(VENV)" in (ROOT / "Makefile").read_text()
    assert "build-essential" not in final and "apt-get" not in final
    assert re.search(r"^USER homecare$", final, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["/app/deploy/start.sh"]' in final
    assert "COPY deploy /app/deploy" in final
    assert "/healthz" in final and "HEALTHCHECK" in final
    assert os.access(START_SCRIPT, os.X_OK)


def test_dask_roles_of_the_start_script_form_a_cluster(tmp_path: Path) -> None:
    """start.sh dask-scheduler and dask-worker (as in compose.yaml): one single-thread worker."""
    from distributed import Client

    from tests.faults.cluster import free_port

    port = free_port()
    env = {
        **service_environment("sqlite://"),
        "DASK_SCHEDULER_HOST": "127.0.0.1",
        "DASK_SCHEDULER_PORT": str(port),
        "DASK_DASHBOARD_ADDRESS": "127.0.0.1:0",
        "DASK_SCHEDULER_ADDRESS": f"tcp://127.0.0.1:{port}",
    }
    processes = []
    try:
        for role in ("dask-scheduler", "dask-worker"):
            with (tmp_path / f"{role}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        ["sh", str(START_SCRIPT), role],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        with Client(f"tcp://127.0.0.1:{port}", timeout=60, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=60)
            assert list(client.nthreads().values()) == [1]
            assert client.submit(sum, [1, 2, 3]).result(timeout=30) == 6
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
