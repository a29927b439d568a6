"""Real servers for the production path: MariaDB and an S3-compatible server, started by
``scripts/services.sh up``. Missing servers fail these tests; they never skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
import sqlalchemy as sa

from sales_assets_tests.conftest import Deployment, make_deployment

pytestmark = pytest.mark.integration

START_HINT = (
    "Start the test servers with `bash scripts/services.sh up` and load their settings with "
    '`eval "$(bash scripts/services.sh env)"` (scripts/test.sh does both).'
)


def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set. {START_HINT}", pytrace=False)
    return value


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh, empty database per test, dropped afterwards."""
    base = sa.make_url(_require_env("SALES_TEST_MYSQL_URL"))
    name = f"sales_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(f"CREATE DATABASE `{name}`"))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"MariaDB is not reachable at {base.host}:{base.port}: {error.orig}. {START_HINT}",
            pytrace=False,
        )
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


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


def s3_client():
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def s3_keys(root: str, folder: str) -> list[str]:
    bucket, prefix = root.removeprefix("s3://").split("/", 1)
    full = f"{prefix}/{folder}/"
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=full)
    return sorted(item["Key"][len(full) :] for page in pages for item in page.get("Contents", []))


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
