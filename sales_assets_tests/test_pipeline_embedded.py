"""The whole graph on the embedded default, against the hand-computed scenario."""

from __future__ import annotations

import os
from collections import Counter

from pyspark.sql import functions as F

from sales_assets.io_managers.lake import read_months
from sales_assets_tests import scenario


def _lake(deployment, spark, asset: str):
    return read_months(spark, f"{deployment.settings.lake_uri}/{asset}", asset, scenario.MONTHS)


def _check_of(evaluation) -> tuple[str, str]:
    return evaluation.asset_key.to_user_string(), evaluation.check_name


def test_full_graph_matches_hand_computed_tables(embedded, spark):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)

    result = embedded.run("2024-01", "2024-04")

    assert result.success
    assert scenario.customer_monthly_table(embedded.warehouse) == scenario.EXPECTED_CUSTOMER_MONTHLY
    assert scenario.incentive_table(embedded.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(embedded.warehouse) == scenario.EXPECTED_AUDIT

    rejected = _lake(embedded, spark, "rejected_sales")
    counts = Counter(
        {
            (r.sales_month, r.reason): r["count"]
            for r in rejected.groupBy("sales_month", "reason").count().collect()
        }
    )
    assert counts == scenario.EXPECTED_REJECTED
    lines = {}
    for r in rejected.orderBy("line_number").collect():
        lines.setdefault((r.sales_month, r.source_file), []).append(r.line_number)
    assert lines == scenario.EXPECTED_REJECTED_LINES

    # Invalid files were moved to the quarantine folder; valid ones and duplicates stay.
    quarantine = embedded.root / "landing" / "invalid" / "sales" / "2024-01"
    assert sorted(os.listdir(quarantine)) == sorted(n for (_, n) in scenario.EXPECTED_INVALID)
    assert sorted(os.listdir(embedded.root / "landing" / "sales" / "2024-01")) == [
        "header_only.csv",
        "sales_2024_01.csv",
        "sales_2024_01_copy.csv",
    ]

    validated = _lake(embedded, spark, "validated_sales")
    assert validated.count() == 4 + 5 + 3
    row = validated.filter(
        (F.col("sales_month") == "2024-01") & (F.col("line_number") == 3)
    ).first()
    assert row.additional_columns == '{"payment_mode": "card,\\nvisa"}'
    row = validated.filter(
        (F.col("sales_month") == "2024-01") & (F.col("line_number") == 4)
    ).first()
    assert (row.customer_id, row.additional_columns) == (3, '{"payment_mode": null}')

    mart_dirs = sorted(
        name
        for name in os.listdir(
            embedded.root / "lake" / "sales_team_data_mart" / "sales_month=2024-01"
        )
        if not name.startswith(".")  # Hadoop's local checksum files
    )
    assert mart_dirs == ["_written", "store_id=10", "store_id=20"]

    # One result per check and month of the range, each naming its month: none for the run.
    evaluations = result.get_asset_check_evaluations()
    checks = {_check_of(e) for e in evaluations}
    per_month = sorted(
        (e.asset_key.to_user_string(), e.check_name, e.partition) for e in evaluations
    )
    assert per_month == sorted((*check, month) for check in checks for month in scenario.MONTHS)
    assert len(checks) == 11 and all(e.passed for e in evaluations), evaluations


def test_rerun_of_a_month_leaves_tables_identical(embedded, spark):
    scenario.load_dimensions(embedded.warehouse)
    scenario.land_files(embedded.landing_zone)
    assert embedded.run("2024-01", "2024-04").success
    before = scenario.snapshot(embedded, spark)

    assert embedded.run("2024-02", "2024-02").success

    assert scenario.snapshot(embedded, spark) == before


def test_odd_file_names_are_judged_like_any_other(embedded, spark):
    """Hadoop glob characters and names Spark hides still get read, judged and audited."""
    scenario.load_dimensions(embedded.warehouse)
    row = "1,10,Rice 5kg,2024-05-02,101,10.50,1,10.50"
    files = {
        "sales [1].csv": f"{scenario.HEADER}\n{row}\n",
        "_late.csv": f"{scenario.HEADER}\n{row}\n",
        ".DS_Store": "junk",
        "*.csv": f"{scenario.HEADER}\n{row}\n{row}\n",
    }
    for name, text in files.items():
        embedded.landing_zone.write_file("2024-05", name, text.encode())

    assert embedded.run("2024-05", "2024-05").success

    audit = scenario.audit_table(embedded.warehouse)
    assert audit == {
        # "_" sorts before "s" in code-point order: the hidden-looking name is the original.
        ("2024-05", "_late.csv"): ("processed", None, 1, 1, 0),
        ("2024-05", "sales [1].csv"): ("duplicate", "_late.csv", None, None, None),
        ("2024-05", ".DS_Store"): ("invalid", "not_csv", None, None, None),
        ("2024-05", "*.csv"): ("processed", None, 2, 2, 0),
    }
    validated = read_months(
        spark, f"{embedded.settings.lake_uri}/validated_sales", "validated_sales", ["2024-05"]
    )
    assert validated.count() == 3
    assert os.listdir(embedded.root / "landing" / "invalid" / "sales" / "2024-05") == [".DS_Store"]
