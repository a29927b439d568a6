"""The production path on real servers: S3 landing and lake (s3a), MariaDB warehouse."""

from __future__ import annotations

import json
import os
from collections import Counter

import dagster as dg
import pytest
import sqlalchemy as sa

from sales_assets import warehouse_schema as ws
from sales_assets.io_managers.lake import read_months
from sales_assets.resources.warehouse import Warehouse, WarehouseError
from sales_assets_tests import scenario
from sales_assets_tests.support import s3_client, s3_keys

pytestmark = pytest.mark.integration


# Repeated: a rename-based commit on S3 once failed one run in four (ExistingObjectIsDirectory).
@pytest.mark.parametrize("attempt", range(3))
def test_full_graph_on_s3_and_mariadb_matches_the_scenario(production, spark, attempt):
    scenario.load_dimensions(production.warehouse)
    scenario.land_files(production.landing_zone)

    result = production.run("2024-01", "2024-04")
    assert result.success
    _assert_no_secret_in(result, production)

    assert (
        scenario.customer_monthly_table(production.warehouse) == scenario.EXPECTED_CUSTOMER_MONTHLY
    )
    assert scenario.incentive_table(production.warehouse) == scenario.EXPECTED_INCENTIVE
    assert scenario.audit_table(production.warehouse) == scenario.EXPECTED_AUDIT

    landing_root = production.settings.landing_uri.replace("s3a://", "s3://")
    assert s3_keys(landing_root, "invalid/sales/2024-01") == sorted(
        name for (_, name) in scenario.EXPECTED_INVALID
    )
    assert s3_keys(landing_root, "sales/2024-01") == [
        "header_only.csv",
        "sales_2024_01.csv",
        "sales_2024_01_copy.csv",
    ]
    lake = production.settings.lake_uri
    rejected = read_months(spark, f"{lake}/rejected_sales", "rejected_sales", scenario.MONTHS)
    counts = Counter(
        {
            (r.sales_month, r.reason): r["count"]
            for r in rejected.groupBy("sales_month", "reason").count().collect()
        }
    )
    assert counts == scenario.EXPECTED_REJECTED
    lake_root = lake.replace("s3a://", "s3://")
    assert any(
        k.startswith("sales_month=2024-01/store_id=10/")
        for k in s3_keys(lake_root, "sales_team_data_mart")
    )

    # MySQL holds proper types: DECIMAL money and the SPEC primary key.
    inspector = sa.inspect(production.warehouse.engine())
    columns = {c["name"]: c["type"] for c in inspector.get_columns("customer_monthly_sales")}
    assert isinstance(columns["total_sales"], sa.Numeric) and columns["total_sales"].scale == 2
    assert inspector.get_pk_constraint("sales_team_incentive")["constrained_columns"] == [
        "store_id",
        "sales_person_id",
        "sales_month",
    ]

    # Re-running a month changes nothing.
    before = scenario.snapshot(production, spark)
    assert production.run("2024-02", "2024-02").success
    assert scenario.snapshot(production, spark) == before


def test_connection_failure_names_host_and_database_but_not_the_password(mysql_url):
    url = sa.make_url(mysql_url).set(password="Wr0ng-S3cret!")
    warehouse = Warehouse(url=url.render_as_string(hide_password=False))
    with pytest.raises(WarehouseError) as raised:
        warehouse.read_rows(ws.customer_monthly_sales)
    message = str(raised.value)
    assert url.host in message and url.database in message
    assert "Wr0ng-S3cret!" not in message and "Wr0ng-S3cret!" not in repr(raised.value.__cause__)


def _assert_no_secret_in(result, deployment) -> None:
    """Neither the warehouse password nor the S3 secret reaches the run's events."""
    secrets = [
        sa.make_url(deployment.settings.warehouse_url).password,
        os.environ["AWS_SECRET_ACCESS_KEY"],
    ]
    events = "\n".join(repr(event) for event in result.all_events)
    assert events and not [s for s in secrets if s and s in events]


def test_secrets_reach_no_log_event_metadata_run_config_or_error(production, capfd, monkeypatch):
    """Known secret values (the warehouse password, the S3 secret key) appear nowhere a
    user or a log collector could read them, on success and on failure."""
    secrets = [
        sa.make_url(production.settings.warehouse_url).password,
        os.environ["AWS_SECRET_ACCESS_KEY"],
    ]
    assert all(secrets)
    scenario.load_dimensions(production.warehouse)
    scenario.land_files(production.landing_zone)
    result = production.run("2024-01", "2024-01")
    assert result.success

    wrong = sa.make_url(production.settings.warehouse_url).set(password="Wr0ng-" + secrets[0])
    wrong_url = wrong.render_as_string(hide_password=False)
    monkeypatch.setenv("SALES_WAREHOUSE_URL", wrong_url)  # as a deployment would set it
    failing = production.with_warehouse_url(wrong_url)
    failed = failing.run("2024-02", "2024-02", raise_on_error=False)
    assert not failed.success

    seen = "\n".join(
        [
            *(repr(event) for r in (result, failed) for event in r.all_events),
            *(repr(r.dagster_run.run_config) for r in (result, failed)),
            *(e.event_specific_data.error.to_string() for e in failed.all_events if e.is_failure),
            *capfd.readouterr(),
        ]
    )
    assert "materialization" in seen.lower()  # the events were really read
    assert "Access denied" in seen  # and so was the failure's error text
    assert [s for s in [*secrets, "Wr0ng-"] if s in seen] == []


def test_lake_writes_on_s3_go_through_the_s3a_magic_committer(production, spark):
    """No _temporary tree renamed by copy and delete: the committer uploads to final keys."""
    lake = production.defs.resources["lake"]
    frame = spark.createDataFrame([(1, "2024-01")], "x int, sales_month string")
    staged = lake.stage(dg.AssetKey("probe"), frame, ["2024-01"], "run-probe")
    bucket, prefix = staged.folder.removeprefix("s3a://").split("/", 1)
    body = s3_client().get_object(Bucket=bucket, Key=f"{prefix}/_SUCCESS")["Body"].read()
    assert json.loads(body)["committer"] == "magic"
    lake.discard(staged)
