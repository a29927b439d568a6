"""The definitions load with every asset monthly, single-run and described by its contract."""

from __future__ import annotations

import dagster as dg
import pytest

from sales_assets import storage
from sales_assets.partitions import monthly_partitions

SOURCES = {"landing_zone", "customer", "store", "product", "sales_team"}
PIPELINE_ASSETS = {
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
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == PIPELINE_ASSETS | SOURCES
    for key in map(dg.AssetKey, PIPELINE_ASSETS):
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


def test_every_asset_shows_kinds_owners_code_version_and_described_columns():
    from sales_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    for name in PIPELINE_ASSETS:
        node = graph.get(dg.AssetKey(name))
        assert node.kinds >= {"spark"} and node.kinds & {"parquet", "sqlite"}, name
        assert node.owners == ["team:data-engineering"] and node.code_version, name
        columns = node.metadata["dagster/column_schema"].columns
        undescribed = [c.name for c in columns if not c.description]
        assert undescribed == [], f"{name}: columns without a description: {undescribed}"
    assert graph.get(dg.AssetKey("landing_zone")).kinds == {"csv", "file"}
    landed = graph.get(dg.AssetKey("validated_sales"))
    assert {k.to_user_string() for k in landed.parent_keys} == SOURCES


def test_kinds_follow_the_deployment():
    from sales_assets.config import Settings
    from sales_assets.definitions import build_definitions

    settings = Settings.from_env(
        {
            "SALES_LANDING_URI": "s3://bucket/landing",
            "SALES_LAKE_URI": "s3://bucket/lake",
            "SALES_WAREHOUSE_URL": "mysql+pymysql://u:p@db:3306/sales",
        }
    )
    graph = build_definitions(settings).resolve_asset_graph()
    assert graph.get(dg.AssetKey("enriched_sales")).kinds == {"spark", "parquet", "s3"}
    assert graph.get(dg.AssetKey("customer_monthly_sales")).kinds == {"spark", "mysql"}
    assert "mysql" in graph.get(dg.AssetKey("customer")).kinds


def test_every_stage_has_a_mandatory_columns_check():
    from sales_assets.checks import MANDATORY_CHECK
    from sales_assets.definitions import defs

    checked = {
        key.asset_key.to_user_string()
        for key in defs.resolve_asset_graph().asset_check_keys
        if key.name == MANDATORY_CHECK
    }
    stages = PIPELINE_ASSETS - {"rejected_sales", "sales_file_audit"}
    assert checked == stages


def test_every_dependency_maps_a_month_to_itself_so_a_range_launch_is_one_run():
    """A non-identity mapping (the old M-1 time window) made the UI's asset-graph launch
    plan a second run, for the month after the range too."""
    from sales_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    for name in PIPELINE_ASSETS:
        key = dg.AssetKey(name)
        for parent in graph.get(key).parent_keys:
            if graph.get(parent).partitions_def is None:
                continue  # the dimension tables: not partitioned
            mapping = graph.get_partition_mapping(key, parent)
            same_month = isinstance(mapping, dg.IdentityPartitionMapping) or (
                isinstance(mapping, dg.TimeWindowPartitionMapping)
                and (mapping.start_offset, mapping.end_offset) == (0, 0)
            )
            assert same_month, (name, parent, mapping)


def test_plain_encoded_columns_are_columns_of_their_lake_asset():
    for name, columns in storage.PLAIN_ENCODED_COLUMNS.items():
        schema = storage.LAKE_SCHEMAS[name]
        assert set(columns) <= set(schema.fieldNames()), name
