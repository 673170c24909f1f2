"""``homecare bench``: solve literature benchmark files and print the results.

``homecare bench solomon FILE... --seconds S --json`` prints one JSON object per
line: ``{"instance", "vehicles", "distance", "wall_seconds", "routes"}`` (routes
as customer numbers in visiting order). ``homecare bench hhc FILE... --seconds S
--json`` prints ``{"instance", "objective", "distance", "tardiness",
"max_tardiness", "wall_seconds", "routes"}`` (one route per caregiver in file
order, each a list of ``{"patient", "service", "start"}``). ``--solver`` runs
PyVRP or VROOM instead of our OR-Tools search, through the same harness and
time limit; ``--jobs 2`` runs two instances at a time in separate processes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from scheduler.bench.harness import SOLVERS, Family, Task, run

_files = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_seconds = click.option(
    "--seconds", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
    help="Wall-clock limit per instance",
)
_json = click.option("--json", "as_json", is_flag=True, help="One JSON object per line")
_solver = click.option(
    "--solver", type=click.Choice(SOLVERS), default="ortools", show_default=True,
    help="Our OR-Tools search, or a peer (needs the 'bench' extra)",
)
_jobs = click.option(
    "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Instances solved at a time, each in its own process (one core each)",
)
_seed = click.option("--seed", type=int, default=0, show_default=True)


@click.group()
def bench() -> None:
    """Measure the optimiser on published benchmarks (Solomon, Mankowska et al.)."""


def _emit(family: Family, files: tuple[Path, ...], seconds: float, solver: str, jobs: int,
          seed: int, as_json: bool) -> None:
    from scheduler.bench.peers import PeerUnavailable

    tasks = [Task(family, solver, str(path), seconds, seed) for path in files]
    try:
        for record in run(tasks, jobs):
            click.echo(json.dumps(record) if as_json else _line(family, record))
    except PeerUnavailable as error:
        raise click.ClickException(str(error)) from error


def _line(family: Family, record: dict[str, Any]) -> str:
    if family == "solomon":
        return (f"{record['instance']:<12} vehicles {record['vehicles']:>3}  "
                f"distance {record['distance']:>10.2f}  {record['wall_seconds']:6.2f} s")
    return (f"{record['instance']:<26} objective {record['objective']:>9.3f}  "
            f"(distance {record['distance']:.3f}, tardiness {record['tardiness']:.3f}, "
            f"max {record['max_tardiness']:.3f}){'' if record['feasible'] else '  INFEASIBLE'}"
            f"  {record['wall_seconds']:6.2f} s")


@bench.command("solomon")
@_files
@_seconds
@_json
@_solver
@_jobs
@_seed
def solomon_command(files: tuple[Path, ...], seconds: float, as_json: bool, solver: str,
                    jobs: int, seed: int) -> None:
    """Solve Solomon VRPTW files: fewest vehicles, then least distance."""
    _emit("solomon", files, seconds, solver, jobs, seed, as_json)


@bench.command("hhc")
@_files
@_seconds
@_json
@_solver
@_jobs
@_seed
def hhc_command(files: tuple[Path, ...], seconds: float, as_json: bool, solver: str,
                jobs: int, seed: int) -> None:
    """Solve Mankowska et al. home health care files: (distance + tardiness + max) / 3."""
    _emit("hhc", files, seconds, solver, jobs, seed, as_json)
