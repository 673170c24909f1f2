"""Re-solve a saved quality sample at its production shares, against its saved long solves.

The quality check (``python -m benchmarks.national --quality 10``) generates the
national day and solves each sampled sub-problem for 60 s: minutes of work that a
change to the solver does not alter. Saved once, the sample can be re-solved at
the production share in about a minute, side by side for several seeds:

    python -m benchmarks.national --quality 10 --save-sample /tmp/sample.pickle
    python -m benchmarks.national.sample /tmp/sample.pickle --seeds 0 1

The gaps are against the long solves as saved (made by the solver of that day):
compare changes against each other in one session, and re-run ``--quality`` for
the figure to record. Two sub-problems are solved at once (one core each).
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scheduler.parameters import Parameters
from scheduler.planner import solve_problem
from scheduler.problem import Problem
from scheduler.validate import validate


@dataclass(frozen=True)
class SampledPart:
    """A sampled sub-problem, its production share (s) and its long solve's figures."""

    key: str
    problem: Problem
    share: float
    long_total: int
    long_dropped: int


def save_sample(path: Path, parts: list[SampledPart]) -> None:
    """Write the sample to ``path`` (a pickle: trusted, local use only)."""
    path.write_bytes(pickle.dumps(parts))


def _short(part: SampledPart, seed: int) -> tuple[int, int, int]:
    """Objective total, visits dropped and validator findings of a solve at the share."""
    params = Parameters()
    result = solve_problem(part.problem, params, part.share, seed)
    return result.objective["total"], len(result.dropped), len(validate(part.problem, result,
                                                                         params))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sample", type=Path, help="a file written by --quality --save-sample")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    parts: list[SampledPart] = pickle.loads(args.sample.read_bytes())
    jobs = [(part, seed) for seed in args.seeds for part in parts]
    print(
        "| sub-problem | seed | visits | budget s | dropped | objective "
        "| dropped (long) | objective (long) | gap % |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    gaps = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [pool.submit(_short, part, seed) for part, seed in jobs]
        for (part, seed), future in zip(jobs, futures, strict=True):
            total, dropped, findings = future.result()
            assert findings == 0, f"{part.key}: the validator refused the plan"
            gap = 100 * (total - part.long_total) / part.long_total if part.long_total else 0.0
            gaps.append(gap)
            print(
                f"| {part.key} | {seed} | {len(part.problem.visits)} | {part.share:.1f} "
                f"| {dropped} | {total} | {part.long_dropped} | {part.long_total} | {gap:.2f} |",
                flush=True,
            )
    print(
        f"\nmedian gap {statistics.median(gaps):.2f} %, worst {max(gaps):.2f} %, "
        f"within 3 %: {sum(gap <= 3 for gap in gaps)} of {len(gaps)}"
    )


if __name__ == "__main__":
    main()
