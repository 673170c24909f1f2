"""`python -m benchmarks.literature run` end to end on two Solomon instances, two at a time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
ROOT = Path(__file__).resolve().parents[2]


def test_the_runner_passes_jobs_through_and_checks_every_instance(tmp_path: Path) -> None:
    """Both instances are solved (two processes), written as JSON lines and checked."""
    bench = tmp_path / "bench"
    (bench / "solomon").mkdir(parents=True)
    (bench / "check").symlink_to(SHARED / "check")
    shutil.copy(SHARED / "solomon" / "bks.csv", bench / "solomon" / "bks.csv")
    for name in ("C101.txt", "R101.txt"):
        shutil.copy(SHARED / "solomon" / name, bench / "solomon" / name)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.literature", "--bench-dir", str(bench),
         "run", "--out", str(out), "--families", "solomon", "--solvers", "ortools",
         "--seconds", "1", "--jobs", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "--jobs 2" in done.stdout
    lines = (out / "solomon_ortools.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["instance"] for r in records) == ["C101", "R101"]
    assert all(r["routes"] for r in records)
