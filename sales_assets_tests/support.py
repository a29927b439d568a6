"""Test support shared by the fixtures and tests: deployments under a temporary folder and
look-ups on the test S3 server."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import dagster as dg

from sales_assets.config import Settings
from sales_assets.definitions import build_definitions
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.warehouse import Warehouse


@dataclass
class Deployment:
    """An embedded deployment under a temporary folder: landing, lake and SQLite warehouse."""

    settings: Settings
    defs: dg.Definitions
    landing_zone: LandingZone
    warehouse: Warehouse
    root: Path

    def run(self, first_month: str, last_month: str, **kwargs) -> dg.ExecuteInProcessResult:
        """One run over a month range, as a single-run backfill would launch it."""
        job = self.defs.resolve_job_def("sales_pipeline")
        return job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            tags={
                "dagster/asset_partition_range_start": first_month,
                "dagster/asset_partition_range_end": last_month,
            },
            raise_on_error=kwargs.pop("raise_on_error", True),
            **kwargs,
        )

    def with_warehouse_url(self, url: str) -> Deployment:
        """The same deployment with another warehouse URL (e.g. a wrong password)."""
        env = {
            "SALES_LANDING_URI": self.settings.landing_uri,
            "SALES_LAKE_URI": self.settings.lake_uri,
            "SALES_WAREHOUSE_URL": url,
            "SPARK_MASTER": self.settings.spark_master,
        }
        env |= {k: v for k, v in os.environ.items() if k in ("AWS_ENDPOINT_URL", "AWS_REGION")}
        return make_deployment(env, self.root)

    def run_check(
        self, asset: str, check_name: str, month: str | None = None
    ) -> dg.ExecuteInProcessResult:
        """One check alone on what is stored, as the UI's "Execute" on a check launches it."""
        job = self.defs.resolve_job_def("sales_pipeline").get_subset(
            asset_selection=set(),
            asset_check_selection={dg.AssetCheckKey(dg.AssetKey(asset), check_name)},
        )
        return job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), partition_key=month, raise_on_error=False
        )


def make_deployment(env: dict[str, str], root: Path) -> Deployment:
    settings = Settings.from_env(env)
    return Deployment(
        settings=settings,
        defs=build_definitions(settings),
        landing_zone=LandingZone.from_settings(settings),
        warehouse=Warehouse(url=settings.warehouse_url),
        root=root,
    )


def s3_client():
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def s3_keys(root: str, folder: str) -> list[str]:
    bucket, prefix = root.removeprefix("s3://").split("/", 1)
    full = f"{prefix}/{folder}/"
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=full)
    return sorted(item["Key"][len(full) :] for page in pages for item in page.get("Contents", []))


def free_port() -> int:
    """A TCP port of the loopback that is free now, for a private server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def validated_totals(spark: Any, lake_uri: str, months: list[str]) -> dict[str, tuple[int, Any]]:
    """Accepted rows and their total cost per month, as stored in ``validated_sales``."""
    from pyspark.sql import functions as F

    from sales_assets.io_managers.lake import read_months

    validated = read_months(spark, f"{lake_uri}/validated_sales", "validated_sales", months)
    return {
        r.sales_month: (r["count"], r["total"])
        for r in validated.groupBy("sales_month")
        .agg(F.count(F.lit(1)).alias("count"), F.sum("total_cost").alias("total"))
        .collect()
    }
