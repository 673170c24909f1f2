"""The week benchmark's tables: the week's row and the spread of distinct carers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benchmarks.week.__main__ import MONDAY, DayFigures, report


def _week(travel_hours: int) -> list[DayFigures]:
    return [
        DayFigures(MONDAY + timedelta(days=k), visits=10, travel_seconds=travel_hours * 3600,
                   contact_seconds=3 * 3600, assignments_morning=10)
        for k in range(7)
    ]


def test_the_week_row_gives_the_share_within_three_and_the_spread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two of four clients see at most three carers; travel 7 h against 14 h is −50 %."""
    report({"continuity on": (_week(1), [3, 2, 4, 6]), "continuity off": (_week(2), [8, 8, 7, 9])})
    out = capsys.readouterr().out
    on_row = next(line for line in out.splitlines() if line.startswith("| continuity on | 4 |"))
    assert on_row.split(" | ")[2:5] == ["3.5", "3.75", "50.0%"]
    assert "continuity on: 56.2% fewer distinct carers per client (median)" in out
    assert "for -50.0% travel" in out
    assert "continuity on: clients by distinct carers 2 carers 1, 3 carers 1, 4 carers 1, " \
        "6 carers 1" in out
