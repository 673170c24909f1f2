"""Mixed production load on loopback: workers, coordinators, managers and a plan at once.

    python -m benchmarks.mixed.run --seconds 300

1. Makes a fresh PostgreSQL schema (``--database``, default the test database),
   migrates it, generates a scenario of ``--workers`` carers over two days and
   publishes a simple rota for the first (as ``benchmarks.api`` does).
2. Gives logins to carers, coordinators (every area) and managers (every region).
3. Starts the web process exactly as deployed (``deploy/start.sh web``: gunicorn,
   production settings, JSON logs) on a free loopback port, and a planner process
   that runs the plans asked for through the API.
4. For ``--seconds`` (at most 600) and at most ``--max-requests`` requests:
   carers fetch their routes; coordinators read an area's rota, read a visit and
   move it with ``If-Match`` (a 412 when two raced is counted as a conflict, not an
   error); managers read the capacity, continuity and training reports; one
   coordinator asks for the next day's plan of one area after another and follows
   each until it is published.
5. Prints each kind's requests, errors, conflicts and p50/p95/p99/max latency, the
   plans, and the server's 5xx count from its log; exits 1 on any error.

Only 127.0.0.1 is used; every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import text
from sqlmodel import col, select

from benchmarks.api.run import (
    DEFAULT_DATABASE,
    free_port,
    publish_simple_rota,
    summarise,
    wait_until_up,
    worker_tokens,
)
from benchmarks.mixed.users import (
    Tally,
    User,
    coordinator_loop,
    manager_loop,
    planning_loop,
    worker_loop,
)
from scheduler.accounts import issue_token
from scheduler.db.engine import make_engine, session_scope
from scheduler.db.migrate import upgrade
from scheduler.db.models import Area, Region, Role, UserAccount, UserArea

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 24)


def staff_tokens(engine: object, coordinators: int, managers: int) -> tuple[list[str], list[str]]:
    """Coordinators of every area and managers of every region, one bearer token each."""
    password_hash = PasswordHasher().hash(secrets.token_urlsafe(16))
    coordinator_tokens, manager_tokens = [], []
    with session_scope(engine) as session:  # type: ignore[arg-type]
        area_ids = [a for a in session.exec(select(Area.id).order_by(col(Area.id))).all() if a]
        region_ids = [
            r for r in session.exec(select(Region.id).order_by(col(Region.id))).all() if r
        ]
        for index in range(coordinators):
            user = UserAccount(
                username=f"coordinator-{index}", password_hash=password_hash, role=Role.COORDINATOR
            )
            session.add(user)
            session.flush()
            session.add_all(UserArea(user_id=user.id or 0, area_id=a) for a in area_ids)
            coordinator_tokens.append(issue_token(session, user)[0])
        for index in range(managers):
            user = UserAccount(
                username=f"manager-{index}",
                password_hash=password_hash,
                role=Role.MANAGER,
                region_id=region_ids[index % len(region_ids)],
            )
            session.add(user)
            session.flush()
            manager_tokens.append(issue_token(session, user)[0])
    return coordinator_tokens, manager_tokens


def start_web(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``deploy/start.sh web`` on a loopback port, production settings, stdout to ``log``."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": url,
        "HOMECARE_ENV": "production",
        "HOMECARE_SECRET_KEY": secrets.token_urlsafe(48),
        "HOMECARE_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "WEB_THREADS": os.environ.get("WEB_THREADS", "4"),
    }
    with log.open("wb") as handle:
        return subprocess.Popen(
            ["sh", str(ROOT / "deploy" / "start.sh"), "web"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            start_new_session=True,
        )


def server_errors(log: Path) -> int:
    """Requests the server itself logged with a 5xx status."""
    count = 0
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "request" and event.get("status", 0) >= 500:
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """Run the mixed load and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database", default=os.environ.get("HOMECARE_BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=300, help="Carers in the scenario")
    parser.add_argument("--areas", type=int, default=4)
    parser.add_argument("--carers-online", type=int, default=60, help="Carers fetching routes")
    parser.add_argument("--coordinators", type=int, default=8)
    parser.add_argument("--managers", type=int, default=4)
    parser.add_argument("--plan-seconds", type=float, default=10.0, help="Solver time per plan")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 1 <= args.carers_online <= 500:
        parser.error("--seconds must be 0..600 and --carers-online 1..500")

    from scheduler.generate import generate_scenario

    schema = f"mixed_{uuid.uuid4().hex[:10]}"
    admin = make_engine(args.database)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in args.database else "?"
    url = f"{args.database}{separator}options=-csearch_path%3D{schema}"
    work = Path(tempfile.mkdtemp(prefix="homecare-mixed-"))
    web = planner = None
    try:
        engine = make_engine(url)
        upgrade(engine)
        built = time.monotonic()
        generate_scenario(
            engine, workers=args.workers, seed=args.seed, first_day=DAY, days=2, areas=args.areas
        )
        stops = publish_simple_rota(engine, DAY)
        carers = worker_tokens(engine, args.carers_online)
        coordinators, managers = staff_tokens(engine, args.coordinators, args.managers)
        with session_scope(engine) as session:
            area_ids = [a for a in session.exec(select(Area.id).order_by(col(Area.id))).all() if a]
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
        print(
            f"scenario: {args.workers} carers in {len(area_ids)} areas, {stops} published stops "
            f"({time.monotonic() - built:.1f} s)"
        )
        port = free_port()
        log = work / "web.log"
        web = start_web(url, port, log)
        wait_until_up(port, timeout=60)
        planner = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.mixed.planner",
                url,
                str(args.seconds + 5),
                str(args.plan_seconds),
            ],
            cwd=ROOT,
            env={**os.environ, "HOMECARE_PROCESSES": "1"},
        )
        tally = Tally(budget=args.max_requests)
        deadline = time.monotonic() + args.seconds
        threads = []
        for index, token in enumerate(carers):
            user = User(port, token, tally, deadline, seed=index)
            threads.append(threading.Thread(target=worker_loop, args=(user, DAY, 2.0)))
        for index, token in enumerate(coordinators):
            user = User(port, token, tally, deadline, seed=1000 + index)
            threads.append(
                threading.Thread(target=coordinator_loop, args=(user, DAY, area_ids, 3.0))
            )
        for index, token in enumerate(managers):
            user = User(port, token, tally, deadline, seed=2000 + index)
            threads.append(threading.Thread(target=manager_loop, args=(user, DAY, 5.0)))
        planning_user = User(port, coordinators[0], tally, deadline, seed=3000)
        next_day = DAY + timedelta(days=1)
        threads.append(
            threading.Thread(target=planning_loop, args=(planning_user, next_day, area_ids, 2.0))
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        return report(tally, elapsed, server_errors(log), len(threads) - 1)
    finally:
        for process in (planner, web):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM) if process is web else process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


def report(tally: Tally, elapsed: float, server_5xx: int, people: int) -> int:
    """Print the table; 1 if anything failed."""
    print("\n| kind | requests | errors | conflicts (412) | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    everything: list[float] = []
    errors = 0
    for kind in sorted(set(tally.latencies) | set(tally.errors)):
        latencies = tally.latencies.get(kind, [])
        everything += latencies
        figures = summarise(latencies, len(tally.errors.get(kind, [])), elapsed)
        errors += figures.errors
        print(
            f"| {kind} | {figures.requests} | {figures.errors} | {tally.conflicts.get(kind, 0)} | "
            f"{figures.p50_ms:.0f} | {figures.p95_ms:.0f} | {figures.p99_ms:.0f} | "
            f"{figures.max_ms:.0f} |"
        )
    total = summarise(everything, errors, elapsed)
    print(
        f"| **all** | {total.requests} | {errors} | {sum(tally.conflicts.values())} | "
        f"{total.p50_ms:.0f} | {total.p95_ms:.0f} | {total.p99_ms:.0f} | {total.max_ms:.0f} |"
    )
    published = [p for p in tally.plans if p["status"] == "published"]
    statuses = ", ".join(
        f"{sum(1 for p in tally.plans if p['status'] == status)} {status}"
        for status in sorted({p["status"] for p in tally.plans})
    )
    print(
        f"\n{people} people at once for {elapsed:.0f} s: {total.per_second:.1f} requests/s; "
        f"plans requested: {len(tally.plans)} ({statuses} at the end; "
        f"{sum(p['allocated'] for p in published)} of {sum(p['visits'] for p in published)} "
        f"visits allocated in the published ones, "
        f"{sum(p['seconds'] for p in published) / max(1, len(published)):.0f} s from request to "
        f"publication on average); server 5xx in its log: {server_5xx}"
    )
    for kind, messages in tally.errors.items():
        for message in messages[:3]:
            print(f"error ({kind}): {message}")
    failed = errors > 0 or server_5xx > 0 or not published
    failed = failed or any(p["status"] == "failed" for p in tally.plans)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
