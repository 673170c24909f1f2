"""The week benchmark's ``--set NAME=VALUE``: values take the field's type, bad names stop."""

from __future__ import annotations

import pytest

from benchmarks.week.__main__ import overridden
from scheduler.parameters import Parameters


def test_set_reads_each_value_as_its_fields_type() -> None:
    """Integers, floats and booleans are read as such; other fields keep their defaults."""
    params = overridden(
        Parameters(),
        ["continuity_team_cost=0", "ruin_recreate_share=0.5", "pay_travel_time=true"],
    )
    assert params.continuity_team_cost == 0
    assert params.ruin_recreate_share == 0.5
    assert params.pay_travel_time is True
    assert params.drop_penalty == Parameters().drop_penalty


@pytest.mark.parametrize("setting", ["no_such_weight=1", "continuity_team_cost", "drop_penalty="])
def test_set_refuses_an_unknown_name_or_a_missing_value(setting: str) -> None:
    """A name that is not a parameter, or no value, stops the run with the setting named."""
    with pytest.raises(SystemExit, match="--set"):
        overridden(Parameters(), [setting])
