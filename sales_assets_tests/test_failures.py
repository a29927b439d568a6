"""Failures a user meets: each stops the run with a message naming what to fix, and leaves
the stored months as they were."""

from __future__ import annotations

import dagster as dg

from sales_assets import warehouse_schema as ws
from sales_assets_tests import scenario
from sales_assets_tests.support import make_deployment


def _error_text(result) -> str:
    return " ".join(
        event.event_specific_data.error.to_string()
        for event in result.all_events
        if event.is_step_failure
    )


def test_a_missing_upstream_month_fails_naming_the_asset_and_month(embedded, tmp_path):
    """A mistyped SALES_LAKE_URI once read as "no sales" and wiped the month's results."""
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    assert embedded.run("2024-02", "2024-03").success
    before = scenario.customer_monthly_table(embedded.warehouse)
    mistyped = make_deployment(
        {
            "SALES_LANDING_URI": str(tmp_path / "landing"),
            "SALES_LAKE_URI": str(tmp_path / "lake-typo"),
            "SALES_WAREHOUSE_URL": embedded.settings.warehouse_url,
        },
        tmp_path,
    )
    job = mistyped.defs.resolve_job_def("sales_pipeline").get_subset(
        asset_selection={dg.AssetKey("customer_monthly_sales"), dg.AssetKey("sales_team_incentive")}
    )
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), partition_key="2024-03", raise_on_error=False
    )

    assert not result.success
    error = _error_text(result)
    assert "customer_data_mart was never written for 2024-03" in error
    assert "materialize customer_data_mart for 2024-03 first" in error
    assert scenario.customer_monthly_table(embedded.warehouse) == before


def test_ambiguous_product_names_stop_the_run_before_anything_is_written(embedded):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    twin = {**scenario.PRODUCTS[0], "id": 999, "name": scenario.PRODUCTS[0]["name"] + " "}
    with embedded.warehouse.engine().begin() as connection:
        connection.execute(ws.product.insert(), [twin])

    result = embedded.run("2024-01", "2024-01", raise_on_error=False)

    assert not result.success
    assert "match several product rows" in _error_text(result)
    assert result.get_asset_materialization_events() == []
    assert not (embedded.root / "lake").exists()
    assert not embedded.warehouse.has_table(ws.sales_file_audit)
    assert len(embedded.landing_zone.month_files("2024-01")) == len(
        scenario.LANDING_FILES["2024-01"]
    )
