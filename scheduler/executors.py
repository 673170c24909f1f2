"""Where sub-problems are solved: a local process pool, or a Dask cluster.

Both are a :class:`concurrent.futures.Executor`. OR-Tools must build one routing
model per process at a time (two at once in a process crash it), so the local
pool uses processes, and Dask workers should run one thread each.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

DASK_ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"


def local_slots() -> int:
    """Processes for the local pool: ``HOMECARE_PROCESSES`` or the number of usable cores."""
    configured = os.environ.get("HOMECARE_PROCESSES", "").strip()
    if configured:
        return max(1, int(configured))
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


@contextmanager
def planning_executor(
    *, processes: int | None = None, dask_address: str | None = None
) -> Iterator[tuple[Executor, int]]:
    """An executor and how many tasks it runs at once.

    ``dask_address`` (or ``DASK_SCHEDULER_ADDRESS``) names a Dask scheduler to plan
    through; otherwise a pool of ``processes`` local processes (default: the cores).
    """
    address = dask_address or os.environ.get(DASK_ADDRESS_VARIABLE, "").strip() or None
    if address:
        from distributed import Client

        client = Client(address, set_as_default=False)
        try:
            slots = sum(client.nthreads().values()) or 1
            yield client.get_executor(pure=False), slots
        finally:
            client.close()
        return
    slots = processes or local_slots()
    pool = ProcessPoolExecutor(max_workers=slots, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool, slots
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
