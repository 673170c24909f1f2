"""The virtual users of the mixed load: each a thread with one keep-alive connection.

Every user loops until the deadline or the shared request budget ends, pausing
``think`` seconds between actions (people, not a flood), and records each
request's latency and outcome under its kind.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass
class Tally:
    """Latencies (seconds) and outcomes of every request, by kind; shared by the threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    plans: list[dict[str, Any]] = field(default_factory=list)
    budget: int = 100_000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """One request from the budget; False once it is spent."""
        with self.lock:
            if self.budget <= 0:
                return False
            self.budget -= 1
            return True


class User:
    """One person using the service over one keep-alive HTTP connection."""

    def __init__(self, port: int, token: str, tally: Tally, deadline: float, seed: int) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.tally = tally
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.connection: http.client.HTTPConnection | None = None

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...] = (200,),
        conflict: int | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        """Send one request, time it, and file its outcome; returns status, headers, JSON."""
        sent = {**self.headers, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException) as error:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            with self.tally.lock:
                self.tally.errors[kind].append(type(error).__name__)
            return 0, {}, None
        elapsed = time.perf_counter() - started
        with self.tally.lock:
            self.tally.latencies[kind].append(elapsed)
            if status == conflict:
                self.tally.conflicts[kind] += 1
            elif status not in expected:
                self.tally.errors[kind].append(f"HTTP {status} {method} {path}: {raw[:200]!r}")
        try:
            return status, answer_headers, json.loads(raw) if raw else None
        except ValueError:
            return status, answer_headers, None

    def pause(self, think: float) -> None:
        """Think for about ``think`` seconds (at most until the deadline)."""
        time.sleep(
            max(0.0, min(self.rng.uniform(0.5, 1.5) * think, self.deadline - time.monotonic()))
        )

    def running(self) -> bool:
        """True while there is time and budget left."""
        return time.monotonic() < self.deadline and self.tally.take()

    def close(self) -> None:
        """Close the connection."""
        if self.connection is not None:
            self.connection.close()


def worker_loop(user: User, day: date, think: float) -> None:
    """A carer opening their route again and again."""
    while user.running():
        user.call("worker: my route", "GET", f"/api/v1/me/route?date={day.isoformat()}")
        user.pause(think)
    user.close()


def coordinator_loop(user: User, day: date, area_ids: list[int], think: float) -> None:
    """A coordinator looking at an area's rota, then moving or pinning one of its visits."""
    while user.running():
        area_id = user.rng.choice(area_ids)
        status, _, rota = user.call(
            "coordinator: area rota", "GET", f"/api/v1/areas/{area_id}/rota?date={day.isoformat()}"
        )
        visit_ids = [
            stop["visit_id"] for w in (rota or {}).get("workers", []) for stop in w.get("stops", [])
        ]
        if status == 200 and visit_ids and user.running():
            visit_id = user.rng.choice(visit_ids)
            path = f"/api/v1/visits/{visit_id}"
            status, headers, visit = user.call("coordinator: read visit", "GET", path)
            if status == 200 and visit and user.running():
                start = (
                    visit["earliest_start"] if user.rng.random() < 0.5 else visit["latest_start"]
                )
                user.call(
                    "coordinator: edit visit",
                    "PATCH",
                    path,
                    body={"preferred_start": start},
                    headers={"If-Match": headers.get("etag", "")},
                    conflict=412,
                )
        user.pause(think)
    user.close()


def manager_loop(user: User, day: date, think: float) -> None:
    """A manager reading the week's reports."""
    week = f"from={day.isoformat()}&to={(day + timedelta(days=6)).isoformat()}"
    reports = [
        ("manager: capacity report", f"/api/v1/reports/capacity?{week}"),
        ("manager: continuity report", f"/api/v1/reports/continuity?{week}"),
        ("manager: training report", "/api/v1/reports/training?within_days=60"),
    ]
    while user.running():
        kind, path = user.rng.choice(reports)
        user.call(kind, "GET", path)
        user.pause(think)
    user.close()


def planning_loop(user: User, day: date, area_ids: list[int], poll: float) -> None:
    """A coordinator asking for one area's plan after another and following each to the end."""
    index = 0
    while user.running():
        area_id = area_ids[index % len(area_ids)]
        index += 1
        status, _, run = user.call(
            "coordinator: request plan",
            "POST",
            "/api/v1/plans",
            body={"date": day.isoformat(), "area_ids": [area_id]},
            expected=(202,),
        )
        if status != 202 or not run:
            user.pause(poll)
            continue
        requested = time.monotonic()
        while run and run["status"] not in ("published", "failed") and user.running():
            user.pause(poll)
            status, _, answer = user.call(
                "coordinator: plan status", "GET", f"/api/v1/plans/{run['id']}"
            )
            run = answer if status == 200 else run
        if run:
            with user.tally.lock:
                user.tally.plans.append(
                    {
                        "id": run["id"],
                        "status": run["status"],
                        "seconds": time.monotonic() - requested,
                        "visits": run.get("visits_total", 0),
                        "allocated": run.get("visits_allocated", 0),
                    }
                )
    user.close()
