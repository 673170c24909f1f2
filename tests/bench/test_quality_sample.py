"""The saved quality sample: written once, re-solved at its share against its long solves."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.national import sample
from benchmarks.national.sample import SampledPart, save_sample
from scheduler.parameters import Parameters
from scheduler.solver import solve
from tests.solver.instances import synthetic_area


def test_a_saved_sample_is_re_solved_and_its_gaps_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two small parts saved with their 2 s solves come back as one table row per part
    and seed (checked by the validator), with the gap to the saved objective."""
    parts = []
    for seed in (1, 2):
        problem = synthetic_area(4, 30, seed=seed)
        long = solve(problem, Parameters(), time_limit_seconds=2.0)
        parts.append(SampledPart(f"area-{seed}", problem, 1.0, long.objective["total"],
                                 len(long.dropped)))
    path = tmp_path / "sample.pickle"
    save_sample(path, parts)
    monkeypatch.setattr(sys, "argv", ["sample", str(path), "--seeds", "0", "1"])
    sample.main()
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| area-")]
    assert sorted(row.split(" | ")[0:2] for row in rows) == [
        ["| area-1", "0"], ["| area-1", "1"], ["| area-2", "0"], ["| area-2", "1"],
    ]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        key, total, long_total, gap = cells[0], int(cells[5]), int(cells[7]), float(cells[8])
        saved = next(part for part in parts if part.key == key)
        assert long_total == saved.long_total
        assert gap == pytest.approx(100 * (total - long_total) / long_total, abs=0.01)
    assert "within 3 %:" in out.splitlines()[-1]
