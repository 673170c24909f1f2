"""The default travel-time provider: haversine × road factor ÷ speed, whole seconds."""

from __future__ import annotations

import pytest

from scheduler.travel import Point, TravelModel, haversine_metres

LEEDS = Point(53.7997, -1.5492)
BRADFORD = Point(53.7960, -1.7594)


def test_haversine_matches_a_known_distance() -> None:
    """Leeds to Bradford city centres are about 13.9 km apart as the crow flies."""
    assert haversine_metres(LEEDS, BRADFORD) == pytest.approx(13_860, rel=0.01)


def test_modes_order_by_speed_and_times_are_whole_seconds() -> None:
    """A car is faster than public transport, which is faster than walking."""
    travel = TravelModel()
    car, bus, walk = (
        travel.seconds(LEEDS, BRADFORD, m) for m in ("car", "public_transport", "walking")
    )
    assert all(isinstance(t, int) for t in (car, bus, walk))
    assert car < bus < walk
    assert travel.seconds(LEEDS, LEEDS, "car") == 0


def test_times_follow_the_parameters() -> None:
    """Doubling the speed halves the moving part of the journey."""
    slow = TravelModel(
        speeds_kmh={"car": 20.0}, road_factors={"car": 1.0}, overhead_seconds={"car": 0}
    )
    fast = TravelModel(
        speeds_kmh={"car": 40.0}, road_factors={"car": 1.0}, overhead_seconds={"car": 0}
    )
    assert slow.seconds(LEEDS, BRADFORD, "car") == pytest.approx(
        2 * fast.seconds(LEEDS, BRADFORD, "car"), abs=2
    )


def test_a_mode_without_parameters_is_refused() -> None:
    """Every mode needs a speed, a road factor and an overhead."""
    with pytest.raises(ValueError, match="road factor"):
        TravelModel(speeds_kmh={"car": 30.0}, road_factors={}, overhead_seconds={})
