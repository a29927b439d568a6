"""Failures a user meets: each stops the run with a message naming what to fix, and leaves
the stored months as they were."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

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
    retried = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried == []  # a permanent error fails at once, whatever the retry policy
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


def test_a_rerun_after_kill_9_mid_run_gives_the_clean_tables(embedded):
    """The run's process is killed right after the landing step published its first month;
    the re-run takes over the dead run's month locks and converges to the clean tables."""
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    script = textwrap.dedent(
        """
        import dagster as dg
        from sales_assets.definitions import defs
        defs.resolve_job_def("sales_pipeline").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            tags={"dagster/asset_partition_range_start": "2024-01",
                  "dagster/asset_partition_range_end": "2024-04"},
        )
        """
    )
    env = dict(os.environ, SPARK_MASTER="local[1]")
    env |= {"SALES_LANDING_URI": embedded.settings.landing_uri}
    env |= {"SALES_LAKE_URI": embedded.settings.lake_uri}
    env |= {"SALES_WAREHOUSE_URL": embedded.settings.warehouse_url}
    marker = (
        Path(embedded.settings.lake_uri) / "validated_sales" / "sales_month=2024-01" / "_written"
    )
    process = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the landing step never published"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the driver, its JVM and Python workers
        process.wait()
    assert not embedded.warehouse.has_table(ws.customer_monthly_sales)  # killed mid-run

    assert embedded.run("2024-01", "2024-04").success

    assert scenario.customer_monthly_table(embedded.warehouse) == scenario.EXPECTED_CUSTOMER_MONTHLY
    assert scenario.incentive_table(embedded.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(embedded.warehouse) == scenario.EXPECTED_AUDIT


def test_an_incentive_rate_out_of_range_is_refused_before_anything_is_written(embedded):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    config = {"ops": {"sales_team_incentive": {"config": {"incentive_rate": -0.5}}}}

    result = embedded.run("2024-01", "2024-01", run_config=config, raise_on_error=False)

    assert not result.success
    error = _error_text(result) + _run_failure_text(result)
    assert "ops.sales_team_incentive.config.incentive_rate=-0.5" in error
    assert "greater than or equal to 0" in error
    assert result.get_asset_materialization_events() == []
    assert not (embedded.root / "lake").exists()


def _run_failure_text(result) -> str:
    return " ".join(
        error.to_string()
        for event in result.all_events
        if (error := getattr(event.event_specific_data, "error", None)) is not None
    )


def test_a_transient_warehouse_error_is_retried_and_the_run_succeeds(embedded, monkeypatch):
    from sales_assets.resources import warehouse_jdbc
    from sales_assets.resources.warehouse import WarehouseError

    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    real_replace = warehouse_jdbc.replace_months_from_frame
    failures = []

    def flaky_replace(warehouse, table, months, frame):
        if table.name == "sales_team_incentive" and not failures:
            failures.append(table.name)  # the server dropped the connection once
            raise WarehouseError("Warehouse write failed: Lost connection to server")
        return real_replace(warehouse, table, months, frame)

    monkeypatch.setattr(warehouse_jdbc, "replace_months_from_frame", flaky_replace)

    result = embedded.run("2024-02", "2024-02")

    assert result.success and failures == ["sales_team_incentive"]
    retried = [e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried == ["sales_team_incentive"]
    assert scenario.incentive_table(embedded.warehouse) == {
        key: value for key, value in scenario.EXPECTED_INCENTIVE.items() if key[2] == "2024-02"
    }


@pytest.mark.parametrize("failing_side_effect", ["validated_sales", "audit", "quarantine"])
def test_a_retried_landing_step_leaves_the_audit_lake_and_quarantine_of_one_clean_run(
    embedded, spark, monkeypatch, failing_side_effect
):
    """A transient failure right after a side effect of the landing step (the lake published,
    the audit written, some invalid files quarantined): the retry gives one audit row per
    file of the run, the clean lake and every invalid file quarantined once."""
    import sqlalchemy as sa

    from sales_assets.io_managers.lake import LakeIOManager
    from sales_assets.io_managers.warehouse import WarehouseIOManager
    from sales_assets.resources.landing_zone import LandingZone

    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    failed: list[str] = []

    def once(real, name):
        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            if name == failing_side_effect and not failed:
                failed.append(name)  # the side effect happened, then the connection dropped
                raise ConnectionError(f"transient failure after {name}")
            return result

        return wrapper

    real_lake, real_warehouse = LakeIOManager.handle_output, WarehouseIOManager.handle_output
    monkeypatch.setattr(
        LakeIOManager,
        "handle_output",
        lambda self, context, obj: once(real_lake, context.asset_key.path[-1])(self, context, obj),
    )
    monkeypatch.setattr(
        WarehouseIOManager,
        "handle_output",
        lambda self, context, obj: once(
            real_warehouse, "audit" if context.asset_key.path[-1] == "sales_file_audit" else ""
        )(self, context, obj),
    )
    quarantined: list[str] = []
    real_quarantine = LandingZone.quarantine

    def quarantine(self, landed, sha):
        where = real_quarantine(self, landed, sha)
        quarantined.append(where)
        if len(quarantined) == 2 and failing_side_effect == "quarantine" and not failed:
            failed.append("quarantine")
            raise ConnectionError("transient failure after the second quarantine")
        return where

    monkeypatch.setattr(LandingZone, "quarantine", quarantine)

    result = embedded.run("2024-01", "2024-03")

    assert result.success and failed == [failing_side_effect]
    retried = [e.step_key for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried == ["landed_sales"]
    with embedded.warehouse.engine().connect() as connection:
        rows = connection.execute(sa.select(ws.sales_file_audit)).mappings().all()
    assert len(rows) == len(scenario.EXPECTED_AUDIT)  # one row per file, none twice
    assert {r["run_id"] for r in rows} == {result.run_id}
    assert scenario.audit_table(embedded.warehouse) == scenario.EXPECTED_AUDIT
    invalid = Path(embedded.settings.landing_uri) / "invalid" / "sales" / "2024-01"
    assert sorted(p.name for p in invalid.iterdir()) == sorted(
        name for _, name in scenario.EXPECTED_INVALID
    )
    assert scenario.customer_monthly_table(embedded.warehouse) == scenario.EXPECTED_CUSTOMER_MONTHLY
