"""Definitions load; a failing blocking check stops everything downstream."""

from __future__ import annotations

import dagster as dg
from pyspark.sql import functions as F

from sales_assets.partitions import monthly_partitions
from sales_assets.transforms import landing as landing_transforms
from sales_assets_tests import scenario

ALL_ASSETS = {
    "validated_sales",
    "rejected_sales",
    "sales_file_audit",
    "enriched_sales",
    "customer_data_mart",
    "sales_team_data_mart",
    "customer_monthly_sales",
    "sales_team_incentive",
}


def test_definitions_load_with_every_asset_monthly_and_single_run_backfill():
    from sales_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == ALL_ASSETS
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def == monthly_partitions
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
    assert monthly_partitions.get_partition_keys()[0] == "2023-01"
    # The UI shows each asset's columns, taken from the stored contract.
    customer = graph.get(dg.AssetKey("customer_monthly_sales")).metadata["dagster/column_schema"]
    assert [c.name for c in customer.columns][:2] == ["customer_id", "full_name"]
    mart = graph.get(dg.AssetKey("customer_data_mart")).metadata["dagster/column_schema"]
    assert [c.name for c in mart.columns] == [
        "customer_id",
        "first_name",
        "last_name",
        "address",
        "pincode",
        "phone_number",
        "sales_date",
        "total_cost",
        "sales_month",
    ]
    assert defs.resolve_job_def("sales_pipeline") is not None


def test_failing_blocking_check_stops_downstream(embedded, monkeypatch):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    real_accepted = landing_transforms.accepted_sales

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


def test_a_password_with_a_raw_at_sign_never_reaches_the_message():
    import pytest

    from sales_assets.resources.warehouse import Warehouse, WarehouseError

    warehouse = Warehouse(url="mysql+pymysql://app:Tr0ub@dor@db.internal:3306/sales")
    with pytest.raises(WarehouseError) as raised:
        warehouse.engine()
    assert "Tr0ub" not in str(raised.value) and "dor" not in str(raised.value)
    assert "%40" in str(raised.value)
