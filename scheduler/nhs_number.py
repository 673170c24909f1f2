"""NHS numbers: ten digits, the last a Modulus 11 check digit.

Weights 10 down to 2 multiply the first nine digits; the check digit is
11 − (sum mod 11), with 11 read as 0 and 10 meaning the number is invalid.
"""

from __future__ import annotations

import random


class InvalidNHSNumber(ValueError):
    """Raised with a reason a person can read."""


def normalise_nhs_number(text: str) -> str:
    """Return the ten digits of ``text`` (spaces and hyphens allowed), or raise."""
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise InvalidNHSNumber("an NHS number has exactly ten digits")
    expected = check_digit(digits[:9])
    if expected is None:
        raise InvalidNHSNumber("no valid NHS number starts with these nine digits")
    if int(digits[9]) != expected:
        raise InvalidNHSNumber("the check digit does not match (Modulus 11)")
    return digits


def is_valid_nhs_number(text: str) -> bool:
    """True if ``text`` is a valid NHS number."""
    try:
        normalise_nhs_number(text)
    except InvalidNHSNumber:
        return False
    return True


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when it would be 10."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    remainder = 11 - total % 11
    if remainder == 11:
        return 0
    if remainder == 10:
        return None
    return remainder


def random_nhs_number(rng: random.Random) -> str:
    """A valid NHS number drawn from ``rng``, in the 999 range kept for testing."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        digit = check_digit(first_nine)
        if digit is not None:
            return first_nine + str(digit)
