"""Reading Solomon and Mankowska files, and checking routes on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.bench.mankowska import Operation, read_mankowska
from scheduler.bench.solomon import read_solomon, route_breach, route_distance
from tests.bench.instances import FOUR_CUSTOMERS, THREE_PATIENTS, write


def test_solomon_reader_reads_fleet_depot_and_customers(tmp_path: Path) -> None:
    """The fleet, capacity, depot horizon and customer rows come through as written."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    assert (instance.name, instance.fleet, instance.capacity) == ("TINY4", 3, 30)
    assert instance.customers == 4
    assert instance.due[0] == 200 and instance.demand[4] == 20 and instance.service[1] == 10
    assert instance.distance(1, 3) == pytest.approx(20.0)


def test_solomon_route_checks_capacity_and_windows(tmp_path: Path) -> None:
    """A route over capacity or reaching a customer after its due date is refused."""
    instance = read_solomon(write(tmp_path, "TINY4.txt", FOUR_CUSTOMERS))
    assert route_breach(instance, [1, 2]) is None
    assert "capacity" in (route_breach(instance, [3, 4, 1]) or "")
    assert route_breach(instance, [3, 4]) is None  # 4 reached at 10 + 10 + 10 = 30
    assert "due" in (route_breach(instance, [1, 4]) or "")  # 4 reached at 10 + 10 + 30 = 50
    assert route_distance(instance, [1, 2]) == pytest.approx(40.0)


def test_solomon_reader_refuses_other_files(tmp_path: Path) -> None:
    """A file without VEHICLE and CUSTOMER blocks is a clear error."""
    with pytest.raises(ValueError, match="not a Solomon instance"):
        read_solomon(write(tmp_path, "x.txt", "hello\n1 2 3\n"))


def test_mankowska_reader_reads_services_skills_and_gaps(tmp_path: Path) -> None:
    """Nodes, services needed, qualifications and durations come through as written."""
    instance = read_mankowska(write(tmp_path, "tiny3.txt", THREE_PATIENTS))
    assert (instance.nodes, instance.caregivers, instance.services) == (5, 2, 2)
    assert list(instance.patients) == [1, 2, 3] and instance.end_depot == 4
    assert instance.double_service == frozenset({3})
    assert instance.services_of(3) == (0, 1) and instance.services_of(2) == (1,)
    assert instance.operations() == (
        Operation(1, 0), Operation(2, 1), Operation(3, 0), Operation(3, 1),
    )
    assert not instance.can_give(0, Operation(2, 1)) and instance.can_give(1, Operation(2, 1))
    assert instance.duration[3][1][1] == 5 and instance.due[1] == 30


def test_mankowska_reader_refuses_missing_sections(tmp_path: Path) -> None:
    """A file missing a section says which."""
    with pytest.raises(ValueError, match="missing"):
        read_mankowska(write(tmp_path, "bad.txt", "nbNodes\n3\n"))
