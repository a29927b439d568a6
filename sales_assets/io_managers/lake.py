"""Parquet lake IO manager: a write replaces exactly the run's months; a read returns the
requested months (a missing month reads as empty). Storage work is in ``resources.lake``.

An asset may hand over months it already staged and checked (write-audit-publish): the IO
manager then only publishes them.
"""

from collections.abc import Sequence

import dagster as dg
from pyspark.sql import DataFrame, SparkSession

from sales_assets import storage
from sales_assets.month_metadata import add_month_metadata, lake_month_metadata
from sales_assets.resources import lake
from sales_assets.resources.lake import Lake, StagedMonths

PARTITION_BY_KEY = "partition_by"  # asset metadata: lake columns split below the month


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores Spark DataFrames of monthly-partitioned assets as Parquet."""

    lake: dg.ResourceDependency[Lake]

    def handle_output(self, context: dg.OutputContext, obj: DataFrame | StagedMonths) -> None:
        months = list(context.asset_partition_keys)
        if isinstance(obj, StagedMonths):
            self.lake.publish(obj)
        else:
            partition_by = list((context.definition_metadata or {}).get(PARTITION_BY_KEY, []))
            staged = self.lake.stage(context.asset_key, obj, months, context.run_id, partition_by)
            self.lake.publish(staged)
        root = self.lake.asset_root(context.asset_key)
        add_month_metadata(
            context, lake_month_metadata(self.lake.spark, context.asset_key, root, months)
        )

    def load_input(self, context: dg.InputContext) -> DataFrame:
        return self.lake.read(
            context.asset_key,
            storage.lake_schema(context.asset_key),
            context.asset_partition_keys,
        )


def read_months(
    spark: SparkSession, root: str, asset_name: str, months: Sequence[str]
) -> DataFrame:
    """The given months of a lake asset stored under ``root`` (for tests and tools)."""
    return lake.read_months(spark, root, storage.lake_schema(dg.AssetKey(asset_name)), months)
