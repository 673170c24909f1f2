"""The web process started exactly as deployed: ``deploy/start.sh web`` (migrations, gunicorn).

Tests use :func:`running_service` to serve a database on a free loopback port and
talk to it over HTTP, as a client in production would.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.faults.cluster import free_port

ROOT = Path(__file__).resolve().parents[2]
START_SCRIPT = ROOT / "deploy" / "start.sh"


@dataclass
class Service:
    """A running web process: its port, and the file its stdout (the JSON log) goes to."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        timeout: float = 30,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a new connection: status, headers (lower-case names) and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            sent = {"Accept": "application/json", **(headers or {})}
            if data is not None:
                sent["Content-Type"] = "application/json"
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def log_lines(self) -> list[str]:
        """Every line the process has written to stdout so far."""
        return self.log_path.read_text(errors="replace").splitlines()

    def error_lines(self) -> list[str]:
        """Every line the process has written to stderr so far."""
        return self.log_path.with_suffix(".stderr").read_text(errors="replace").splitlines()


def service_environment(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings for ``database_url``: a fresh random secret, debug off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOMECARE_", "DASK_", "WEB_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOMECARE_ENV": "production",
            "HOMECARE_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "4",
        }
    )
    env.update(extra)
    return env


def wait_for_health(service: Service, timeout: float = 60) -> None:
    """Wait until ``GET /healthz`` answers 200; fail if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"the service exited ({service.process.returncode}):\n"
                + "\n".join(service.log_lines()[-30:] + service.error_lines()[-30:])
            )
        try:
            if service.request("GET", "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        "the service did not become healthy:\n" + "\n".join(service.log_lines()[-30:])
    )


@contextmanager
def running_service(database_url: str, log_path: Path, **extra: str) -> Iterator[Service]:
    """``deploy/start.sh web`` on a free loopback port until the block ends (then SIGTERM)."""
    port = free_port()
    env = service_environment(database_url, HOMECARE_BIND=f"127.0.0.1:{port}", **extra)
    with log_path.open("wb") as log, log_path.with_suffix(".stderr").open("wb") as errors:
        process = subprocess.Popen(
            ["sh", str(START_SCRIPT), "web"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=errors,
            start_new_session=True,
        )
    service = Service(process, port, log_path)
    try:
        wait_for_health(service)
        yield service
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
