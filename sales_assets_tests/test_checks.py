"""Asset checks: each one passes on good data and fails on the break it guards against."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from sales_assets import checks, cli
from sales_assets import warehouse_schema as ws
from sales_assets.io_managers.lake import read_months
from sales_assets.resources.lake import write_months
from sales_assets.resources.warehouse import Warehouse
from sales_assets.transforms import row_rules
from sales_assets.transforms.file_decisions import FileDecision, FileStats
from sales_assets_tests import scenario


def _lost_customer_bug(monkeypatch) -> None:
    """A bug in the landing step that loses a mandatory value of every accepted row."""
    real_accepted = row_rules.accepted_sales

    def accepted_with_lost_customer(classified):
        return real_accepted(classified).withColumn("customer_id", F.lit(None).cast("int"))

    monkeypatch.setattr("sales_assets.assets.landing.accepted_sales", accepted_with_lost_customer)


def _lake_state(deployment, spark, month: str) -> tuple:
    lake_root = Path(deployment.settings.lake_uri)
    validated = read_months(spark, f"{lake_root}/validated_sales", "validated_sales", [month])
    files = sorted(p.name for p in (lake_root / "validated_sales").iterdir())
    return sorted(validated.collect()), files


def test_failing_blocking_landing_check_publishes_nothing(embedded, spark, monkeypatch):
    """Write-audit-publish: the live month, the audit and the landing zone stay as they were."""
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    assert embedded.run("2024-02", "2024-02").success
    before = _lake_state(embedded, spark, "2024-02"), scenario.audit_table(embedded.warehouse)
    late = scenario.LANDING_FILES["2024-02"]["sales_2024_02.csv"] + b"\n"  # other bytes
    embedded.landing_zone.write_file("2024-02", "late.csv", late)
    embedded.landing_zone.write_file("2024-02", "late_notes.txt", b"not a csv")
    _lost_customer_bug(monkeypatch)

    result = embedded.run("2024-02", "2024-02", raise_on_error=False)

    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == set()  # nothing published, downstream never ran
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    failed = evaluations["mandatory_columns_not_null"]
    assert failed.passed is False and failed.partition == "2024-02"
    after = _lake_state(embedded, spark, "2024-02"), scenario.audit_table(embedded.warehouse)
    assert after == before
    still_landed = {f.name for f in embedded.landing_zone.month_files("2024-02")}
    assert {"late.csv", "late_notes.txt"} <= still_landed  # nothing quarantined either
    assert not (Path(embedded.settings.lake_uri) / "validated_sales" / "_staging").exists()


def test_mandatory_columns_check_names_the_month_and_columns(spark):
    frame = spark.createDataFrame(
        [("2024-01", 1, 2), ("2024-02", 1, None), ("2024-02", None, None)],
        "sales_month string, customer_id int, store_id int",
    )
    result = checks.mandatory_columns_result(frame, ["2024-01", "2024-02"])
    assert result.passed is False
    assert result.failing_months == ["2024-01", "2024-02"]  # product_name is missing in both
    assert result.by_month["2024-02"].metadata["null_values"].value == {
        "customer_id": 1,
        "store_id": 2,
    }
    assert result.by_month["2024-01"].metadata["null_values"].value == {}
    assert "2024-02" in result.description and "product_name" in result.description
    good = frame.filter(F.col("sales_month") == "2024-01").select("sales_month", "customer_id")
    assert checks.mandatory_columns_result(good, ["2024-01"], "x", ["customer_id"]).passed


def test_every_stage_has_a_mandatory_columns_check_run_alone_on_stored_months(
    embedded, spark, monkeypatch, capsys
):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    assert embedded.run("2024-01", "2024-03").success
    for asset in checks.MANDATORY_COLUMNS_OF:
        result = embedded.run_check(asset, checks.MANDATORY_CHECK, "2024-02")
        [evaluation] = result.get_asset_check_evaluations()
        assert evaluation.passed, asset
        assert evaluation.partition == "2024-02"
        assert evaluation.metadata["month"].value == "2024-02"
        assert result.get_asset_materialization_events() == []  # nothing re-materialized
        # Run alone without a partition: every stored month, one result each.
        evaluations = embedded.run_check(
            asset, checks.MANDATORY_CHECK
        ).get_asset_check_evaluations()
        assert all(e.passed for e in evaluations), asset
        stored = [e.partition for e in evaluations]
        assert stored == ["2024-01", "2024-02", "2024-03"], (asset, stored)
    # A stored month broken behind the pipeline's back is found by the check alone.
    mart = Path(embedded.settings.lake_uri) / "customer_data_mart"
    frame = read_months(spark, str(mart), "customer_data_mart", ["2024-02"])
    broken = frame.withColumn("total_cost", F.lit(None).cast("decimal(12,2)"))
    write_months(spark, str(mart), broken, ["2024-02"], "behind-the-back")
    result = embedded.run_check("customer_data_mart", checks.MANDATORY_CHECK, "2024-02")
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.partition == "2024-02"
    # The same checks from the command line: one line each, exit status 1 on a failure.
    monkeypatch.setenv("SALES_WAREHOUSE_URL", embedded.settings.warehouse_url)
    assert cli.main(["check", "--month", "2024-02"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(checks.MANDATORY_COLUMNS_OF)
    [failed] = [line for line in lines if "FAILED" in line]
    assert failed.startswith("customer_data_mart") and " 2024-02 " in failed
    assert cli.main(["check", "--month", "2024-03", "--asset", "customer_data_mart"]) == 0
    assert capsys.readouterr().out.count("passed") == 1


def test_conservation_check_names_the_month_that_loses_rows():
    decisions = [
        FileDecision("2024-01", "a.csv", "processed", None, "h1", 5),
        FileDecision("2024-02", "b.csv", "processed", None, "h2", 3),
    ]
    stats = {("2024-01", "a.csv"): FileStats(5, 4), ("2024-02", "b.csv"): FileStats(2, 2)}
    result = checks.conservation_result(["2024-01", "2024-02"], decisions, stats)
    assert result.passed is False
    assert result.failing_months == ["2024-02"]
    assert result.by_month["2024-02"].metadata["rows_read"] == 3
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
    assert result.passed is False and result.by_month["2024-01"].metadata["duplicate_keys"] == 1
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
