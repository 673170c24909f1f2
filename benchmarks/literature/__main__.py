"""Run the optimiser and its peers on the literature benchmarks, check, and tabulate.

    python -m benchmarks.literature run --out /tmp/lit            # everything, 10 s each
    python -m benchmarks.literature run --out /tmp/lit --jobs 2   # two instances at a time
    python -m benchmarks.literature run --out /tmp/lit --solvers ortools --families hhc
    python -m benchmarks.literature tables /tmp/lit               # the tables for the docs

``run`` calls exactly ``homecare bench solomon|hhc FILE... --seconds S --json
--solver X`` for each family and solver (one instance after another, one core
each), writes ``OUT/<family>_<solver>.jsonl`` and then runs the shared
independent checkers on each file, printing their verdicts. ``tables``
re-checks every route with the shared checker modules (never the figures the
solvers report) and prints Markdown tables: per Solomon family, vehicles over
the best-known total and the mean distance gap on the instances solved with the
best-known number of vehicles; per Mankowska set, feasible plans and the mean
objective gap to the best known (column ``best``).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

FAMILIES = ("solomon", "hhc")
SOLVERS = ("ortools", "pyvrp", "vroom")
DEFAULT_BENCH_DIR = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def _checker(bench_dir: Path, name: str) -> ModuleType:
    folder = str(bench_dir / "check")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return __import__(name)


def _files(bench_dir: Path, family: str) -> list[Path]:
    if family == "solomon":
        return sorted((bench_dir / "solomon").glob("*.txt"))
    return sorted((bench_dir / "mankowska" / "instances").glob("*.txt"))


def _homecare() -> list[str]:
    found = shutil.which("homecare") or str(Path(sys.executable).with_name("homecare"))
    return [found]


def run(args: argparse.Namespace) -> int:
    """Solve every file of each family with each solver, then run the shared checkers."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    for family in args.families:
        for solver in args.solvers:
            target = out / f"{family}_{solver}.jsonl"
            command = [
                *_homecare(), "bench", family,
                *(str(path) for path in _files(args.bench_dir, family)),
                "--seconds", str(args.seconds), "--json", "--solver", solver,
                "--jobs", str(args.jobs),
            ]
            print(f"$ homecare bench {family} … --seconds {args.seconds} --json "
                  f"--solver {solver} --jobs {args.jobs} > {target}", flush=True)
            with target.open("w") as handle:
                subprocess.run(command, stdout=handle, check=True)
            if family == "solomon":
                check = [sys.executable, str(args.bench_dir / "check" / "check_solomon_output.py"),
                         str(args.bench_dir / "solomon"), str(target),
                         "--max-over", "24", "--max-gap", "3.0"]
            else:
                check = [sys.executable, str(args.bench_dir / "check" / "check_hhc_output.py"),
                         str(args.bench_dir / "mankowska"), str(target),
                         "--max-gap", "1.5", "--max-set-gap", "3"]
            verdict = subprocess.run(check, capture_output=True, text=True)
            print(verdict.stdout.strip().splitlines()[-1] if verdict.stdout else verdict.stderr)
            status |= verdict.returncode if solver == "ortools" else 0
    return status


def _records(path: Path) -> dict[str, dict[str, Any]]:
    records = {}
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            records[Path(str(record["instance"])).stem] = record
    return records


def _solomon_rows(bench_dir: Path, out: Path) -> list[str]:
    checker = _checker(bench_dir, "solomon")
    bks = {row["instance"]: row for row in csv.DictReader((bench_dir / "solomon" / "bks.csv").open())}
    families = ["C1", "C2", "R1", "R2", "RC1", "RC2"]
    lines = [
        "| solver | family | feasible | vehicles (best known) | over best known | "
        "mean gap at best-known vehicles | instances at best-known vehicles | median wall s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for solver in SOLVERS:
        path = out / f"solomon_{solver}.jsonl"
        if not path.exists():
            continue
        records = _records(path)
        groups: dict[str, list[tuple[bool, int, int, float, float]]] = {}
        for file in _files(bench_dir, "solomon"):
            name = file.stem
            record = records.get(name)
            if record is None:
                groups.setdefault(name[:-2], []).append((False, 0, 0, 0.0, 0.0))
                continue
            checked = checker.check(checker.read(str(file)), record.get("routes") or [])
            best_vehicles = int(bks[name]["vehicles"])
            gap = 100 * (checked["distance"] / float(bks[name]["distance"]) - 1)
            groups.setdefault(name[:-2], []).append(
                (checked["feasible"], checked["vehicles"], best_vehicles, gap,
                 float(record.get("wall_seconds", 0)))
            )
        for family in [*families, "all"]:
            rows = [r for f in families for r in groups.get(f, [])] if family == "all" else (
                groups.get(family, []))
            feasible = [r for r in rows if r[0]]
            matched = [r[3] for r in feasible if r[1] == r[2]]
            over = sum(r[1] - r[2] for r in feasible)
            gap = f"{statistics.fmean(matched):.2f} %" if matched else "–"
            wall = statistics.median(r[4] for r in rows) if rows else 0.0
            name = f"**{family}**" if family == "all" else family
            lines.append(
                f"| {solver} | {name} | {len(feasible)}/{len(rows)} | "
                f"{sum(r[1] for r in feasible)} ({sum(r[2] for r in feasible)}) | {over} | "
                f"{gap} | {len(matched)} | {wall:.1f} |"
            )
    return lines


def _hhc_rows(bench_dir: Path, out: Path) -> list[str]:
    checker = _checker(bench_dir, "mankowska")
    folder = bench_dir / "mankowska"
    bks = {row["file"].removesuffix(".txt"): row for row in csv.DictReader((folder / "bks.csv").open())}
    lines = [
        "| solver | set | feasible | mean gap to best known (feasible plans) | "
        "worst gap | median wall s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for solver in SOLVERS:
        path = out / f"hhc_{solver}.jsonl"
        if not path.exists():
            continue
        records = _records(path)
        by_set: dict[str, list[tuple[bool, float, float]]] = {}
        for file in _files(bench_dir, "hhc"):
            row = bks[file.stem]
            letter = row["instance"][0]
            record = records.get(file.stem)
            if record is None:
                by_set.setdefault(letter, []).append((False, 0.0, 0.0))
                continue
            checked = checker.check(checker.read(str(file)), record.get("routes") or [])
            gap = 100 * (checked["objective"] / float(row["best"]) - 1)
            by_set.setdefault(letter, []).append(
                (checked["feasible"], gap, float(record.get("wall_seconds", 0)))
            )
        for letter in ["A", "B", "C", "all"]:
            rows = [r for s in "ABC" for r in by_set.get(s, [])] if letter == "all" else (
                by_set.get(letter, []))
            feasible = [r for r in rows if r[0]]
            gaps = [r[1] for r in feasible]
            mean = f"{statistics.fmean(gaps):.2f} %" if gaps else "–"
            worst = f"{max(gaps):.2f} %" if gaps else "–"
            wall = statistics.median(r[2] for r in rows) if rows else 0.0
            name = f"**{letter}**" if letter == "all" else letter
            lines.append(
                f"| {solver} | {name} | {len(feasible)}/{len(rows)} | {mean} | {worst} | "
                f"{wall:.1f} |"
            )
    return lines


def tables(args: argparse.Namespace) -> int:
    """Print the Markdown tables from the JSON lines in ``args.out``."""
    out = Path(args.out)
    print("Solomon VRPTW (56 instances)\n")
    print("\n".join(_solomon_rows(args.bench_dir, out)))
    print("\nMankowska et al. home health care (sets A, B, C)\n")
    print("\n".join(_hhc_rows(args.bench_dir, out)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.literature", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR,
                        help="the shared benchmark data (default ../shared/benchmarks)")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="solve, write JSON lines, run the checkers")
    run_parser.add_argument("--out", required=True)
    run_parser.add_argument("--seconds", type=float, default=10.0)
    run_parser.add_argument("--jobs", type=int, default=1,
                            help="instances solved at a time, one process (one core) each")
    run_parser.add_argument("--solvers", type=lambda text: text.split(","), default=list(SOLVERS))
    run_parser.add_argument("--families", type=lambda text: text.split(","),
                            default=list(FAMILIES))
    tables_parser = commands.add_parser("tables", help="print the tables from a run")
    tables_parser.add_argument("out")
    args = parser.parse_args(argv)
    return run(args) if args.command == "run" else tables(args)


if __name__ == "__main__":
    sys.exit(main())
