"""Asset checks: each one passes on good data and fails on the break it guards against."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from pyspark.sql import functions as F

from sales_assets import checks
from sales_assets import warehouse_schema as ws
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms import row_rules
from sales_assets.transforms.file_decisions import FileDecision, FileStats
from sales_assets_tests import scenario


def test_failing_blocking_check_stops_downstream(embedded, monkeypatch):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    real_accepted = row_rules.accepted_sales

    def accepted_with_lost_customer(classified):  # a bug that loses a mandatory value
        return real_accepted(classified).withColumn("customer_id", F.lit(None).cast("int"))

    monkeypatch.setattr("sales_assets.assets.landing.accepted_sales", accepted_with_lost_customer)
    result = embedded.run("2024-02", "2024-02", raise_on_error=False)

    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "enriched_sales" not in materialized
    assert "customer_monthly_sales" not in materialized
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations["mandatory_columns_not_null"] is False


def test_mandatory_columns_check_names_the_null_and_missing_columns(spark):
    frame = spark.createDataFrame([(1, None)], "customer_id int, store_id int")
    result = checks.mandatory_columns_result(frame)
    assert result.passed is False
    assert "store_id" in result.description and "product_name" in result.description


def test_conservation_check_names_the_month_that_loses_rows():
    decisions = [
        FileDecision("2024-01", "a.csv", "processed", None, "h1", 5),
        FileDecision("2024-02", "b.csv", "processed", None, "h2", 3),
    ]
    stats = {("2024-01", "a.csv"): FileStats(5, 4), ("2024-02", "b.csv"): FileStats(2, 2)}
    result = checks.conservation_result(["2024-01", "2024-02"], decisions, stats)
    assert result.passed is False
    assert "2024-02" in result.metadata["mismatches"].value
    assert "2024-01" not in result.metadata["mismatches"].value
    stats[("2024-02", "b.csv")] = FileStats(3, 1)
    assert checks.conservation_result(["2024-01", "2024-02"], decisions, stats).passed


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    return Warehouse(url=f"sqlite:///{tmp_path}/warehouse.db")


def _incentive_row(person: int, total: str, rank: int, incentive: str) -> dict:
    return dict(
        store_id=1,
        sales_person_id=person,
        full_name=None,
        sales_month="2024-01",
        total_sales=D(total),
        sales_rank=rank,
        incentive=D(incentive),
    )


def test_key_unique_check_counts_duplicate_keys_in_the_run_months(warehouse):
    table = ws.sales_team_incentive
    warehouse.replace_months(table, ["2024-01"], [_incentive_row(10, "20.00", 1, "0.20")])
    assert checks.key_unique_result(warehouse, table.name, ["2024-01"]).passed
    # A table without the primary key (as a hand-made copy might be) lets a duplicate in.
    with warehouse.engine().begin() as connection:
        connection.exec_driver_sql("DROP TABLE sales_team_incentive")
        connection.exec_driver_sql(
            "CREATE TABLE sales_team_incentive AS SELECT * FROM (SELECT 1 AS store_id, "
            "10 AS sales_person_id, NULL AS full_name, '2024-01' AS sales_month, 20 AS "
            "total_sales, 1 AS sales_rank, 0.2 AS incentive UNION ALL SELECT 1, 10, NULL, "
            "'2024-01', 20, 1, 0.2)"
        )
    result = checks.key_unique_result(warehouse, table.name, ["2024-01"])
    assert result.passed is False and result.metadata["duplicate_keys"].value == 1
    assert checks.key_unique_result(warehouse, table.name, ["2024-02"]).passed


def test_incentive_rule_check_reads_the_stored_rows(warehouse):
    rows = [_incentive_row(10, "20.00", 1, "0.20"), _incentive_row(11, "10.00", 2, "0.00")]
    warehouse.replace_months(ws.sales_team_incentive, ["2024-01"], rows)
    assert checks.incentive_rule_result(warehouse, ["2024-01"], D("0.01")).passed
    result = checks.incentive_rule_result(warehouse, ["2024-01"], D("0.02"))
    assert result.passed is False and "expected 0.40" in result.description


def test_incentive_rule_check_spots_a_wrong_row():
    rows = [
        dict(
            store_id=1,
            sales_person_id=10,
            sales_month="2024-01",
            total_sales=D("20.00"),
            sales_rank=1,
            incentive=D("0.20"),
        ),
        dict(
            store_id=1,
            sales_person_id=11,
            sales_month="2024-01",
            total_sales=D("10.00"),
            sales_rank=2,
            incentive=D("0.00"),
        ),
    ]
    assert checks.incentive_violations(rows, D("0.01")) == []
    rows[1]["incentive"] = D("0.10")
    rows[0]["sales_rank"] = 2
    assert len(checks.incentive_violations(rows, D("0.01"))) == 2
