"""Load the API: N concurrent workers fetching their route, against gunicorn on PostgreSQL.

    python -m benchmarks.api.run --workers 600 --concurrency 200 --seconds 20 --server sync:3

1. Makes a fresh PostgreSQL schema (``--database``, default the test database),
   migrates it and generates the national scenario (``generate_scenario``) for one day.
2. Publishes a simple rota for that day: each area's visits dealt in start order to
   its workers (a read benchmark needs published routes, not good ones; the
   planner is measured by its own benchmarks).
3. Gives every worker a login and a bearer token.
4. For each ``--server`` configuration (default ``sync:3`` then ``gthread:2:4``),
   starts gunicorn on a free loopback port; ``--warm-up`` seconds of full load
   fill the route caches (reported apart); then ``--repeat`` times: a closed loop
   with wrk (when installed), the same with the Python client, and an open loop at
   ``--rate`` requests/s, each ``--concurrency`` workers fetching
   ``GET /api/v1/me/route?date=D`` for ``--seconds`` seconds or ``--max-requests``
   requests in all, whichever comes first.
5. Prints errors, p50/p95/p99 latency, requests per second and gunicorn's CPU time
   per request for every run, and their medians; drops the schema.

Only loopback addresses are used, and every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import text
from sqlmodel import col, select

from scheduler.accounts import issue_token
from scheduler.db.engine import make_engine, session_scope
from scheduler.db.migrate import upgrade
from scheduler.db.models import (
    Assignment,
    PlanRun,
    PlanRunArea,
    PlanRunStatus,
    PublishedRota,
    Role,
    UserAccount,
    Visit,
    Worker,
)
from scheduler.db.types import utc_now

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Figures:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def publish_simple_rota(engine: object, day: date) -> int:
    """Deal each area's visits of ``day`` to its workers in start order; publish; return stops."""
    stops = 0
    with session_scope(engine) as session:  # type: ignore[arg-type]
        visits = session.exec(
            select(Visit).where(Visit.day == day).order_by(col(Visit.earliest_start))
        ).all()
        workers = session.exec(
            select(Worker).where(col(Worker.active).is_(True)).order_by(col(Worker.id))
        ).all()
        by_area: dict[int, list[Worker]] = defaultdict(list)
        for worker in workers:
            by_area[worker.area_id].append(worker)
        visits_by_area: dict[int, list[Visit]] = defaultdict(list)
        for visit in visits:
            visits_by_area[visit.area_id].append(visit)
        for area_id, area_visits in visits_by_area.items():
            team = by_area.get(area_id)
            if not team:
                continue
            run = PlanRun(
                key=f"bench:{area_id}:{uuid.uuid4().hex}",
                day=day,
                status=PlanRunStatus.PUBLISHED,
                trigger="benchmark",
                published_at=utc_now(),
            )
            session.add(run)
            session.flush()
            session.add(PlanRunArea(plan_run_id=run.id or 0, area_id=area_id))
            sequence: dict[int, int] = defaultdict(int)
            for index, visit in enumerate(area_visits):
                worker = team[index % len(team)]
                start = visit.preferred_start
                session.add(
                    Assignment(
                        plan_run_id=run.id or 0,
                        visit_id=visit.id or 0,
                        worker_id=worker.id or 0,
                        sequence=sequence[worker.id or 0],
                        start=start,
                        end=start + timedelta(minutes=visit.duration_minutes),
                        travel_seconds=600,
                    )
                )
                sequence[worker.id or 0] += 1
                stops += 1
            session.add(
                PublishedRota(
                    area_id=area_id, day=day, plan_run_id=run.id or 0, published_at=utc_now()
                )
            )
    return stops


def worker_tokens(engine: object, count: int) -> list[str]:
    """A login and a bearer token for ``count`` workers who have published stops."""
    password_hash = PasswordHasher().hash(secrets.token_urlsafe(16))
    tokens = []
    with session_scope(engine) as session:  # type: ignore[arg-type]
        worker_ids = session.exec(
            select(Assignment.worker_id).distinct().order_by(col(Assignment.worker_id)).limit(count)
        ).all()
        for worker_id in worker_ids:
            user = UserAccount(
                username=f"bench-{worker_id}",
                password_hash=password_hash,
                role=Role.WORKER,
                worker_id=worker_id,
            )
            session.add(user)
            session.flush()
            tokens.append(issue_token(session, user)[0])
    return tokens


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def one_worker(
    port: int,
    path: str,
    token: str,
    deadline: float,
    budget: list[int],
    latencies: list[float],
    errors: list[str],
    interval: float | None = None,
    offset: float = 0.0,
) -> None:
    """One keep-alive connection fetching the route until the deadline or the budget ends.

    Closed loop (``interval`` None): the next request leaves as soon as the last
    answer arrives. Open loop: one request every ``interval`` seconds, and the
    latency counts from when it was due (so a slow server is not flattered).
    """
    due = time.perf_counter() + offset
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    reader = writer = None
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        if interval is not None:
            pause = due - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            started = due
            due += interval
        else:
            started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
            status = int(head.split(b" ", 2)[1])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
                if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"HTTP {status}")
            if close:
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            errors.append(type(error).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def load(
    port: int,
    path: str,
    tokens: list[str],
    concurrency: int,
    seconds: float,
    max_requests: int,
    rate: float | None = None,
) -> Figures:
    """``concurrency`` workers at once, cycling through ``tokens``; ``rate`` requests/s
    offered in all (open loop), or as fast as answers come (closed loop) when None.
    """
    interval = concurrency / rate if rate else None
    latencies: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(
            one_worker(
                port,
                path,
                tokens[i % len(tokens)],
                deadline,
                budget,
                latencies,
                errors,
                interval,
                (interval or 0.0) * i / concurrency,
            )
            for i in range(concurrency)
        )
    )
    elapsed = time.monotonic() - started
    return summarise(latencies, len(errors), elapsed)


def summarise(latencies: list[float], errors: int, elapsed: float) -> Figures:
    """Percentiles (nearest rank) of latencies in seconds, as milliseconds."""
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Figures(
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        max_ms=ordered[-1] * 1000,
    )


WRK_SCRIPT = """
local tokens = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  return wrk.format("GET", "%s", {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f %%.3f %%d\\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.duration))
end
"""


def load_with_wrk(
    port: int, path: str, tokens: list[str], concurrency: int, seconds: float
) -> Figures:
    """The same closed loop driven by Debian's ``wrk`` (C, two threads), to spare the CPU."""
    import tempfile

    script = WRK_SCRIPT % (", ".join(f'"{t}"' for t in tokens), path)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(concurrency),
                "-d",
                f"{int(seconds)}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    requests, status_errors, socket_errors, p50, p95, p99, worst, micros = line.split()[1:]
    return Figures(
        requests=int(requests),
        errors=int(status_errors) + int(socket_errors),
        seconds=int(micros) / 1e6,
        p50_ms=float(p50),
        p95_ms=float(p95),
        p99_ms=float(p99),
        max_ms=float(worst),
    )


def print_medians(runs: list[tuple[str, Figures, float]], concurrency: int) -> None:
    """One row per load: the median of each figure over its repeated runs."""
    by_label: dict[str, list[tuple[Figures, float]]] = defaultdict(list)
    for label, figures, cpu_ms in runs:
        by_label[label].append((figures, cpu_ms))
    print("\nmedians:\n")
    print(
        "| server | load | workers at once | runs | errors (all runs) | p50 ms | p95 ms "
        "| p99 ms | requests/s | server CPU ms/request |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, measured_runs in by_label.items():

        def med(values: list[float]) -> float:
            return statistics.median(values)

        print(
            f"| {label} | {concurrency} | {len(measured_runs)} | "
            f"{sum(f.errors for f, _ in measured_runs)} | "
            f"{med([f.p50_ms for f, _ in measured_runs]):.1f} | "
            f"{med([f.p95_ms for f, _ in measured_runs]):.1f} | "
            f"{med([f.p99_ms for f, _ in measured_runs]):.1f} | "
            f"{med([f.per_second for f, _ in measured_runs]):.0f} | "
            f"{med([c for _, c in measured_runs]):.2f} |"
        )


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(int(child) for child in children)
    return total


def wait_until_up(port: int, timeout: float = 30) -> None:
    """Wait for the server to answer /healthz."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


@dataclass(frozen=True)
class ServerSpec:
    """One gunicorn configuration: worker class, processes, threads, keep-alive seconds,
    and connections a gthread process takes at once (0: gunicorn's default, 1 000)."""

    worker_class: str
    processes: int
    threads: int = 1
    keep_alive: int = 30
    connections: int = 0

    @classmethod
    def parse(cls, text: str) -> ServerSpec:
        """``CLASS:PROCESSES[:THREADS[:KEEPALIVE[:CONNECTIONS]]]``, e.g. ``gthread:2:4``."""
        parts = text.split(":")
        if parts[0] not in ("gthread", "sync") or not 2 <= len(parts) <= 5:
            raise ValueError(
                f"{text!r}: expected gthread|sync:PROCESSES[:THREADS[:KEEPALIVE[:CONNECTIONS]]]"
            )
        numbers = [int(p) for p in parts[1:]]
        if not 1 <= numbers[0] <= 16 or any(not 0 <= n <= 1000 for n in numbers[1:]):
            raise ValueError(f"{text!r}: 1..16 processes, 0..1000 for the rest")
        return cls(parts[0], *numbers)

    def __str__(self) -> str:
        if self.worker_class == "sync":  # sync workers close every connection after one answer
            return f"sync × {self.processes}"
        alive = f"keep-alive {self.keep_alive} s" if self.keep_alive else "no keep-alive"
        taken = f", {self.connections} connections each" if self.connections else ""
        return f"gthread {self.processes} × {self.threads}, {alive}{taken}"


def start_server(url: str, port: int, spec: ServerSpec) -> subprocess.Popen[bytes]:
    """gunicorn serving the application on a loopback port (production settings)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOMECARE_ENV": "production",
        "HOMECARE_SECRET_KEY": secrets.token_urlsafe(48),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(spec.processes),
            "--threads",
            str(max(1, spec.threads)),
            "--worker-class",
            spec.worker_class,
            "--keep-alive",
            str(spec.keep_alive),
            "--worker-connections",
            str(spec.connections or 1000),
            "--log-level",
            "warning",
            "api:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (its workers write their last audit entries), or kill it."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def measure_server(
    args: argparse.Namespace,
    spec: ServerSpec,
    server: subprocess.Popen[bytes],
    port: int,
    path: str,
    tokens: list[str],
    runs: list[tuple[str, Figures, float]],
) -> None:
    """The loads of one run against one server, ``args.repeat`` times, appended to ``runs``."""

    def measured(label: str, run: Any) -> None:
        before = tree_cpu_seconds(server.pid)
        figures = run()
        used = tree_cpu_seconds(server.pid) - before
        runs.append((f"{spec} | {label}", figures, used * 1000 / max(1, figures.requests)))

    # Every process renders each route once, then serves it until a source row changes:
    # the first seconds at full concurrency fill the caches, and are reported apart.
    if shutil.which("wrk"):
        measured(
            "warm-up (caches empty), wrk",
            lambda: load_with_wrk(port, path, tokens, args.concurrency, args.warm_up),
        )
    else:
        measured(
            "warm-up (caches empty), Python client",
            lambda: asyncio.run(
                load(port, path, tokens, args.concurrency, args.warm_up, args.max_requests)
            ),
        )
    for _ in range(args.repeat):
        if shutil.which("wrk"):
            measured(
                "closed loop, wrk",
                lambda: load_with_wrk(port, path, tokens, args.concurrency, args.seconds),
            )
        if args.python_closed_loop or not shutil.which("wrk"):
            measured(
                "closed loop, Python client",
                lambda: asyncio.run(
                    load(port, path, tokens, args.concurrency, args.seconds, args.max_requests)
                ),
            )
        if args.rate > 0:
            measured(
                f"open loop, {args.rate:.0f}/s offered",
                lambda: asyncio.run(
                    load(
                        port,
                        path,
                        tokens,
                        args.concurrency,
                        args.seconds,
                        args.max_requests,
                        args.rate,
                    )
                ),
            )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database", default=os.environ.get("HOMECARE_BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--workers", type=int, default=5000, help="Workforce of the scenario")
    parser.add_argument("--concurrency", type=int, default=200, help="Workers fetching at once")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="Duration of each load (bounded)"
    )
    parser.add_argument(
        "--warm-up", type=float, default=5.0, help="Seconds of load before the measured runs"
    )
    parser.add_argument("--max-requests", type=int, default=100_000, help="Request cap per load")
    parser.add_argument(
        "--rate",
        type=float,
        default=500.0,
        help="Requests/s offered by the open-loop run (0: skip it)",
    )
    parser.add_argument(
        "--python-closed-loop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Also run the closed loop with the Python client when wrk is there",
    )
    parser.add_argument(
        "--server",
        action="append",
        type=ServerSpec.parse,
        help="gunicorn configuration CLASS:PROCESSES[:THREADS[:KEEPALIVE]] (repeatable; "
        "each is measured on the same scenario); default sync:3 and gthread:2:4",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="Runs of each load (medians are printed too)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 1000 or not 0 < args.seconds <= 300:
        parser.error("--concurrency must be 1..1000 and --seconds 0..300")
    if not 1 <= args.warm_up <= 60:
        parser.error("--warm-up must be 1..60 seconds")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat must be 1..9")

    from scheduler.generate import generate_scenario

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(args.database)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in args.database else "?"
    url = f"{args.database}{separator}options=-csearch_path%3D{schema}"
    server = None
    failed = False
    try:
        engine = make_engine(url)
        upgrade(engine)
        day = date(2026, 11, 24)
        built = time.monotonic()
        generate_scenario(engine, workers=args.workers, seed=args.seed, first_day=day, days=1)
        stops = publish_simple_rota(engine, day)
        tokens = worker_tokens(engine, max(args.concurrency, 1))
        with engine.begin() as connection:  # fresh bulk-loaded tables: give the planner statistics
            connection.execute(text("ANALYZE"))
        engine.dispose()
        print(
            f"scenario: {args.workers} workers, {stops} published stops, {len(tokens)} worker "
            f"logins ({time.monotonic() - built:.1f} s)"
        )
        path = f"/api/v1/me/route?date={day.isoformat()}"
        runs: list[tuple[str, Figures, float]] = []
        for spec in args.server or [ServerSpec("sync", 3), ServerSpec("gthread", 2, 4)]:
            port = free_port()
            server = start_server(url, port, spec)
            wait_until_up(port)
            measure_server(args, spec, server, port, path, tokens, runs)
            stop_server(server)
            server = None
        print()
        print(
            "| server | load | workers at once | requests | errors | p50 ms | p95 ms | p99 ms "
            "| max ms | requests/s | server CPU ms/request |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, figures, cpu_ms in runs:
            failed = failed or figures.errors > 0
            print(
                f"| {label} | {args.concurrency} | {figures.requests} | {figures.errors} | "
                f"{figures.p50_ms:.1f} | {figures.p95_ms:.1f} | {figures.p99_ms:.1f} | "
                f"{figures.max_ms:.1f} | {figures.per_second:.0f} | {cpu_ms:.2f} |"
            )
        if args.repeat > 1:
            print_medians(runs, args.concurrency)
        print(f"\n{os.cpu_count()} cores shared by gunicorn, PostgreSQL and the load generator")
        return 1 if failed else 0
    finally:
        if server is not None:
            stop_server(server)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
