"""The Spark session shared by every asset and IO manager of a run (dagster-pyspark)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dagster_pyspark import LazyPySparkResource

from sales_assets.config import Settings

# Jars for s3a (hadoop-aws + AWS SDK bundle), fetched by scripts/fetch_jars.sh.
DEFAULT_JARS_DIR = Path(__file__).resolve().parents[2] / ".jars"


def _s3a_jars() -> list[str]:
    jars_dir = Path(os.environ.get("SALES_SPARK_JARS_DIR", DEFAULT_JARS_DIR))
    return sorted(str(p) for p in jars_dir.glob("*.jar")) if jars_dir.is_dir() else []


def spark_config(settings: Settings) -> dict[str, Any]:
    """Spark settings for the configured deployment. Credentials are never put here:
    s3a reads them from the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)."""
    conf: dict[str, Any] = {
        "spark.master": settings.spark_master,
        "spark.app.name": "sales_assets",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
        # Local runs have few cores; adaptive execution coalesces the shuffle further.
        "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "16"),
        "spark.sql.parquet.compression.codec": "snappy",
    }
    if settings.spark_master.startswith("local"):
        # A local driver needs no network beyond loopback.
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        conf["spark.driver.host"] = "127.0.0.1"
    if settings.uses_s3:
        conf.update(s3a_config(settings))
    return conf


def s3a_config(settings: Settings) -> dict[str, str]:
    conf = {
        "spark.hadoop.fs.s3a.aws.credentials.provider": (
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider,"
            "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
        ),
    }
    jars = _s3a_jars()
    if jars:
        conf["spark.jars"] = ",".join(jars)
    else:  # let Spark resolve them from Maven Central (needs network to the registry)
        conf["spark.jars.packages"] = "org.apache.hadoop:hadoop-aws:3.5.0"
    if settings.aws_endpoint_url:
        # An S3-compatible server (MinIO and the like) wants path-style requests.
        conf["spark.hadoop.fs.s3a.endpoint"] = settings.aws_endpoint_url
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(
            not settings.aws_endpoint_url.startswith("http://")
        ).lower()
    # s3a ignores AWS_REGION: without an explicit region it signs for the wrong one.
    region = settings.aws_region or ("us-east-1" if settings.aws_endpoint_url else None)
    if region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = region
    return conf


def spark_resource(settings: Settings) -> LazyPySparkResource:
    """Lazy: steps that never touch Spark (warehouse checks, reports) start no JVM."""
    return LazyPySparkResource(spark_config=spark_config(settings))
