"""The month helpers beside the monthly partitions."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sales_assets.config import ConfigError
from sales_assets.partitions import (
    first_month,
    month_bounds,
    month_ranges,
    monthly_partitions_from,
    next_month,
    parse_months,
    previous_month,
)


def test_month_bounds_know_leap_years() -> None:
    assert month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert month_bounds("1900-02") == (dt.date(1900, 2, 1), dt.date(1900, 2, 28))
    assert month_bounds("2023-12") == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-1", "24-01", " 2024-01", ""])
def test_month_bounds_refuse_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("is not a month: use YYYY-MM, e.g. 2024-01.")):
        month_bounds(text)


def test_previous_month_crosses_the_year() -> None:
    assert previous_month("2024-03") == "2024-02"
    assert previous_month("2024-01") == "2023-12"
    with pytest.raises(ValueError, match="not a month"):
        previous_month("2024-13")


def test_parse_months_reads_ranges_and_lists_in_order_without_repeats() -> None:
    assert parse_months("2024-01..2024-03") == ["2024-01", "2024-02", "2024-03"]
    assert parse_months("2023-12..2024-01,2024-05, 2024-01") == ["2023-12", "2024-01", "2024-05"]
    assert parse_months(" 2024-02 .. 2024-02 ") == ["2024-02"]
    assert parse_months("2024-01..") == ["2024-01"]  # an open end is the month itself


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2024-13",
            "'2024-13' is not a month: use YYYY-MM, a range 2024-01..2024-12 or a comma list",
        ),
        ("2024-01,,2024-02", "'' is not a month"),
        ("0000-01", "'0000-01' is not a month"),  # the form of a month, but no such date
        ("2024-03..2024-01", "range '2024-03..2024-01' ends before it starts"),
    ],
)
def test_parse_months_errors_name_the_accepted_forms(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_months(text)
    assert str(raised.value).startswith(message)


def test_month_ranges_and_next_month():
    assert next_month("2024-12") == "2025-01" and next_month("2024-01") == "2024-02"
    assert month_ranges(["2024-04", "2024-01", "2024-02", "2024-12", "2025-01"]) == [
        ("2024-01", "2024-02"),
        ("2024-04", "2024-04"),
        ("2024-12", "2025-01"),
    ]
    assert month_ranges([]) == []


def test_the_first_month_is_a_setting_checked_when_the_definitions_load() -> None:
    assert first_month({}) == "2023-01"
    assert first_month({"SALES_FIRST_MONTH": " 2024-01 "}) == "2024-01"
    keys = monthly_partitions_from("2024-01").get_partition_keys(
        current_time=dt.datetime(2024, 3, 15)
    )
    assert keys == ["2024-01", "2024-02", "2024-03"]  # the running month included
    with pytest.raises(ConfigError, match="SALES_FIRST_MONTH='2024-1' is not a month"):
        first_month({"SALES_FIRST_MONTH": "2024-1"})
