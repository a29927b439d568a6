"""The Parquet lake: ``{root}/<asset>/sales_month=YYYY-MM/`` (Hive-style), local or s3a.

All file operations go through Hadoop's FileSystem API of the run's Spark session, so the
same code serves a local folder and ``s3a://``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from sales_assets import storage
from sales_assets.config import normalize_uri
from sales_assets.errors import PermanentError
from sales_assets.resources.month_lock import MonthLock

MONTH_COLUMN = "sales_month"
STAGING_FOLDER = "_staging"  # a "_" name: readers of the lake ignore it
# Every published month holds this empty file, so a month written with no rows still has its
# folder (S3 has no empty folders): "written and empty" differs from "never written".
WRITTEN_MARKER = "_written"


class MonthNotWrittenError(PermanentError):
    """An upstream month was never materialized; reading it as empty would hide that."""


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

    def touch(self, uri: str) -> None:
        path, fs = self._path(uri)
        fs.create(path, True).close()

    def month_folders(self, asset_root: str) -> list[str]:
        """Months written under an asset root (``sales_month=YYYY-MM`` folders)."""
        path, fs = self._path(asset_root)
        if not fs.exists(path):
            return []
        prefix = f"{MONTH_COLUMN}="
        names = [status.getPath().getName() for status in fs.listStatus(path)]
        return sorted(n.removeprefix(prefix) for n in names if n.startswith(prefix))

    def move(self, source: str, target: str) -> None:
        """Rename a folder: atomic on a local or HDFS file system, copy + delete on s3a."""
        source_path, fs = self._path(source)
        target_path, _ = self._path(target)
        fs.mkdirs(target_path.getParent())
        if not fs.rename(source_path, target_path):
            raise OSError(f"Could not move {source} to {target}.")


def month_path(asset_root: str, sales_month: str) -> str:
    return f"{asset_root}/{MONTH_COLUMN}={sales_month}"


@dataclass(frozen=True)
class StagedMonths:
    """Months of one asset written to a run's staging folder, not yet visible to readers."""

    asset_root: str
    months: tuple[str, ...]
    run_id: str

    @property
    def folder(self) -> str:
        return f"{self.asset_root}/{STAGING_FOLDER}/{self.run_id}"


def stage_months(
    spark: SparkSession,
    asset_root: str,
    frame: DataFrame,
    months: Sequence[str],
    run_id: str,
    partition_by: Sequence[str] = (),
    plain_columns: Sequence[str] = (),
) -> StagedMonths:
    """Write ``frame`` into the run's own staging folder: concurrent runs never share
    Spark's temporary folder, and nothing is visible until :func:`publish_months`.
    ``plain_columns`` are written without a Parquet dictionary."""
    staged = StagedMonths(asset_root, tuple(months), run_id)
    if partition_by:
        # Folders split below the month (by store): rows of one folder brought to one task,
        # so each folder is one file. Otherwise every task writes a file into every folder
        # it has rows for, and readers open hundreds of small files.
        frame = frame.repartition(MONTH_COLUMN, *partition_by)
    writer = frame.write.mode("overwrite").partitionBy(MONTH_COLUMN, *partition_by)
    for column in plain_columns:
        writer = writer.option(f"parquet.enable.dictionary#{column}", "false")
    writer.parquet(staged.folder)
    return staged


def publish_months(spark: SparkSession, staged: StagedMonths) -> None:
    """Swap each staged month into place, replacing exactly those months; a failed swap
    puts the live month back."""
    files = HadoopFiles(spark)
    for month in staged.months:
        live, new = month_path(staged.asset_root, month), month_path(staged.folder, month)
        old = f"{staged.folder}/_replaced_{MONTH_COLUMN}={month}"
        if files.exists(live):  # set the live month aside: restored if the swap fails
            files.move(live, old)
        try:
            if files.exists(new):
                files.move(new, live)
            files.touch(f"{live}/{WRITTEN_MARKER}")
        except Exception:
            if files.exists(old):
                files.move(old, live)
            raise
    discard_months(spark, staged)


def discard_months(spark: SparkSession, staged: StagedMonths) -> None:
    files = HadoopFiles(spark)
    files.delete(staged.folder)
    files.delete_if_empty(f"{staged.asset_root}/{STAGING_FOLDER}")


def write_months(
    spark: SparkSession,
    asset_root: str,
    frame: DataFrame,
    months: Sequence[str],
    run_id: str,
    partition_by: Sequence[str] = (),
) -> None:
    """Replace exactly ``months`` of one asset with ``frame``: staged, then published, so a
    failed write leaves the old months intact."""
    publish_months(spark, stage_months(spark, asset_root, frame, months, run_id, partition_by))


def read_months(
    spark: SparkSession,
    asset_root: str,
    schema: T.StructType,
    months: Sequence[str],
    allow_missing: bool = False,
) -> DataFrame:
    """The given months of one lake asset, with its contract schema.

    A month that was never written is an error naming the asset and the month, unless
    ``allow_missing`` (then it reads as no rows).
    """
    files = HadoopFiles(spark)
    paths = {m: month_path(asset_root, m) for m in months}
    missing = [m for m, path in paths.items() if not files.exists(path)]
    if missing and not allow_missing:
        asset = asset_root.rstrip("/").rsplit("/", 1)[-1]
        raise MonthNotWrittenError(
            f"{asset} was never written for {', '.join(missing)} (no folder under "
            f"{asset_root}): materialize {asset} for {', '.join(missing)} first, or check "
            "that SALES_LAKE_URI points at the lake that holds it."
        )
    present = [path for m, path in paths.items() if m not in missing]
    if not present:
        return spark.createDataFrame([], schema)
    frame = spark.read.option("basePath", asset_root).schema(schema).parquet(*present)
    return frame.select(*[f.name for f in schema.fields])


def month_row_counts(
    spark: SparkSession,
    asset_root: str,
    schema: T.StructType,
    months: Sequence[str],
    breakdown: str | None = None,
) -> dict[str, dict[str | None, int]]:
    """Rows stored per month (and per value of ``breakdown``, when given), read back from
    the lake: ``{month: {value: rows}}``, with the single key ``None`` without a breakdown.
    Only the month column (and the breakdown column) is read."""
    keys = [MONTH_COLUMN, *([breakdown] if breakdown else [])]
    frame = read_months(spark, asset_root, schema, months, allow_missing=True)
    frame = frame.groupBy(*keys).count()
    counts: dict[str, dict[str | None, int]] = {month: {} for month in months}
    for row in frame.collect():  # one small row per month (and breakdown value)
        counts[row[MONTH_COLUMN]][row[breakdown] if breakdown else None] = row["count"]
    return counts


class Lake(dg.ConfigurableResource):
    """The lake root (``SALES_LAKE_URI``) with the run's Spark session: what the lake IO
    manager and a write-audit-publish step share."""

    lake_uri: str
    pyspark: dg.ResourceDependency[LazyPySparkResource]
    # Every run that writes touches the lake: the lock of its months comes with it.
    month_lock: dg.ResourceDependency[MonthLock]

    @property
    def spark(self) -> SparkSession:
        return self.pyspark.spark_session

    def asset_root(self, asset_key: dg.AssetKey) -> str:
        return f"{normalize_uri(self.lake_uri, 'SALES_LAKE_URI')}/{asset_key.path[-1]}"

    def stage(
        self,
        asset_key: dg.AssetKey,
        frame: DataFrame,
        months: Sequence[str],
        run_id: str,
        partition_by: Sequence[str] = (),
    ) -> StagedMonths:
        return stage_months(
            self.spark,
            self.asset_root(asset_key),
            frame,
            months,
            run_id,
            partition_by,
            storage.plain_encoded_columns(asset_key),
        )

    def stored_months(self, asset_key: dg.AssetKey) -> list[str]:
        """The months written for an asset (its ``sales_month=YYYY-MM`` folders)."""
        return HadoopFiles(self.spark).month_folders(self.asset_root(asset_key))

    def read_staged(self, staged: StagedMonths, schema: T.StructType) -> DataFrame:
        # A staged month with no rows has no folder yet: its marker comes with publishing.
        return read_months(self.spark, staged.folder, schema, staged.months, allow_missing=True)

    def publish(self, staged: StagedMonths) -> None:
        publish_months(self.spark, staged)

    def discard(self, staged: StagedMonths) -> None:
        discard_months(self.spark, staged)

    def read(
        self,
        asset_key: dg.AssetKey,
        schema: T.StructType,
        months: Sequence[str],
        allow_missing: bool = False,
    ) -> DataFrame:
        return read_months(self.spark, self.asset_root(asset_key), schema, months, allow_missing)
