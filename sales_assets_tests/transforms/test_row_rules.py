"""Row typing and the one-reason-per-row rules (SPEC section 2), on a local Spark session."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from sales_assets.transforms import row_rules
from sales_assets.transforms.contract import MANDATORY_COLUMNS
from sales_assets.transforms.value_forms import FORM_COLUMNS, in_form
from sales_assets_tests.spark_plans import broadcast_threshold, customer_join

GOOD = dict(
    customer_id="1",
    store_id="10",
    product_name="Rice",
    sales_date="2024-01-05",
    sales_person_id="101",
    price="10.50",
    quantity="2",
    total_cost="21.00",
)


@pytest.fixture(scope="module")
def dimensions(spark):
    customers = spark.createDataFrame([(1,)], "customer_id int")
    stores = spark.createDataFrame([(10,)], "id int")
    team = spark.createDataFrame([(101,)], "id int")
    products = spark.createDataFrame([("Rice",)], "name string")
    return customers, stores, team, products


def _classify(spark, dimensions, rows: list[dict], malformed: bool = False):
    # The parser's form flags, as it computes them.
    columns = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in MANDATORY_COLUMNS}
    flags = [flag.to_pylist() for flag in in_form(columns).values()]
    records = [
        (
            "2024-01",
            "f.csv",
            i + 2,
            malformed,
            "{}",
            None,
            *[r.get(c) for c in MANDATORY_COLUMNS],
            *[flag[i] for flag in flags],
        )
        for i, r in enumerate(rows)
    ]
    schema = ", ".join(
        [
            "sales_month string",
            "source_file string",
            "line_number long",
            "malformed boolean",
            "additional_columns string",
            "raw_record string",
        ]
        + [f"{c} string" for c in MANDATORY_COLUMNS]
        + [f"{name} boolean" for name in FORM_COLUMNS]
    )
    frame = spark.createDataFrame(records, schema)
    return row_rules.classify_sales(frame, *dimensions).orderBy("line_number")


CASES = [
    ({}, None),
    ({"total_cost": "21.01"}, None),  # within 0.01: accepted with the file's own total
    ({"customer_id": "+1"}, None),
    ({"customer_id": None}, "null_customer_id"),
    ({"customer_id": None, "store_id": None}, "null_customer_id"),
    ({"quantity": None, "store_id": "x"}, "null_quantity"),  # null before invalid
    ({"customer_id": "1.0"}, "invalid_customer_id"),
    ({"customer_id": "1\n"}, None),  # a line end closing a quoted value is in form
    ({"customer_id": "1\n\n"}, "invalid_customer_id"),
    ({"sales_date": "2024-01-05\r\n"}, None),
    ({"store_id": "2147483648"}, "invalid_store_id"),  # overflows 32-bit
    ({"sales_date": "2024-1-05"}, "invalid_sales_date"),
    ({"sales_date": "2023-02-29"}, "invalid_sales_date"),
    ({"sales_person_id": "abc"}, "invalid_sales_person_id"),
    ({"price": "+1.00"}, "invalid_price"),
    ({"price": "1.234"}, "invalid_price"),
    ({"price": "123456789.00", "total_cost": "123456789.00"}, "invalid_price"),  # DECIMAL(10,2)
    ({"quantity": "1e3"}, "invalid_quantity"),
    ({"total_cost": "21."}, "invalid_total_cost"),
    ({"sales_date": "2024-02-01"}, "date_outside_month"),
    ({"sales_date": "2024-02-01", "price": "-1.00"}, "date_outside_month"),
    ({"price": "-10.50", "total_cost": "-21.00"}, "negative_price"),
    ({"quantity": "0", "total_cost": "0.00"}, "non_positive_quantity"),
    ({"quantity": "-2", "total_cost": "-21.00"}, "non_positive_quantity"),
    ({"total_cost": "21.02"}, "total_cost_mismatch"),
    ({"customer_id": "7"}, "unknown_customer"),
    ({"customer_id": "7", "store_id": "7"}, "unknown_customer"),
    ({"store_id": "7"}, "unknown_store"),
    ({"sales_person_id": "7"}, "unknown_sales_person"),
    ({"product_name": "rice"}, "unknown_product"),  # join is case-sensitive
]


def test_each_row_gets_the_first_reason_that_applies(spark, dimensions):
    rows = [GOOD | change for change, _ in CASES]
    got = [r.reason for r in _classify(spark, dimensions, rows).collect()]
    assert got == [reason for _, reason in CASES]


def test_malformed_row_comes_first(spark, dimensions):
    [row] = _classify(spark, dimensions, [{}], malformed=True).collect()
    assert row.reason == "malformed_row"


def test_accepted_rows_are_typed_exactly(spark, dimensions):
    [row] = row_rules.accepted_sales(_classify(spark, dimensions, [GOOD])).collect()
    assert (row.customer_id, row.sales_date, row.price, row.quantity, row.total_cost) == (
        1,
        dt.date(2024, 1, 5),
        Decimal("10.50"),
        2,
        Decimal("21.00"),
    )


def test_the_known_customer_flag_is_a_shuffle_join_when_customers_are_big(spark, dimensions):
    rows = [dict(GOOD)]
    with broadcast_threshold(spark, "1b"):
        assert customer_join(_classify(spark, dimensions, rows)) == "SortMergeJoin"
