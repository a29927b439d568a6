"""Everything this project knows about S3: URIs, Spark's s3a settings and the boto3 client.

Both ``s3://`` and ``s3a://`` name the same objects; Spark reads and writes ``s3a://``.
Credentials are never put in any setting here: boto3 and s3a read them from the
environment (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import dagster as dg
from dagster_aws.s3 import S3Resource
from pydantic import PrivateAttr

from sales_assets.errors import ConfigError
from sales_assets.resources.spark_jars import has_cloud_committer

S3_SCHEMES = ("s3", "s3a")
# Spark writes to s3a through the S3A "magic" committer: each file is uploaded to its final
# key and made visible at job commit, with no _temporary tree renamed by copy and delete
# (that rename once collided with a directory on an S3 server: ExistingObjectIsDirectory).
MAGIC_COMMITTER = {
    "spark.hadoop.fs.s3a.committer.name": "magic",
    "spark.hadoop.fs.s3a.committer.magic.enabled": "true",
    "spark.sql.sources.commitProtocolClass": (
        "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol"
    ),
    "spark.sql.parquet.output.committer.class": (
        "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter"
    ),
}


def is_s3_uri(uri: str) -> bool:
    return urlparse(uri).scheme in S3_SCHEMES


def s3a_uri(uri: str, variable: str) -> str:
    """``s3a://bucket/prefix`` for either S3 scheme, with no trailing slash."""
    parsed = urlparse(uri)
    if not parsed.netloc:
        raise ConfigError(f"{variable}={uri!r} names no bucket: use s3://bucket/prefix.")
    return f"s3a://{parsed.netloc}/{parsed.path.strip('/')}".rstrip("/")


def bucket_and_prefix(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.strip("/")


def s3a_spark_config(endpoint_url: str | None, region: str | None) -> dict[str, str]:
    """Spark settings for s3a: the endpoint, the signing region and the committer (the jars
    are ``spark_jars.jar_config``'s)."""
    conf = {
        "spark.hadoop.fs.s3a.aws.credentials.provider": (
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider,"
            "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
        ),
    }
    # Transient errors are retried with bounded backoff; a server that stays down fails the
    # step within a minute or so instead of retrying for many minutes.
    conf |= {
        "spark.hadoop.fs.s3a.retry.limit": "3",
        "spark.hadoop.fs.s3a.retry.interval": "1s",
        "spark.hadoop.fs.s3a.attempts.maximum": "3",
        "spark.hadoop.fs.s3a.connection.establish.timeout": "5s",
    }
    # Uploads: each file goes up in 32 MiB multipart blocks buffered on local disk (memory
    # stays bounded whatever the file size), at most 4 blocks in flight per stream.
    conf |= {
        "spark.hadoop.fs.s3a.fast.upload.buffer": "disk",
        "spark.hadoop.fs.s3a.multipart.size": "32M",
        "spark.hadoop.fs.s3a.fast.upload.active.blocks": "4",
    }
    if has_cloud_committer():
        conf |= MAGIC_COMMITTER
    if endpoint_url:
        # An S3-compatible server (MinIO and the like) wants path-style requests.
        conf["spark.hadoop.fs.s3a.endpoint"] = endpoint_url
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(
            not endpoint_url.startswith("http://")
        ).lower()
    # s3a ignores AWS_REGION: without an explicit region it signs for the wrong one.
    region = region or ("us-east-1" if endpoint_url else None)
    if region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = region
    return conf


class S3(dg.ConfigurableResource):
    """The S3 endpoint (dagster-aws ``S3Resource``); one boto3 client per resource."""

    endpoint_url: str | None = None
    region_name: str | None = None
    _client: Any = PrivateAttr(default=None)

    def client(self) -> Any:
        if self._client is None:
            self._client = S3Resource(
                endpoint_url=self.endpoint_url, region_name=self.region_name
            ).get_client()
        return self._client
