"""Parquet lake IO manager: a write replaces exactly the run's months; a read returns the
requested months (a missing month reads as empty). Storage work is in ``resources.lake``."""

from collections.abc import Sequence

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import DataFrame, SparkSession

from sales_assets import storage
from sales_assets.config import normalize_uri
from sales_assets.resources import lake

PARTITION_BY_KEY = "partition_by"  # asset metadata: lake columns split below the month


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores Spark DataFrames of monthly-partitioned assets as Parquet."""

    lake_uri: str
    pyspark: dg.ResourceDependency[LazyPySparkResource]

    def _asset_root(self, asset_key: dg.AssetKey) -> str:
        root = normalize_uri(self.lake_uri, "SALES_LAKE_URI")
        return f"{root}/{asset_key.path[-1]}"

    def handle_output(self, context: dg.OutputContext, obj: DataFrame) -> None:
        months = list(context.asset_partition_keys)
        root = self._asset_root(context.asset_key)
        partition_by = list((context.definition_metadata or {}).get(PARTITION_BY_KEY, []))
        lake.write_months(
            self.pyspark.spark_session, root, obj, months, context.run_id, partition_by
        )
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(root), "sales_months": ", ".join(months)}
        )

    def load_input(self, context: dg.InputContext) -> DataFrame:
        return lake.read_months(
            self.pyspark.spark_session,
            self._asset_root(context.asset_key),
            storage.lake_schema(context.asset_key),
            context.asset_partition_keys,
        )


def read_months(
    spark: SparkSession, root: str, asset_name: str, months: Sequence[str]
) -> DataFrame:
    """The given months of a lake asset stored under ``root`` (for tests and tools)."""
    return lake.read_months(spark, root, storage.lake_schema(dg.AssetKey(asset_name)), months)
