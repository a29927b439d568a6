"""Parquet lake IO manager: ``{lake}/<asset>/sales_month=YYYY-MM/`` (Hive-style).

A write replaces exactly the run's months; a read returns the requested months (a missing
month reads as empty). The same class serves a local folder and ``s3a://``: all file
operations go through Hadoop's FileSystem API of the run's Spark session.
"""

from collections.abc import Sequence

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import DataFrame, SparkSession

from sales_assets.config import normalize_uri
from sales_assets.transforms.schemas import LAKE_SCHEMAS

MONTH_COLUMN = "sales_month"


class _HadoopFiles:
    """Thin access to the Hadoop FileSystem of a path (local or s3a)."""

    def __init__(self, spark: SparkSession) -> None:
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, uri: str):
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


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores Spark DataFrames of monthly-partitioned assets as Parquet."""

    lake_uri: str
    pyspark: dg.ResourceDependency[LazyPySparkResource]

    def _asset_root(self, asset_key: dg.AssetKey) -> str:
        root = normalize_uri(self.lake_uri, "SALES_LAKE_URI")
        return f"{root}/{asset_key.path[-1]}"

    @staticmethod
    def _month_path(root: str, sales_month: str) -> str:
        return f"{root}/{MONTH_COLUMN}={sales_month}"

    def handle_output(self, context: dg.OutputContext, obj: DataFrame) -> None:
        months = list(context.asset_partition_keys)
        root = self._asset_root(context.asset_key)
        extra_partitions = list((context.definition_metadata or {}).get("partition_by", []))
        files = _HadoopFiles(self.pyspark.spark_session)
        # Write the whole run into its own staging folder first (a "_" name, which readers of
        # the lake ignore), then swap each month into place: a failed write leaves the old
        # months intact, and concurrent runs never share Spark's temporary folder.
        staging = f"{root}/_staging/{context.run_id}"
        obj.write.mode("overwrite").partitionBy(MONTH_COLUMN, *extra_partitions).parquet(staging)
        for month in months:
            live, new = self._month_path(root, month), self._month_path(staging, month)
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
        files.delete_if_empty(f"{root}/_staging")
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(root), "sales_months": ", ".join(months)}
        )

    def load_input(self, context: dg.InputContext) -> DataFrame:
        months: Sequence[str] = context.asset_partition_keys
        root = self._asset_root(context.asset_key)
        return read_months(self.pyspark.spark_session, root, context.asset_key.path[-1], months)


def read_months(
    spark: SparkSession, root: str, asset_name: str, months: Sequence[str]
) -> DataFrame:
    """The given months of one lake asset, with its contract schema (empty if none)."""
    schema = LAKE_SCHEMAS[asset_name]
    files = _HadoopFiles(spark)
    paths = [
        f"{root}/{MONTH_COLUMN}={m}" for m in months if files.exists(f"{root}/{MONTH_COLUMN}={m}")
    ]
    if not paths:
        return spark.createDataFrame([], schema)
    frame = spark.read.option("basePath", root).schema(schema).parquet(*paths)
    return frame.select(*[f.name for f in schema.fields])
