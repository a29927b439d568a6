"""Each month of a range run carries its own figures, read back from what was stored."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from sales_assets import warehouse_schema as ws
from sales_assets.io_managers.lake import read_months
from sales_assets.storage import LAKE_SCHEMAS
from sales_assets_tests import scenario

LAKE_ASSETS = tuple(LAKE_SCHEMAS)  # every lake asset of the contract


@pytest.fixture(scope="module")
def ran(tmp_path_factory, spark):
    from sales_assets_tests.support import make_deployment

    root = tmp_path_factory.mktemp("metadata")
    deployment = make_deployment(
        {
            "SALES_LANDING_URI": str(root / "landing"),
            "SALES_LAKE_URI": str(root / "lake"),
            "SALES_WAREHOUSE_URL": f"sqlite:///{root}/warehouse.db",
            "SPARK_MASTER": "local[2]",
        },
        root,
    )
    scenario.load_dimensions(deployment.warehouse)
    scenario.land_files(deployment.landing_zone)
    config = {"ops": {"sales_team_incentive": {"config": {"incentive_rate": 0.02}}}}
    result = deployment.run("2024-01", "2024-04", run_config=config)
    assert result.success
    metadata = {
        (e.asset_key.to_user_string(), e.partition): {k: v.value for k, v in e.metadata.items()}
        for e in (m.materialization for m in result.get_asset_materialization_events())
    }
    return deployment, metadata


def test_lake_row_counts_are_each_months_own(ran, spark):
    deployment, metadata = ran
    for asset in LAKE_ASSETS:
        frame = read_months(
            spark, f"{deployment.settings.lake_uri}/{asset}", asset, scenario.MONTHS
        )
        stored = Counter(r.sales_month for r in frame.select("sales_month").collect())
        for month in scenario.MONTHS:
            entries = metadata[(asset, month)]
            assert entries["dagster/row_count"] == stored[month], (asset, month)
            assert entries["dagster/uri"].endswith(f"/{asset}/sales_month={month}")
            assert entries["dagster/table_name"] == f"lake.{asset}"
    per_month = {metadata[("validated_sales", m)]["dagster/row_count"] for m in scenario.MONTHS}
    assert len(per_month) > 1  # not one run total copied onto every month


def test_rejected_rows_by_reason_per_month(ran):
    _, metadata = ran
    for month in scenario.MONTHS:
        expected = {r: n for (m, r), n in scenario.EXPECTED_REJECTED.items() if m == month}
        assert metadata[("rejected_sales", month)]["rows_by_reason"] == expected, month


def test_warehouse_months_carry_their_rows_and_business_figures(ran):
    deployment, metadata = ran
    for table in (ws.customer_monthly_sales, ws.sales_team_incentive):
        stored = deployment.warehouse.count_by_month(table, scenario.MONTHS)
        for month in scenario.MONTHS:
            entries = metadata[(table.name, month)]
            assert entries["dagster/row_count"] == stored[month], (table.name, month)
            assert entries["dagster/table_name"] == f"warehouse.{table.name}"
    expected = scenario.EXPECTED_CUSTOMER_MONTHLY
    for month in scenario.MONTHS:
        rows = [v for (_, m), v in expected.items() if m == month]
        entries = metadata[("customer_monthly_sales", month)]
        assert entries["declining_customers"] == sum(bool(r[4]) for r in rows)
        assert Decimal(str(entries["total_sales"])) == sum((r[1] for r in rows), Decimal(0))
    march = metadata[("sales_team_incentive", "2024-03")]
    assert march["incentive_rate"] == 0.02
    assert "| 10 | 101 | Sam Ortiz | 21.00 |" in march["top_performers"]


def test_audit_months_count_files_by_status(ran):
    _, metadata = ran
    for month in scenario.MONTHS:
        expected = Counter(v[0] for (m, _), v in scenario.EXPECTED_AUDIT.items() if m == month)
        entries = metadata[("sales_file_audit", month)]
        assert entries["dagster/row_count"] == sum(expected.values())
        for status in ("processed", "invalid", "duplicate"):
            assert entries[f"files_{status}"] == expected[status], (month, status)
