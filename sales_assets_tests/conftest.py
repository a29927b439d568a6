"""The shared fixtures: one local Spark session for the whole run, an embedded deployment per
test, and the production deployment on the real test servers (MariaDB and S3, started by
``scripts/services.sh up``: a missing server fails those tests, never skips them)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from pyspark.sql import SparkSession

from sales_assets.config import Settings
from sales_assets.resources.s3 import s3a_spark_config
from sales_assets.resources.spark import spark_config
from sales_assets.resources.spark_jars import jar_config
from sales_assets_tests.support import Deployment, make_deployment, s3_client


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    settings = Settings.from_env(dict(os.environ, SPARK_MASTER="local[2]"))
    builder = SparkSession.builder
    # s3a jars must be on the JVM's class path from the start: load them when a test S3
    # server is configured, so the S3 integration tests share this one session.
    s3a = (
        s3a_spark_config(settings.aws_endpoint_url, settings.aws_region) | jar_config(with_s3a=True)
        if settings.aws_endpoint_url
        else {}
    )
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


# --- the production path on real servers -----------------------------------------------
START_HINT = (
    "Start the test servers with `bash scripts/services.sh up` and load their settings with "
    '`eval "$(bash scripts/services.sh env)"` (scripts/test.sh does both).'
)


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set. {START_HINT}", pytrace=False)
    return value


@contextmanager
def mysql_database_factory() -> Iterator[Callable[[], str]]:
    """Fresh, empty databases on demand: each call gives a new one's URL. All are dropped
    afterwards."""
    base = sa.make_url(_require_env("SALES_TEST_MYSQL_URL"))
    admin = sa.create_engine(base)
    names: list[str] = []

    def create() -> str:
        name = f"sales_test_{uuid.uuid4().hex[:10]}"
        try:
            with admin.begin() as connection:
                connection.execute(sa.text(f"CREATE DATABASE `{name}`"))
        except sa.exc.OperationalError as error:
            pytest.fail(
                f"MariaDB is not reachable at {base.host}:{base.port}: {error.orig}. {START_HINT}",
                pytrace=False,
            )
        names.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        with admin.begin() as connection:
            for name in names:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def mysql_databases() -> Iterator[Callable[[], str]]:
    with mysql_database_factory() as create:
        yield create


@pytest.fixture
def mysql_url(mysql_databases: Callable[[], str]) -> str:
    """A fresh, empty database per test, dropped afterwards."""
    return mysql_databases()


@pytest.fixture
def s3_root() -> Iterator[str]:
    """A fresh prefix in the test bucket per test, emptied afterwards."""
    bucket = _require_env("SALES_TEST_S3_BUCKET")
    _require_env("AWS_ENDPOINT_URL")
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    client = s3_client()
    try:
        client.head_bucket(Bucket=bucket)
    except Exception as error:
        pytest.fail(f"S3 bucket {bucket!r} is not reachable: {error}. {START_HINT}", pytrace=False)
    yield f"s3://{bucket}/{prefix}"
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=prefix + "/"
    ):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])


@pytest.fixture
def production(mysql_url: str, s3_root: str, spark, monkeypatch, tmp_path) -> Deployment:
    """Landing and lake on S3, warehouse on MariaDB: the production configuration."""
    env = {
        "SALES_LANDING_URI": f"{s3_root}/landing",
        "SALES_LAKE_URI": f"{s3_root.replace('s3://', 's3a://')}/lake",
        "SALES_WAREHOUSE_URL": mysql_url,
        "SPARK_MASTER": "local[2]",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    env.update({k: os.environ[k] for k in ("AWS_ENDPOINT_URL", "AWS_REGION") if k in os.environ})
    return make_deployment(env, tmp_path)
