"""The definitions load with every asset monthly, single-run and described by its contract."""

from __future__ import annotations

import dagster as dg
import pytest

from sales_assets import storage
from sales_assets.partitions import monthly_partitions

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


def test_a_stored_asset_without_a_contract_fails_at_definitions_load():
    @dg.asset(io_manager_key=storage.LAKE_IO_MANAGER)
    def forgotten_sales() -> None: ...

    @dg.asset(io_manager_key=storage.WAREHOUSE_IO_MANAGER)
    def forgotten_table() -> None: ...

    with pytest.raises(storage.StorageContractError) as raised:
        storage.verify_storage_contracts([forgotten_sales, forgotten_table])
    assert "'forgotten_sales'" in str(raised.value) and "LAKE_SCHEMAS" in str(raised.value)
    assert "'forgotten_table'" in str(raised.value) and "WAREHOUSE_TABLES" in str(raised.value)
    with pytest.raises(storage.StorageContractError, match="forgotten_sales"):
        storage.lake_schema(dg.AssetKey("forgotten_sales"))
