"""Planning through a real local Dask cluster (scheduler and two worker processes on loopback)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scheduler.db.models import PlanRunStatus, PublishedRota
from scheduler.generate import generate_scenario
from scheduler.pipeline import PlanningOptions, plan_day

DAY = date(2026, 11, 24)
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """``dask scheduler`` and two single-threaded ``dask worker`` processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            str(BIN / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            ":0",
            "--no-show",
        ],
        **common,  # type: ignore[call-overload]
    )
    workers = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--dashboard-address",
                ":0",
                "--no-nanny",
            ],
            **common,  # type: ignore[call-overload]
        )
        for _ in range(2)
    ]
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def test_planning_through_dask_matches_the_local_pool(engine: Engine, dask_cluster: str) -> None:
    """Three areas planned on the Dask cluster allocate as well as on the local process pool."""
    generate_scenario(engine, workers=60, seed=11, first_day=DAY, areas=3)
    local = plan_day(engine, DAY, options=PlanningOptions(time_budget_seconds=6, processes=2))
    remote = plan_day(
        engine, DAY, options=PlanningOptions(time_budget_seconds=6, dask_address=dask_cluster)
    )
    assert local.status == remote.status == PlanRunStatus.PUBLISHED, (local.error, remote.error)
    assert remote.figures["sub_problems"] == local.figures["sub_problems"] == 3
    visits = int(local.figures["visits"])
    gap = abs(int(remote.figures["allocated"]) - int(local.figures["allocated"]))
    assert gap <= max(2, visits // 50), (local.figures, remote.figures)
    with Session(engine) as session:
        assert {p.plan_run_id for p in session.exec(select(PublishedRota))} == {remote.id}
