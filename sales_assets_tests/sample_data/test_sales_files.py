"""Valid sales files of a month: rows that reference the dimensions, bytes from the seed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sales_assets import sample_data
from sales_assets.transforms import contract as c
from sales_assets_tests.sample_data.spec_rules import MONTH, known_keys, read_records, row_reason

BOM = b"\xef\xbb\xbf"


def test_month_csv_rows_are_valid_and_reference_dimensions(
    dims: sample_data.DimensionRows,
) -> None:
    content = sample_data.generate_month_csv(MONTH, 500, dims, seed=1)
    header, records = read_records(content)
    assert sorted(header) == sorted([*c.MANDATORY_COLUMNS, sample_data.EXTRA_COLUMN])
    assert len(records) == 500
    known = known_keys(dims)
    price_of = {r["name"]: r["current_price"] for r in dims["product"]}
    manager_store = {
        r["store_manager_name"]: r["id"] for r in dims["store"]
    }  # names are unique in this small sample
    team = {r["id"]: r for r in dims["sales_team"]}
    for fields in records:
        row = dict(zip(header, fields, strict=True))
        assert row["sales_date"].startswith(MONTH + "-")
        dt.date.fromisoformat(row["sales_date"])
        price, quantity = Decimal(row["price"]), int(row["quantity"])
        assert Decimal(row["total_cost"]) == price * quantity and quantity >= 1
        assert price == price_of[row["product_name"]]
        assert row_reason(row, MONTH, known) is None
        manager = team[team[int(row["sales_person_id"])]["manager_id"]]
        assert manager_store[f"{manager['first_name']} {manager['last_name']}"] == int(
            row["store_id"]
        )


def test_month_csv_is_reproducible_and_honours_line_ending_and_bom(
    dims: sample_data.DimensionRows,
) -> None:
    plain = sample_data.generate_month_csv(MONTH, 50, dims, seed=1)
    assert plain == sample_data.generate_month_csv(MONTH, 50, dims, seed=1)
    assert b"\r" not in plain and not plain.startswith(BOM)
    crlf = sample_data.generate_month_csv(MONTH, 50, dims, seed=1, line_ending="\r\n", bom=True)
    assert crlf.startswith(BOM)
    assert crlf[len(BOM) :].replace(b"\r\n", b"\n") == plain


def test_bad_month_is_refused(dims: sample_data.DimensionRows) -> None:
    with pytest.raises(ValueError, match="not a month"):
        sample_data.generate_month_csv("2024-13", 1, dims)
