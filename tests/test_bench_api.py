"""The API benchmark's server configurations and figures (the run itself: `make bench-api`)."""

from __future__ import annotations

import pytest

from benchmarks.api.run import ServerSpec, summarise


def test_server_configurations_are_read_and_named() -> None:
    """CLASS:PROCESSES[:THREADS[:KEEPALIVE[:CONNECTIONS]]], refused when malformed."""
    assert ServerSpec.parse("sync:3") == ServerSpec("sync", 3)
    assert str(ServerSpec.parse("sync:3")) == "sync × 3"
    spec = ServerSpec.parse("gthread:2:4:0:4")
    assert spec == ServerSpec("gthread", 2, 4, 0, 4)
    assert str(spec) == "gthread 2 × 4, no keep-alive, 4 connections each"
    assert str(ServerSpec.parse("gthread:2:4")) == "gthread 2 × 4, keep-alive 30 s"
    for bad in ("eventlet:2", "sync", "sync:0", "gthread:2:4:5:6:7", "sync:x"):
        with pytest.raises(ValueError):
            ServerSpec.parse(bad)


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    """100 latencies of 1..100 ms: p50 50.5 (median), p95 96, p99 100, max 100."""
    figures = summarise([n / 1000 for n in range(1, 101)], errors=2, elapsed=4.0)
    assert figures.requests == 100 and figures.errors == 2
    assert figures.per_second == 25.0
    assert figures.p50_ms == pytest.approx(50.5)
    assert figures.p95_ms == pytest.approx(96.0)
    assert figures.p99_ms == pytest.approx(100.0) and figures.max_ms == pytest.approx(100.0)
