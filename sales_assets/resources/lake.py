"""The Parquet lake: ``{root}/<asset>/sales_month=YYYY-MM/`` (Hive-style), local or s3a.

All file operations go through Hadoop's FileSystem API of the run's Spark session, so the
same code serves a local folder and ``s3a://``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

MONTH_COLUMN = "sales_month"
STAGING_FOLDER = "_staging"  # a "_" name: readers of the lake ignore it


class HadoopFiles:
    """Thin access to the Hadoop FileSystem of a path (local or s3a)."""

    def __init__(self, spark: SparkSession) -> None:
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str) -> tuple[Any, Any]:
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        return path, path.getFileSystem(self._conf)

    def exists(self, uri: str) -> bool:
        path, fs = self._path(uri)
        return bool(fs.exists(path))

    def delete(self, uri: str) -> None:
        path, fs = self._path(uri)
        if fs.exists(path):
            fs.delete(path, True)

    def delete_if_empty(self, uri: str) -> None:
        """Non-recursive: a folder another run is still using stays."""
        path, fs = self._path(uri)
        if fs.exists(path) and len(fs.listStatus(path)) == 0:
            fs.delete(path, False)

    def move(self, source: str, target: str) -> None:
        """Rename a folder: atomic on a local or HDFS file system, copy + delete on s3a."""
        source_path, fs = self._path(source)
        target_path, _ = self._path(target)
        fs.mkdirs(target_path.getParent())
        if not fs.rename(source_path, target_path):
            raise OSError(f"Could not move {source} to {target}.")


def month_path(asset_root: str, sales_month: str) -> str:
    return f"{asset_root}/{MONTH_COLUMN}={sales_month}"


def write_months(
    spark: SparkSession,
    asset_root: str,
    frame: DataFrame,
    months: Sequence[str],
    run_id: str,
    partition_by: Sequence[str] = (),
) -> None:
    """Replace exactly ``months`` of one asset with ``frame``.

    The whole run is written into its own staging folder first, then each month is swapped
    into place: a failed write leaves the old months intact, and concurrent runs never share
    Spark's temporary folder.
    """
    files = HadoopFiles(spark)
    staging = f"{asset_root}/{STAGING_FOLDER}/{run_id}"
    frame.write.mode("overwrite").partitionBy(MONTH_COLUMN, *partition_by).parquet(staging)
    for month in months:
        live, new = month_path(asset_root, month), month_path(staging, month)
        old = f"{staging}/_replaced_{MONTH_COLUMN}={month}"
        if files.exists(live):  # set the live month aside: restored if the swap fails
            files.move(live, old)
        try:
            if files.exists(new):
                files.move(new, live)
        except Exception:
            if files.exists(old):
                files.move(old, live)
            raise
    files.delete(staging)
    files.delete_if_empty(f"{asset_root}/{STAGING_FOLDER}")


def read_months(
    spark: SparkSession, asset_root: str, schema: T.StructType, months: Sequence[str]
) -> DataFrame:
    """The given months of one lake asset, with its contract schema (empty if none)."""
    files = HadoopFiles(spark)
    paths = [month_path(asset_root, m) for m in months if files.exists(month_path(asset_root, m))]
    if not paths:
        return spark.createDataFrame([], schema)
    frame = spark.read.option("basePath", asset_root).schema(schema).parquet(*paths)
    return frame.select(*[f.name for f in schema.fields])
