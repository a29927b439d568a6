"""Declining customers and incentives (SPEC section 5) on small frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from pyspark.sql import functions as F

from sales_assets.transforms import results
from sales_assets.transforms.schemas import CUSTOMER_DATA_MART_SCHEMA, SALES_TEAM_DATA_MART_SCHEMA


def _customer_mart(spark, rows):
    return spark.createDataFrame(
        [
            (cid, "F", f"L{cid}", "addr", "pin", "phone", dt.date.fromisoformat(f"{m}-01"), D(t), m)
            for cid, m, t in rows
        ],
        CUSTOMER_DATA_MART_SCHEMA,
    )


def test_customer_who_stopped_buying_is_declining_with_zero_sales(spark):
    mart = _customer_mart(
        spark, [(1, "2024-01", "10.00"), (2, "2024-01", "5.00"), (2, "2024-02", "6.00")]
    )
    rows = {r.customer_id: r for r in results.customer_monthly_sales(mart, ["2024-02"]).collect()}
    assert (
        rows[1].total_sales,
        rows[1].previous_month_sales,
        rows[1].sales_change,
        rows[1].is_declining,
    ) == (D("0.00"), D("10.00"), D("-10.00"), True)
    assert (rows[2].sales_change, rows[2].is_declining) == (D("1.00"), False)
    assert rows[1].full_name == "F L1"


def test_no_previous_month_gives_nulls_and_empty_month_gives_no_rows(spark):
    mart = _customer_mart(spark, [(1, "2024-03", "10.00")])
    got = results.customer_monthly_sales(mart, ["2024-03", "2024-04"]).collect()
    assert [
        (r.customer_id, r.sales_month, r.previous_month_sales, r.is_declining) for r in got
    ] == [(1, "2024-03", None, None)]


def test_equal_sales_is_not_declining(spark):
    mart = _customer_mart(spark, [(1, "2024-01", "10.00"), (1, "2024-02", "10.00")])
    [row] = results.customer_monthly_sales(mart, ["2024-02"]).collect()
    assert (row.sales_change, row.is_declining) == (D("0.00"), False)


def _team_mart(spark, rows):
    return spark.createDataFrame(
        [
            (
                sp,
                "A",
                f"P{sp}",
                "Mgr",
                None,
                "N",
                "a",
                "p",
                dt.date(2024, 1, 2),
                D(t),
                "2024-01",
                store,
            )
            for store, sp, t in rows
        ],
        SALES_TEAM_DATA_MART_SCHEMA,
    )


def test_rank_ties_share_the_incentive_and_rounding_is_half_up(spark):
    mart = _team_mart(spark, [(1, 10, "14.50"), (1, 11, "14.50"), (1, 12, "3.00"), (2, 20, "0.50")])
    got = {
        (r.store_id, r.sales_person_id): (r.sales_rank, r.incentive)
        for r in results.sales_team_incentive(mart, D("0.01")).collect()
    }
    assert got == {
        (1, 10): (1, D("0.15")),  # 0.145 -> 0.15
        (1, 11): (1, D("0.15")),
        (1, 12): (3, D("0.00")),
        (2, 20): (1, D("0.01")),  # 0.005 -> 0.01
    }


def test_contact_details_do_not_depend_on_the_months_in_the_run(spark):
    rows = [
        (2, "Bold", "L", "a", "p", "t", dt.date(2024, 1, 5), D("5.00"), "2024-01"),
        (2, "Bnew", "L", "a", "p", "t", dt.date(2024, 2, 5), D("5.00"), "2024-02"),
        (3, None, None, "a", "p", "t", dt.date(2024, 1, 6), D("5.00"), "2024-01"),
    ]
    mart = spark.createDataFrame(rows, CUSTOMER_DATA_MART_SCHEMA)
    wide = {
        (r.customer_id, r.sales_month): r.full_name
        for r in results.customer_monthly_sales(mart, ["2024-01", "2024-02"]).collect()
    }
    january_only = spark.createDataFrame(rows[::2], CUSTOMER_DATA_MART_SCHEMA)
    narrow = {
        (r.customer_id, r.sales_month): r.full_name
        for r in results.customer_monthly_sales(january_only, ["2024-01"]).collect()
    }
    assert wide[(2, "2024-01")] == narrow[(2, "2024-01")] == "Bold L"
    assert wide[(2, "2024-02")] == "Bnew L"
    assert wide[(3, "2024-02")] is None  # no name known: NULL, not an empty string


def test_totals_are_exact_to_the_cent_and_negative_amounts_count(spark):
    amounts = ["0.01"] * 7 + ["9999999999.99", "-0.10", "123.45"]
    mart = _customer_mart(spark, [(1, "2024-05", a) for a in amounts])
    (row,) = results.customer_month_totals(mart).collect()
    assert row.total == sum((D(a) for a in amounts), D("0")) == D("10000000123.41")


def test_two_sets_of_details_for_a_customer_in_a_month_fail_with_a_message(spark):
    mart = _customer_mart(spark, [(1, "2024-02", "10.00")]).unionByName(
        _customer_mart(spark, [(1, "2024-02", "5.00")]).withColumn("address", F.lit("moved"))
    )
    with pytest.raises(Exception, match="two sets of details for customer 1 in 2024-02"):
        results.customer_monthly_sales(mart, ["2024-02"]).collect()
