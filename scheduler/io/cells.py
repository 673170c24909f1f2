"""Parsers for single cells: text from CSV, or the matching JSON value.

Each parser takes the raw value and returns the typed value, or raises
``ValueError`` with a reason that reads after "row 7, column x: ". A blank cell
(empty text, or JSON null) is refused as "a value is required" unless the
parser is wrapped in :func:`optional`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from scheduler.io.reader import json_type
from scheduler.nhs_number import normalise_nhs_number
from scheduler.visits import LONDON

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Parser = Callable[[object], T]

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LIST_SEPARATOR = ";"
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?([0-9][A-Z]{2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


class Missing(ValueError):
    """The cell is blank but a value is required."""

    def __init__(self) -> None:
        super().__init__("a value is required")


def is_blank(value: object) -> bool:
    """True for JSON null and for text holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def optional(parse: Parser[T], default: T) -> Parser[T]:
    """``parse``, except that a blank cell gives ``default``."""

    def parse_optional(value: object) -> T:
        return default if is_blank(value) else parse(value)

    return parse_optional


def _text_of(value: object, *, strip: bool = True) -> str:
    """The text of a cell (JSON whole numbers are accepted as text), stripped unless told not.

    Free text is not stripped here: the CSV reader has already stripped its cells
    (but not what follows a formula-guard quote), and JSON text is kept exactly.
    """
    if is_blank(value):
        raise Missing()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected text, not {json_type(value)}")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("holds a NUL character (0x00), which text may not contain")
    return str(value).strip() if strip else str(value)


def text(max_length: int) -> Parser[str]:
    """Free text of at most ``max_length`` characters, kept exactly as given."""

    def parse_text(value: object) -> str:
        result = _text_of(value, strip=False)
        if len(result) > max_length:
            raise ValueError(f"is {len(result)} characters long; at most {max_length} are allowed")
        return result

    return parse_text


def code(max_length: int = 40) -> Parser[str]:
    """An identifier (code or reference): letters, digits and ``_ . / -``, not starting
    with a symbol; at most ``max_length`` characters. Case is kept and matters."""

    def parse_code(value: object) -> str:
        result = _text_of(value)
        if len(result) > max_length:
            raise ValueError(f"{result!r} is longer than {max_length} characters")
        if not _CODE.fullmatch(result):
            raise ValueError(
                f"{result!r} is not a valid code: use letters, digits and _ . / - only, "
                "starting with a letter or digit"
            )
        return result

    return parse_code


def _number_of(value: object) -> Decimal:
    """A finite decimal from a JSON number or text such as ``-0.1278``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | None):
        raise ValueError(f"expected a number, not {json_type(value)}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("expected a finite number")
        return Decimal(str(value))
    raw = _text_of(value)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        hint = " (use a full stop for decimals)" if "," in raw else ""
        raise ValueError(f"{raw!r} is not a number{hint}") from None
    if not number.is_finite():
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _check_range(number: Decimal, low: Decimal | int, high: Decimal | int, unit: str) -> None:
    if not low <= number <= high:
        raise ValueError(f"{number} is out of range: it must be from {low} to {high}{unit}")


def number(low: float, high: float) -> Parser[float]:
    """A decimal number from ``low`` to ``high`` inclusive (e.g. degrees of latitude)."""

    def parse_number(value: object) -> float:
        result = _number_of(value)
        _check_range(result, Decimal(str(low)), Decimal(str(high)), "")
        return float(result)

    return parse_number


def whole_number(low: int, high: int, unit: str = "") -> Parser[int]:
    """A whole number from ``low`` to ``high`` inclusive; ``unit`` only words messages."""

    def parse_whole_number(value: object) -> int:
        result = _number_of(value)
        if result != result.to_integral_value():
            raise ValueError(f"{result} is not a whole number")
        _check_range(result, low, high, unit)
        return int(result)

    return parse_whole_number


def hours_as_minutes(max_hours: int) -> Parser[int]:
    """Decimal hours (``37.5``) from 0 to ``max_hours``, returned as whole minutes (2250).

    Minutes are rounded to the nearest whole minute, so ``37.3333`` gives 2240.
    """

    def parse_hours(value: object) -> int:
        hours = _number_of(value)
        _check_range(hours, 0, max_hours, " hours")
        return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    return parse_hours


def pounds_as_pence(max_pounds: int) -> Parser[int]:
    """Pounds and pence (``12.60`` or ``£12.60``) from 0 to ``max_pounds``, returned in pence."""

    def parse_pounds(value: object) -> int:
        if isinstance(value, str):
            value = value.strip().removeprefix("£")
        pounds = _number_of(value)
        _check_range(pounds, 0, max_pounds, " pounds")
        pence = pounds * 100
        if pence != pence.to_integral_value():
            raise ValueError(f"{pounds} has more than two decimal places (pence)")
        return int(pence)

    return parse_pounds


def boolean(value: object) -> bool:
    """``true``/``false`` (also yes/no, y/n, 1/0, any case) or a JSON true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raw = _text_of(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{raw!r} is not true or false (use true/false or yes/no)")


def choice(kind: type[E]) -> Parser[E]:
    """One member of ``kind`` by value, ignoring case (``Public transport`` → public_transport)."""
    allowed = ", ".join(member.value for member in kind)

    def parse_choice(value: object) -> E:
        raw = _text_of(value)
        wanted = "_".join(raw.lower().replace("-", " ").split())
        for member in kind:
            if member.value == wanted:
                return member
        raise ValueError(f"{raw!r} is not one of: {allowed}")

    return parse_choice


def day(value: object) -> date:
    """A date as ``YYYY-MM-DD`` (ISO 8601) or ``DD/MM/YYYY`` (British), 1900–2099."""
    raw = _text_of(value)
    try:
        uk = _UK_DATE.fullmatch(raw)
        result = date(int(uk[3]), int(uk[2]), int(uk[1])) if uk else date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (use YYYY-MM-DD, e.g. 2025-04-30)") from None
    if not EARLIEST_DATE <= result <= LATEST_DATE:
        raise ValueError(f"{raw} is out of range: dates must be from 1900 to 2099")
    return result


def clock_time(value: object) -> time:
    """A local wall-clock time as ``HH:MM`` (24-hour; ``HH:MM:SS`` also accepted)."""
    raw = _text_of(value)
    match = _TIME.fullmatch(raw)
    if match is None:
        raise ValueError(f"{raw!r} is not a time (use HH:MM, 24-hour, e.g. 07:30)")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour == 24 and minute == second == 0:
        raise ValueError("24:00 is not a time of day; use 23:59 for the end of the day")
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{raw!r} is not a time of day (hours 00–23, minutes 00–59)")
    return time(hour, minute, second)


def instant(value: object) -> datetime:
    """An ISO 8601 date and time, returned as an aware UTC instant.

    With an offset (``2025-07-01T09:00+01:00`` or ``…Z``) it is exact; without one
    it is Europe/London local time, refused when the clocks make it ambiguous
    (the hour repeated in October) or impossible (the hour skipped in March).
    """
    raw = _text_of(value)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"{raw!r} is not a date and time (use ISO 8601, e.g. 2025-07-01T09:00+01:00)"
        ) from None
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        raise ValueError(f"{raw} is out of range: dates must be from 1900 to 2099")
    if moment.tzinfo is None:
        moment = _london(moment, raw)
    return moment.astimezone(UTC)


def _london(local: datetime, raw: str) -> datetime:
    """``local`` as a Europe/London time, if the clocks let it name one instant."""
    first = local.replace(tzinfo=LONDON, fold=0)
    if first.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != local:
        raise ValueError(f"{raw} does not exist in Europe/London (the clocks go forward)")
    if first.utcoffset() != local.replace(tzinfo=LONDON, fold=1).utcoffset():
        raise ValueError(
            f"{raw} happens twice in Europe/London (the clocks go back); "
            "add the offset, e.g. +01:00 or +00:00"
        )
    return first


def weekday(value: object) -> int:
    """A day name (``Mon`` … ``Sun``, or in full), returned as 0 = Monday … 6 = Sunday."""
    raw = _text_of(value)
    prefix = raw[:3].title()
    full = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if prefix in WEEKDAY_NAMES and raw.title() in (prefix, full[WEEKDAY_NAMES.index(prefix)]):
        return WEEKDAY_NAMES.index(prefix)
    raise ValueError(f"{raw!r} is not a day of the week (use Mon, Tue, … Sun)")


def weekdays(value: object) -> list[int]:
    """Days as ``Mon;Tue;Wed`` (or a JSON list), or ``daily``; returned sorted, 0 = Monday."""
    if isinstance(value, str) and value.strip().lower() == "daily":
        return list(range(7))
    days = separated(weekday)(value)
    if not days:
        raise Missing()
    return sorted(days)


def separated(parse: Parser[T]) -> Parser[list[T]]:
    """Items separated by ``;`` in CSV (or a JSON list), each read by ``parse``.

    Blank items are skipped and repeats dropped, keeping the first. Every bad
    item is named in the one reason given.
    """

    def parse_list(value: object) -> list[T]:
        if value is None:
            return []
        if isinstance(value, list):
            items: list[object] = value
        elif isinstance(value, str):
            items = [item.strip() for item in value.split(LIST_SEPARATOR)]
        else:
            raise ValueError(f"expected a list separated by ';', not {json_type(value)}")
        result: list[T] = []
        problems: list[str] = []
        for item in items:
            if is_blank(item):
                continue
            try:
                parsed = parse(item)
            except ValueError as error:
                problems.append(str(error))
                continue
            if parsed not in result:
                result.append(parsed)
        if problems:
            raise ValueError("; ".join(problems))
        return result

    return parse_list


def postcode(value: object) -> str:
    """A UK postcode, returned in capitals with one space: ``sw1a1aa`` → ``SW1A 1AA``."""
    raw = _text_of(value)
    match = _POSTCODE.fullmatch(" ".join(raw.upper().split()))
    if match is None:
        raise ValueError(f"{raw!r} is not a UK postcode (e.g. LS1 4AP)")
    return f"{match[1]} {match[2]}"


def nhs_number(value: object) -> str:
    """A valid NHS number (spaces and hyphens allowed), returned as ten digits."""
    return normalise_nhs_number(_text_of(value))
