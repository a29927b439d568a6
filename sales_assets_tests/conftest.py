"""One local Spark session for the whole test run, and an embedded deployment per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import SparkSession

from sales_assets.config import Settings
from sales_assets.definitions import build_definitions
from sales_assets.resources.landing_zone import LandingZone
from sales_assets.resources.spark import s3a_config, spark_config
from sales_assets.resources.warehouse import Warehouse


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    settings = Settings.from_env(dict(os.environ, SPARK_MASTER="local[2]"))
    builder = SparkSession.builder
    # s3a jars must be on the JVM's class path from the start: load them when a test S3
    # server is configured, so the S3 integration tests share this one session.
    s3a = s3a_config(settings) if settings.aws_endpoint_url else {}
    conf = (
        spark_config(settings)
        | s3a
        | {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "4",
            "spark.driver.memory": "2g",
        }
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    yield session
    session.stop()


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


def make_deployment(env: dict[str, str], root: Path) -> Deployment:
    settings = Settings.from_env(env)
    return Deployment(
        settings=settings,
        defs=build_definitions(settings),
        landing_zone=LandingZone.from_settings(settings),
        warehouse=Warehouse(url=settings.warehouse_url),
        root=root,
    )


@pytest.fixture
def embedded(tmp_path: Path, spark: SparkSession, monkeypatch) -> Deployment:
    monkeypatch.delenv("SALES_WAREHOUSE_URL", raising=False)
    env = {
        "SALES_LANDING_URI": str(tmp_path / "landing"),
        "SALES_LAKE_URI": str(tmp_path / "lake"),
        "SALES_WAREHOUSE_URL": f"sqlite:///{tmp_path}/warehouse.db",
        "SPARK_MASTER": "local[2]",
    }
    for key, value in env.items():
        if key != "SALES_WAREHOUSE_URL":
            monkeypatch.setenv(key, value)
    return make_deployment(env, tmp_path)
