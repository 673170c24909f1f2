"""Parameters: shipped defaults, TOML loading, refusal of unknown or wrong values."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.parameters import DEFAULTS_PATH, Parameters


def test_shipped_defaults_match_the_class() -> None:
    """scheduler/defaults.toml holds exactly the class defaults."""
    assert Parameters.defaults() == Parameters()
    shipped = Parameters.from_toml(DEFAULTS_PATH).to_mapping()
    assert shipped.keys() == Parameters().to_mapping().keys()


def test_toml_overrides_some_fields(tmp_path: Path) -> None:
    """A file may set any subset of fields, grouped in tables or not."""
    path = tmp_path / "p.toml"
    path.write_text("lateness_cost_per_second = 5\n[working_time]\ndaily_limit_seconds = 30000\n")
    params = Parameters.from_toml(path)
    assert params.lateness_cost_per_second == 5 and params.daily_limit_seconds == 30000
    assert params.travel_cost_per_second == Parameters().travel_cost_per_second


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    """A misspelt key raises a clear ValueError naming it."""
    path = tmp_path / "p.toml"
    path.write_text("[working_time]\ndaily_limit_secs = 30000\n")
    with pytest.raises(ValueError, match=r"unknown parameter.*daily_limit_secs"):
        Parameters.from_toml(path)


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    """A string where a number belongs raises ValueError."""
    path = tmp_path / "p.toml"
    path.write_text('daily_limit_seconds = "ten hours"\n')
    with pytest.raises(ValueError, match="daily_limit_seconds must be int"):
        Parameters.from_toml(path)


def test_key_given_twice_is_refused(tmp_path: Path) -> None:
    """The same field in two tables raises ValueError."""
    path = tmp_path / "p.toml"
    path.write_text("[a]\nrest_break_seconds = 1\n[b]\nrest_break_seconds = 2\n")
    with pytest.raises(ValueError, match="given twice"):
        Parameters.from_toml(path)


@pytest.mark.parametrize(
    ("field", "value"),
    [("drop_penalty", -1), ("metaheuristic", "MAGIC"), ("max_work_without_break_seconds", 0)],
)
def test_bad_values_are_refused(field: str, value: object) -> None:
    """Negative numbers, unknown metaheuristics and a zero stretch are refused."""
    with pytest.raises(ValueError, match=field):
        Parameters.from_mapping({field: value})
