"""NHS numbers: ten digits with a Modulus 11 check digit."""

from __future__ import annotations

import random

import pytest

from scheduler.nhs_number import (
    InvalidNHSNumber,
    check_digit,
    is_valid_nhs_number,
    normalise_nhs_number,
    random_nhs_number,
)


@pytest.mark.parametrize("text", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_numbers_are_accepted_and_normalised(text: str) -> None:
    """Published example numbers pass, with spaces or hyphens removed."""
    assert normalise_nhs_number(text) == text.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9434765918", "check digit"),
        ("943476591", "ten digits"),
        ("94347659190", "ten digits"),
        ("94347A5919", "ten digits"),
        ("", "ten digits"),
        ("١٢٣٤٥٦٧٨٩٠", "ten digits"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(text: str, reason: str) -> None:
    """Wrong check digits, lengths and characters are refused, saying why."""
    with pytest.raises(InvalidNHSNumber, match=reason):
        normalise_nhs_number(text)
    assert not is_valid_nhs_number(text)


def test_check_digit_of_ten_means_no_valid_number() -> None:
    """Nine digits whose remainder gives 10 have no valid check digit."""
    first_nine = next(
        f"{n:09d}" for n in range(100_000_000, 100_010_000) if check_digit(f"{n:09d}") is None
    )
    for last in "0123456789":
        assert not is_valid_nhs_number(first_nine + last)


def test_random_numbers_are_valid_and_reproducible() -> None:
    """The generator's numbers are valid and the same seed gives the same numbers."""
    first = [random_nhs_number(random.Random(5)) for _ in range(3)]
    assert first == [random_nhs_number(random.Random(5)) for _ in range(3)]
    numbers = [random_nhs_number(random.Random(seed)) for seed in range(200)]
    assert all(is_valid_nhs_number(n) for n in numbers)
