"""The Spark session shared by every asset and IO manager of a run (dagster-pyspark)."""

from __future__ import annotations

import os
from typing import Any

from dagster_pyspark import LazyPySparkResource

from sales_assets.config import Settings
from sales_assets.resources.s3 import s3a_spark_config


def spark_config(settings: Settings) -> dict[str, Any]:
    """Spark settings for the configured deployment; s3a ones only when S3 is used."""
    conf: dict[str, Any] = {
        "spark.master": settings.spark_master,
        "spark.app.name": "sales_assets",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
        # Local runs have few cores; adaptive execution coalesces the shuffle further.
        "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "16"),
        "spark.sql.parquet.compression.codec": "snappy",
        # Plans of the wide landing frames are long; without this Spark warns on every run.
        "spark.sql.debug.maxToStringFields": "200",
    }
    if settings.spark_master.startswith("local"):
        # A local driver needs no network beyond loopback.
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        conf["spark.driver.host"] = "127.0.0.1"
    if settings.uses_s3:
        conf.update(s3a_spark_config(settings.aws_endpoint_url, settings.aws_region))
    return conf


def spark_resource(settings: Settings) -> LazyPySparkResource:
    """Lazy: steps that never touch Spark (warehouse checks, reports) start no JVM."""
    return LazyPySparkResource(spark_config=spark_config(settings))
