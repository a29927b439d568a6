"""Enrichment: left joins on the four dimensions; a sale is never dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sales_assets.transforms.enrichment import enrich_sales
from sales_assets.transforms.schemas import ENRICHED_SALES_SCHEMA, VALIDATED_SALES_SCHEMA
from sales_assets_tests.spark_plans import broadcast_threshold, customer_join


def _sale(customer_id: int, product: str) -> tuple:
    day = dt.date(2024, 1, 5)
    return ("f.csv", 2, customer_id, 10, product, day, 101, Decimal("1.00"), 1, Decimal("1.00"),
            "{}", "2024-01")  # fmt: skip


def _inputs(spark):
    sales = spark.createDataFrame([_sale(1, "Rice"), _sale(2, "Tea")], VALIDATED_SALES_SCHEMA)
    customers = spark.createDataFrame(
        [(1, "Asha", "Rao", "addr", "560001", "+91 1", dt.date(2020, 1, 1))],
        "customer_id int, first_name string, last_name string, address string, pincode string, "
        "phone_number string, customer_joining_date date",
    )
    stores = spark.createDataFrame(
        [(10, "store addr", "560002", "Manager M", dt.date(2015, 1, 1))],
        "id int, address string, store_pincode string, store_manager_name string, "
        "store_opening_date date",
    )
    products = spark.createDataFrame(
        [(7, " Rice ", Decimal("1.00"), Decimal("0.90"))],
        "id int, name string, current_price decimal(10,2), old_price decimal(10,2)",
    )
    team = spark.createDataFrame(
        [(101, "Ravi", "K", 100, "N", "team addr", "560003", dt.date(2019, 1, 1))],
        "id int, first_name string, last_name string, manager_id int, is_manager string, "
        "address string, pincode string, joining_date date",
    )

    return sales, customers, stores, team, products


def test_sales_keep_their_rows_and_gain_dimension_columns(spark):
    enriched = enrich_sales(*_inputs(spark))

    assert enriched.schema == ENRICHED_SALES_SCHEMA
    rows = {r.customer_id: r for r in enriched.collect()}
    assert set(rows) == {1, 2}  # customer 2 has no dimension row: kept, with NULLs
    assert rows[1].customer_first_name == "Asha" and rows[2].customer_first_name is None
    assert rows[1].product_id == 7  # product names match after trimming
    assert rows[2].product_id is None
    assert rows[1].store_manager_name == "Manager M" and rows[1].sales_person_first_name == "Ravi"


def test_a_big_customer_table_is_joined_by_a_shuffle_never_a_forced_broadcast(spark):
    # "Big" is cheap here: a threshold of 1 byte makes the one-row customer table big.
    with broadcast_threshold(spark, "1b"):
        assert customer_join(enrich_sales(*_inputs(spark))) == "SortMergeJoin"
    # The same table measured small is Spark's to broadcast: the planner decides.
    with broadcast_threshold(spark, "10MB"):
        assert customer_join(enrich_sales(*_inputs(spark))) == "BroadcastHashJoin"
