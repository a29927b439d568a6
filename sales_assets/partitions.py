"""The one monthly partitioning shared by every asset, and the month helpers: keys are
``YYYY-MM``.

The helpers live beside the partitions so that every reader of a month key (the CLI, the
sample-data generator, the assets) agrees on what a month is without importing each other.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping

import dagster as dg

from sales_assets.errors import ConfigError

MONTH_KEY_FORMAT = "%Y-%m"
FIRST_MONTH_VARIABLE = "SALES_FIRST_MONTH"
DEFAULT_FIRST_MONTH = "2023-01"

_MONTH_FORM = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def first_month(env: Mapping[str, str] | None = None) -> str:
    """The first month partition: ``SALES_FIRST_MONTH``, else 2023-01. A deployment sets it
    to its first month of data, so the UI shows only the months it can have."""
    value = (os.environ if env is None else env).get(FIRST_MONTH_VARIABLE, "").strip()
    if not value:
        return DEFAULT_FIRST_MONTH
    if not _MONTH_FORM.match(value):
        raise ConfigError(
            f"{FIRST_MONTH_VARIABLE}={value!r} is not a month: use YYYY-MM, e.g. 2024-01."
        )
    return value


def monthly_partitions_from(first: str) -> dg.MonthlyPartitionsDefinition:
    return dg.MonthlyPartitionsDefinition(
        start_date=first,
        fmt=MONTH_KEY_FORMAT,
        # Files of the running month land during the month: let it be materialized too.
        end_offset=1,
    )


# Read once, when the definitions load (the code location's environment).
monthly_partitions = monthly_partitions_from(first_month())


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``; ``ValueError`` when it is not a month."""
    if not _MONTH_FORM.match(month):
        raise ValueError(f"{month!r} is not a month: use YYYY-MM, e.g. 2024-01.")
    year, number = int(month[:4]), int(month[5:])
    return dt.date(year, number, 1), dt.date(year, number, calendar.monthrange(year, number)[1])


def previous_month(month: str) -> str:
    """The month before ``month`` (``2024-01`` -> ``2023-12``): what month M compares with."""
    return _month_key(_month_index(month) - 1)


def parse_months(text: str) -> list[str]:
    """``2024-01..2024-03`` (inclusive range) or ``2024-01,2024-05``, or both mixed; in the
    order given, repeats dropped.

    ``ValueError`` with a message fit for a command line (it names the accepted forms).
    """
    months: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        first, _, last = part.partition("..")
        start, stop = _listed_month_index(first), _listed_month_index(last or first)
        if stop < start:
            raise ValueError(f"range {part!r} ends before it starts")
        months += [_month_key(index) for index in range(start, stop + 1)]
    return list(dict.fromkeys(months))  # keep order, drop repeats


def _listed_month_index(text: str) -> int:
    """The index of one month of a month list; the error names every accepted form."""
    try:
        return _month_index(text.strip())
    except ValueError:
        raise ValueError(
            f"{text.strip()!r} is not a month: use YYYY-MM, a range 2024-01..2024-12 "
            "or a comma list"
        ) from None


def _month_index(month: str) -> int:
    """Months counted from year 0: consecutive months are consecutive numbers."""
    first, _ = month_bounds(month)
    return first.year * 12 + first.month - 1


def _month_key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def next_month(month: str) -> str:
    """The month after ``month`` (``2024-12`` -> ``2025-01``)."""
    _, last_day = month_bounds(month)
    return (last_day + dt.timedelta(days=1)).strftime(MONTH_KEY_FORMAT)


def month_ranges(months: Iterable[str]) -> list[tuple[str, str]]:
    """Consecutive months grouped: ``[01, 02, 04]`` -> ``[(01, 02), (04, 04)]``."""
    ranges: list[tuple[str, str]] = []
    for month in sorted(set(months)):
        if ranges and next_month(ranges[-1][1]) == month:
            ranges[-1] = (ranges[-1][0], month)
        else:
            ranges.append((month, month))
    return ranges


def months_between(first: str, last: str) -> list[str]:
    months = [first]
    while months[-1] != last:
        months.append(next_month(months[-1]))
    return months
